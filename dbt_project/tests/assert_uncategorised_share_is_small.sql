{{ config(severity='warn') }}
-- Keyword rules overfit easily (docs/domain.md#spending-categories): warn when more than 5% of a release's money lands in
-- 未分类, the sign that a new department needs words of its trade in category_rules.csv. (25% until
-- the rules learned the budget's words for mission money: 业务经费, 工作经费, 事务经费 …)
select
    release_id,
    department_zh,
    sum(total_wan) filter (where category_code = 'uncategorised') as uncategorised_wan,
    sum(total_wan) as total_wan
from {{ ref('fct_projects') }}
group by release_id, department_zh
having sum(total_wan) > 0
    and coalesce(sum(total_wan) filter (where category_code = 'uncategorised'), 0)
        > 0.05 * sum(total_wan)
