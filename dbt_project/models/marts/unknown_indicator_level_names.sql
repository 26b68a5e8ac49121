-- Printed level names that seeds/indicator_framework.csv does not know, one row per slot and name:
-- reported, never dropped (the indicators stay in fct_indicators with a null dimension). The test
-- assert_every_printed_level_name_is_in_the_framework warns while this table has rows; the fix is
-- a new row in the seed, or a parser fix when the name is an extraction error.

with

-- Read from the stored fct_indicators, and only its indicators with a name the framework does
-- not know: every row of an unknown name has is_level_name_known false (int_indicators_mapped),
-- and the join below still decides which slot's name it is. Reading the mapping view of every
-- indicator instead cost 1.6 s of each arrival's 118 dbt nodes at 1,000 releases.
indicators as (

    select * from {{ ref('fct_indicators') }}
    where is_level_name_known is distinct from true

),

framework_names as (

    select distinct {{ level_name_key('printed_name_zh') }} as name_key
    from {{ ref('indicator_framework') }}

),

printed_names as (

    select
        1 as level_slot,
        level1_name_zh as printed_name_zh,
        {{ level_name_key('level1_name_zh') }} as name_key,
        indicator_id, project_id, release_id, source_file, source_line
    from indicators
    union all
    select
        2 as level_slot,
        level2_name_zh as printed_name_zh,
        {{ level_name_key('level2_name_zh') }} as name_key,
        indicator_id, project_id, release_id, source_file, source_line
    from indicators

),

unknown as (

    select printed_names.*
    from printed_names
    left join framework_names
        on printed_names.name_key = framework_names.name_key
    where printed_names.name_key is not null
        and framework_names.name_key is null

)

select
    level_slot,
    name_key as level_name_key,
    min(printed_name_zh) as printed_name_zh,
    count(*) as indicator_count,
    count(distinct project_id) as project_count,
    {{ distinct_sorted_string_agg('release_id', ';') }} as release_ids,
    min(indicator_id) as example_indicator_id,
    min_by(source_file, indicator_id) as example_source_file,
    min_by(source_line, indicator_id) as example_source_line
from unknown
group by level_slot, name_key
