-- One row per project (every project, with or without indicators): which canonical dimensions its
-- indicators cover, how many targets are quantified, whether a goal is printed and whether
-- placeholders stand in for real indicators, and the strict verdict. The completeness marts
-- aggregate this model; the requirements of the strict rule are the rows of
-- seeds/completeness_weights.csv with is_required_for_strict.

with

-- Only the releases an incremental run rewrites (macros/incremental_releases.sql): a project's
-- indicators are in its own release.
projects as (

    select * from {{ ref('stg_lake__projects') }}
    where {{ release_scope_filter() }}

),

releases as (

    select * from {{ ref('stg_lake__releases') }}
    where {{ release_scope_filter() }}

),

indicators as (

    select * from {{ ref('int_indicators_mapped') }}
    where {{ release_scope_filter() }}

),

completeness_weights as (

    select * from {{ ref('completeness_weights') }}

),

indicator_figures as (

    select
        project_id,
        count(*) as indicator_count,
        count(*) filter (where is_quantified) as quantified_target_count,
        count(*) filter (where level2_dimension is not null) as level2_resolved_count,
        count(*) filter (where not is_level_name_known) as unknown_level_name_count,
        bool_or(level1_dimension = 'output') as covers_output,
        bool_or(level1_dimension = 'effect') as covers_effect,
        bool_or(level1_dimension = 'satisfaction') as covers_satisfaction,
        -- 成本 in either framework: 4-成本指标 (2021) or 14-成本指标 under 产出 (pre-2021); both
        -- map to level-1 dimension cost in indicator_framework.csv.
        bool_or(level1_dimension = 'cost') as covers_cost,
        bool_or(level1_dimension = 'output' and level2_dimension = 'quantity') as covers_quantity,
        bool_or(level1_dimension = 'output' and level2_dimension = 'quality') as covers_quality,
        bool_or(level1_dimension = 'output' and level2_dimension = 'timeliness') as covers_timeliness,
        bool_or(
            target_kind = 'placeholder' or {{ delimited_list_contains('flags', ';', 'placeholder') }}
        ) as has_placeholder_indicator
    from indicators
    group by project_id

),

coverage as (

    select
        ----------  ids
        projects.project_id,
        projects.release_id,
        releases.department_zh,
        projects.unit_id,
        projects.unit_name_zh,

        ----------  counts
        coalesce(indicator_figures.indicator_count, 0) as indicator_count,
        coalesce(indicator_figures.quantified_target_count, 0) as quantified_target_count,
        coalesce(indicator_figures.level2_resolved_count, 0) as level2_resolved_count,
        coalesce(indicator_figures.unknown_level_name_count, 0) as unknown_level_name_count,

        ----------  coverage of the framework
        coalesce(indicator_figures.covers_output, false) as covers_output,
        coalesce(indicator_figures.covers_effect, false) as covers_effect,
        coalesce(indicator_figures.covers_satisfaction, false) as covers_satisfaction,
        coalesce(indicator_figures.covers_cost, false) as covers_cost,
        coalesce(indicator_figures.covers_quantity, false) as covers_quantity,
        coalesce(indicator_figures.covers_quality, false) as covers_quality,
        coalesce(indicator_figures.covers_timeliness, false) as covers_timeliness,

        ----------  goal and placeholders
        coalesce(trim(projects.goal_zh), '') <> '' as has_goal,
        projects.is_classified
            or coalesce(indicator_figures.has_placeholder_indicator, false) as has_placeholder

    from projects
    left join releases
        on projects.release_id = releases.release_id
    left join indicator_figures
        on projects.project_id = indicator_figures.project_id

),

strictness as (

    -- A project is strictly complete when every requirement of the seed holds. The CASE only says
    -- which project column a component names; raise_sql_error stops the build on a component it
    -- does not know, so a requirement can never be skipped silently.
    select
        coverage.project_id,
        bool_and(
            case completeness_weights.component
                when 'output' then coverage.covers_output
                when 'effect' then coverage.covers_effect
                when 'satisfaction' then coverage.covers_satisfaction
                when 'cost' then coverage.covers_cost
                when 'quantity' then coverage.covers_quantity
                when 'quality' then coverage.covers_quality
                when 'timeliness' then coverage.covers_timeliness
                when 'quantified_targets' then
                    coverage.indicator_count > 0
                    and coverage.quantified_target_count = coverage.indicator_count
                when 'goal_present' then coverage.has_goal
                when 'placeholder_free' then not coverage.has_placeholder
                else {{ raise_sql_error("'completeness_weights.csv: unknown component ' || completeness_weights.component") }}
            end
        ) as is_strictly_complete
    from coverage
    cross join completeness_weights
    where completeness_weights.is_required_for_strict
    group by coverage.project_id

)

select
    coverage.*,
    not coverage.has_goal or coverage.has_placeholder as has_placeholder_or_missing_goal,
    -- No requirement in the seed at all would make every project strictly complete.
    coalesce(strictness.is_strictly_complete, true) as is_strictly_complete
from coverage
left join strictness
    on coverage.project_id = strictness.project_id
