-- Each project of a department-year paired with the same project in the department's previous
-- budget year (the latest earlier year it published), or with nothing.
--
-- Matching: same department_id, same unit match key, same normalised name (project_name_key),
-- and the same occurrence, i.e. the k-th project of that name in the unit one year is the k-th
-- the year before. Where a name repeats the same number of times in both years, order among
-- equals decides (order_among_equals). Where it repeats a different number of times, which of
-- them is new or ended cannot be told from the documents: the pairing by order is kept, and
-- every row of the name is marked ambiguous rather than presented as a fact.
--
-- A full outer join, so a project missing from the later year appears once, for the year in
-- which it is missing (status ended, in project_year_changes).

{%- set amounts = ["total", "fiscal", "special_account", "other", "bond"] %}

with

project_years as (

    select * from {{ ref('int_project_years') }}

),

department_years as (

    select
        department_id,
        budget_year,
        lag(budget_year) over (partition by department_id order by budget_year)
            as previous_budget_year
    from (
        select distinct department_id, budget_year
        from project_years
    ) as years

),

current_side as (

    select
        project_years.*,
        department_years.previous_budget_year
    from project_years
    inner join department_years
        on project_years.department_id = department_years.department_id
        and project_years.budget_year = department_years.budget_year

),

previous_side as (

    select
        project_years.*,
        department_years.budget_year as compared_in_year
    from project_years
    inner join department_years
        on project_years.department_id = department_years.department_id
        and project_years.budget_year = department_years.previous_budget_year

),

paired as (

    select
        coalesce(current_side.department_id, previous_side.department_id) as department_id,
        coalesce(current_side.budget_year, previous_side.compared_in_year) as budget_year,
        coalesce(current_side.previous_budget_year, previous_side.budget_year)
            as previous_budget_year,
        coalesce(current_side.unit_match_key, previous_side.unit_match_key) as unit_match_key,
        coalesce(current_side.project_name_key, previous_side.project_name_key)
            as project_name_key,
        coalesce(current_side.occurrence, previous_side.occurrence) as occurrence,

        current_side.project_id as project_id,
        previous_side.project_id as previous_project_id,
        current_side.release_id as release_id,
        previous_side.release_id as previous_release_id,

        coalesce(current_side.unit_name_zh, previous_side.unit_name_zh) as unit_name_zh,
        previous_side.unit_name_zh as previous_unit_name_zh,
        coalesce(current_side.project_name_zh, previous_side.project_name_zh) as project_name_zh,
        coalesce(current_side.category_code, previous_side.category_code) as category_code,
        coalesce(current_side.category_zh, previous_side.category_zh) as category_zh,
        coalesce(current_side.category_en, previous_side.category_en) as category_en,

        {%- for amount in amounts %}
        current_side.{{ amount }}_wan as {{ amount }}_wan,
        previous_side.{{ amount }}_wan as previous_{{ amount }}_wan,
        {%- endfor %}

        current_side.n_equal_names as current_equal_names,
        previous_side.n_equal_names as previous_equal_names
    from current_side
    full outer join previous_side
        on current_side.department_id = previous_side.department_id
        and current_side.budget_year = previous_side.compared_in_year
        and current_side.unit_match_key = previous_side.unit_match_key
        and current_side.project_name_key = previous_side.project_name_key
        and current_side.occurrence = previous_side.occurrence

),

counted as (

    select
        paired.*,
        {{ equal_key_counts(
            'current_equal_names',
            'previous_equal_names',
            ['department_id', 'budget_year', 'unit_match_key', 'project_name_key'],
        ) }}
    from paired

)

select
    department_id,
    budget_year,
    previous_budget_year,
    unit_match_key,
    project_name_key,
    occurrence,
    substr(md5(concat_ws(
        '|', department_id, unit_match_key, project_name_key, cast(occurrence as string)
    )), 1, 16) as project_key,
    project_id,
    previous_project_id,
    release_id,
    previous_release_id,
    unit_name_zh,
    previous_unit_name_zh,
    project_name_zh,
    category_code,
    category_zh,
    category_en,
    {%- for amount in amounts %}
    {{ amount }}_wan,
    previous_{{ amount }}_wan,
    {%- endfor %}
    n_equal_names,
    previous_n_equal_names,
    case
        when previous_budget_year is null then 'first_year'
        else {{ occurrence_match_method() }}
    end as match_method
from counted
