-- Each canonical dimension has one Chinese and one English label across the rows of
-- seeds/indicator_framework.csv (labels are repeated per printed variant, for readability).
select 'level1' as level, level1_dimension as dimension, count(distinct level1_zh) as n_zh, count(distinct level1_en) as n_en
from {{ ref('indicator_framework') }}
group by level1_dimension
having count(distinct level1_zh) > 1 or count(distinct level1_en) > 1
union all
select 'level2', level2_dimension, count(distinct level2_zh), count(distinct level2_en)
from {{ ref('indicator_framework') }}
where level2_dimension is not null
group by level2_dimension
having count(distinct level2_zh) > 1 or count(distinct level2_en) > 1
