-- One row per department and budget year, from the current release of that year only (a
-- superseded release is counted in n_superseded_releases, never in the money), with the change
-- against the department's previous budget year (the latest earlier year it published).

{%- set amounts = ["total", "fiscal", "special_account", "other", "bond"] %}

with

release_years as (

    select * from {{ ref('int_release_years') }}

),

project_years as (

    select * from {{ ref('int_project_years') }}

),

current_releases as (

    select * from release_years where is_current

),

superseded as (

    select department_id, budget_year, count(*) as n_superseded_releases
    from release_years
    where not is_current
    group by department_id, budget_year

),

money as (

    select
        department_id,
        budget_year,
        count(*) as n_projects,
        count(distinct unit_match_key) as n_budget_units,
        {%- for amount in amounts %}
        {{ wan("sum(" ~ amount ~ "_wan)") }} as {{ amount }}_wan{{ "," if not loop.last }}
        {%- endfor %}
    from project_years
    group by department_id, budget_year

),

years as (

    select
        current_releases.department_id,
        current_releases.budget_year,
        current_releases.release_id,
        current_releases.department_zh as department_zh_printed,
        current_releases.budget_year_source,
        current_releases.published_on,
        -- The name the department printed in its latest year: what analysts know it as today.
        first_value(current_releases.department_zh) over (
            partition by current_releases.department_id
            order by current_releases.budget_year desc
        ) as department_zh,
        coalesce(superseded.n_superseded_releases, 0) as n_superseded_releases,
        money.n_projects,
        money.n_budget_units,
        {%- for amount in amounts %}
        money.{{ amount }}_wan,
        {%- endfor %}
        lag(current_releases.budget_year) over (
            partition by current_releases.department_id order by current_releases.budget_year
        ) as previous_budget_year,
        lag(money.total_wan) over (
            partition by current_releases.department_id order by current_releases.budget_year
        ) as previous_total_wan
    from current_releases
    inner join money
        on current_releases.department_id = money.department_id
        and current_releases.budget_year = money.budget_year
    left join superseded
        on current_releases.department_id = superseded.department_id
        and current_releases.budget_year = superseded.budget_year

)

select
    ----------  ids
    department_id,
    budget_year,
    release_id,

    ----------  who
    department_zh,
    department_zh_printed,

    ----------  where the year came from
    budget_year_source,
    published_on,
    n_superseded_releases,

    ----------  counts
    n_projects,
    n_budget_units,

    ----------  amounts (万元)
    {%- for amount in amounts %}
    {{ amount }}_wan,
    {%- endfor %}

    ----------  against the previous budget year
    previous_budget_year,
    previous_total_wan,
    {{ wan("total_wan - previous_total_wan") }} as change_wan,
    -- A percentage (100 = doubled); null in the first year or when the previous total is zero.
    100.0 * cast(total_wan - previous_total_wan as double)
        / nullif(cast(previous_total_wan as double), 0) as change_pct

from years
