-- One row per project and budget year it appears in (current releases), and one row for each
-- project that ended, in the year in which it is missing. Matching is int_project_year_matches';
-- the status compares money (total and every funding source) and the indicator targets
-- (indicator_target_changes).

{%- set sources = ["fiscal", "special_account", "other", "bond"] %}

with

matches as (

    select * from {{ ref('int_project_year_matches') }}

),

department_years as (

    select * from {{ ref('department_years') }}

),

target_changes as (

    select
        project_key,
        budget_year,
        -- bigint on every engine (DuckDB would sum to a 128-bit HUGEINT).
        cast(sum(case when target_change = 'tightened' then 1 else 0 end) as bigint) as n_targets_tightened,
        cast(sum(case when target_change = 'loosened' then 1 else 0 end) as bigint) as n_targets_loosened,
        cast(sum(case when target_change = 'added' then 1 else 0 end) as bigint) as n_indicators_added,
        cast(sum(case when target_change = 'dropped' then 1 else 0 end) as bigint) as n_indicators_dropped,
        cast(sum(case when target_change is null then 1 else 0 end) as bigint) as n_targets_changed_uncompared
    from {{ ref('indicator_target_changes') }}
    group by project_key, budget_year

),

compared as (

    select
        matches.*,
        matches.project_id is not null
            and matches.previous_project_id is not null
            and (
                matches.total_wan <> matches.previous_total_wan
                {%- for source in sources %}
                or matches.{{ source }}_wan <> matches.previous_{{ source }}_wan
                {%- endfor %}
            ) as has_money_change,
        coalesce(target_changes.n_targets_tightened, 0) as n_targets_tightened,
        coalesce(target_changes.n_targets_loosened, 0) as n_targets_loosened,
        coalesce(target_changes.n_indicators_added, 0) as n_indicators_added,
        coalesce(target_changes.n_indicators_dropped, 0) as n_indicators_dropped,
        coalesce(target_changes.n_targets_changed_uncompared, 0) as n_targets_changed_uncompared
    from matches
    left join target_changes
        on matches.project_key = target_changes.project_key
        and matches.budget_year = target_changes.budget_year

),

final as (

    select
        ----------  ids
        compared.project_key,
        compared.department_id,
        compared.project_id,
        compared.previous_project_id,
        compared.release_id,
        compared.previous_release_id,

        ----------  who and what
        department_years.department_zh,
        compared.unit_name_zh,
        compared.unit_match_key,
        compared.project_name_zh,
        compared.project_name_key,
        compared.occurrence,
        compared.category_code,
        compared.category_zh,
        compared.category_en,

        ----------  years and status
        compared.budget_year,
        compared.previous_budget_year,
        case
            when compared.project_id is null then 'ended'
            when compared.previous_project_id is null then 'new'
            when compared.has_money_change
                or compared.n_targets_tightened + compared.n_targets_loosened
                + compared.n_indicators_added + compared.n_indicators_dropped
                + compared.n_targets_changed_uncompared > 0
                then 'changed'
            else 'unchanged'
        end as status,
        compared.has_money_change,
        compared.n_targets_tightened
            + compared.n_targets_loosened
            + compared.n_indicators_added
            + compared.n_indicators_dropped
            + compared.n_targets_changed_uncompared > 0 as has_target_change,

        ----------  amounts (万元)
        compared.total_wan,
        compared.previous_total_wan,
        case
            when compared.previous_budget_year is not null
                then {{ wan("coalesce(compared.total_wan, 0) - coalesce(compared.previous_total_wan, 0)") }}
        end as change_wan,
        {%- for source in sources %}
        compared.{{ source }}_wan,
        compared.previous_{{ source }}_wan,
        {%- endfor %}

        ----------  targets
        compared.n_targets_tightened,
        compared.n_targets_loosened,
        compared.n_indicators_added,
        compared.n_indicators_dropped,
        compared.n_targets_changed_uncompared,

        ----------  how the match was made
        compared.match_method,
        compared.match_method = 'ambiguous' as is_ambiguous_match,
        compared.n_equal_names,
        compared.previous_n_equal_names

    from compared
    inner join department_years
        on compared.department_id = department_years.department_id
        and compared.budget_year = department_years.budget_year

)

select * from final
