-- For every project matched across two budget years (int_project_year_matches, both sides
-- present), its indicators matched by canonical dimension and normalised indicator name, with
-- the annual target as printed and as parsed in both years and which way it moved.
--
-- Indicators match on (level-2 dimension, else level-1 dimension, else 'unmapped'; indicator
-- name without spaces) and, where that pair repeats within a project, on order among equals,
-- marked as such; a pair that repeats a different number of times in the two years is marked
-- ambiguous. target_change says:
--   added / dropped   the indicator exists in one year only;
--   unchanged         the target reads the same (spaces aside), or parses to the same operator,
--                     number and unit;
--   tightened / loosened  both targets are bounds of the same direction (≥ >, or ≤ <) in the same
--                     unit: a higher floor or a lower ceiling is tighter; at the same number the
--                     strict operator is tighter;
--   null              the targets differ and their parsed values cannot say which is stricter
--                     (an exact value that changed, text, different units or directions).

with

matches as (

    select * from {{ ref('int_project_year_matches') }}
    where project_id is not null and previous_project_id is not null

),

indicators as (

    select
        project_id,
        indicator_id,
        indicator_seq,
        level1_dimension,
        level2_dimension,
        indicator_name_zh,
        annual_target_zh,
        target_kind,
        target_operator,
        target_value,
        target_unit,
        coalesce(level2_dimension, level1_dimension, 'unmapped') as dimension,
        coalesce({{ level_name_key('indicator_name_zh') }}, '') as indicator_name_key,
        coalesce({{ level_name_key('annual_target_zh') }}, '') as annual_target_key
    from {{ ref('int_indicators_mapped') }}
    -- Only projects matched across years: numbered's windows are per project, so this changes no
    -- row, and it spares numbering (and normalising) every indicator of the lake each build.
    where project_id in (
        select project_id from matches
        union all
        select previous_project_id from matches
    )

),

numbered as (

    select
        indicators.*,
        -- bigint on every engine (Spark's row_number is an int, DuckDB's a bigint).
        cast(row_number() over (
            partition by project_id, dimension, indicator_name_key order by indicator_seq
        ) as bigint) as occurrence,
        count(*) over (partition by project_id, dimension, indicator_name_key) as n_equal
    from indicators

),

current_side as (

    select
        matches.project_key,
        matches.budget_year,
        numbered.*
    from matches
    inner join numbered
        on matches.project_id = numbered.project_id

),

previous_side as (

    select
        matches.project_key,
        matches.budget_year,
        numbered.*
    from matches
    inner join numbered
        on matches.previous_project_id = numbered.project_id

),

paired as (

    select
        coalesce(current_side.project_key, previous_side.project_key) as project_key,
        coalesce(current_side.budget_year, previous_side.budget_year) as budget_year,
        coalesce(current_side.dimension, previous_side.dimension) as dimension,
        coalesce(current_side.indicator_name_key, previous_side.indicator_name_key)
            as indicator_name_key,
        coalesce(current_side.occurrence, previous_side.occurrence) as occurrence,
        current_side.indicator_id,
        previous_side.indicator_id as previous_indicator_id,
        coalesce(current_side.indicator_name_zh, previous_side.indicator_name_zh)
            as indicator_name_zh,
        coalesce(current_side.level1_dimension, previous_side.level1_dimension)
            as level1_dimension,
        coalesce(current_side.level2_dimension, previous_side.level2_dimension)
            as level2_dimension,

        current_side.annual_target_zh,
        current_side.target_kind,
        current_side.target_operator,
        current_side.target_value,
        current_side.target_unit,
        current_side.annual_target_key,
        previous_side.annual_target_zh as previous_annual_target_zh,
        previous_side.target_kind as previous_target_kind,
        previous_side.target_operator as previous_target_operator,
        previous_side.target_value as previous_target_value,
        previous_side.target_unit as previous_target_unit,
        previous_side.annual_target_key as previous_annual_target_key,

        current_side.n_equal as current_n_equal,
        previous_side.n_equal as previous_n_equal
    from current_side
    full outer join previous_side
        on current_side.project_key = previous_side.project_key
        and current_side.budget_year = previous_side.budget_year
        and current_side.dimension = previous_side.dimension
        and current_side.indicator_name_key = previous_side.indicator_name_key
        and current_side.occurrence = previous_side.occurrence

),

counted as (

    select
        paired.*,
        {{ equal_key_counts(
            'current_n_equal',
            'previous_n_equal',
            ['project_key', 'budget_year', 'dimension', 'indicator_name_key'],
        ) }},
        case
            when target_operator in ('≥', '>') and previous_target_operator in ('≥', '>')
                then 'floor'
            when target_operator in ('≤', '<') and previous_target_operator in ('≤', '<')
                then 'ceiling'
            when target_operator = '=' and previous_target_operator = '=' then 'exact'
        end as bound_kind,
        coalesce(target_unit, '') = coalesce(previous_target_unit, '') as is_same_unit
    from paired

),

classified as (

    select
        counted.*,
        case
            when previous_indicator_id is null then 'added'
            when indicator_id is null then 'dropped'
            when annual_target_key = previous_annual_target_key then 'unchanged'
            when target_value is null or previous_target_value is null or not is_same_unit
                then null
            when bound_kind is null then null
            when target_value = previous_target_value and target_operator = previous_target_operator
                then 'unchanged'
            when bound_kind = 'exact' then null
            when bound_kind = 'floor' and target_value > previous_target_value then 'tightened'
            when bound_kind = 'floor' and target_value < previous_target_value then 'loosened'
            when bound_kind = 'ceiling' and target_value < previous_target_value then 'tightened'
            when bound_kind = 'ceiling' and target_value > previous_target_value then 'loosened'
            -- Same number, the operator alone changed: the strict one is the tighter bound.
            when target_operator in ('>', '<') then 'tightened'
            else 'loosened'
        end as target_change,
        {{ occurrence_match_method() }} as match_method
    from counted

),

projects as (

    select * from {{ ref('int_project_year_matches') }}

)

select
    ----------  ids
    classified.project_key,
    projects.department_id,
    projects.project_id,
    projects.previous_project_id,
    classified.indicator_id,
    classified.previous_indicator_id,

    ----------  which project and year
    departments.department_zh,
    projects.unit_name_zh,
    projects.project_name_zh,
    classified.budget_year,
    projects.previous_budget_year,

    ----------  the indicator
    classified.level1_dimension,
    classified.level2_dimension,
    classified.indicator_name_zh,
    classified.occurrence,

    ----------  targets as printed and as parsed, this year and the year before
    classified.annual_target_zh,
    classified.target_kind,
    classified.target_operator,
    classified.target_value,
    classified.target_unit,
    classified.previous_annual_target_zh,
    classified.previous_target_kind,
    classified.previous_target_operator,
    classified.previous_target_value,
    classified.previous_target_unit,

    ----------  verdict
    classified.target_change,
    classified.match_method,
    classified.match_method = 'ambiguous' as is_ambiguous_match

from classified
inner join projects
    on classified.project_key = projects.project_key
    and classified.budget_year = projects.budget_year
inner join {{ ref('department_years') }} as departments
    on projects.department_id = departments.department_id
    and classified.budget_year = departments.budget_year
