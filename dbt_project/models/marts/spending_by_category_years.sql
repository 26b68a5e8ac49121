-- Money per department, purpose category and budget year (current releases only), with the
-- change against the department's previous budget year. A category the department spent on in
-- the previous year but not in this one keeps a row with 0.00, so the changes of a year add up
-- to the department's change in department_years.

with

project_years as (

    select * from {{ ref('int_project_years') }}

),

department_years as (

    select * from {{ ref('department_years') }}

),

categories as (

    select * from {{ ref('categories') }}

),

by_category as (

    select
        department_id,
        budget_year,
        category_code,
        count(*) as project_count,
        {{ wan("sum(total_wan)") }} as total_wan
    from project_years
    group by department_id, budget_year, category_code

),

grid as (

    select department_id, budget_year, category_code
    from by_category

    union

    select
        department_years.department_id,
        department_years.budget_year,
        by_category.category_code
    from department_years
    inner join by_category
        on department_years.department_id = by_category.department_id
        and department_years.previous_budget_year = by_category.budget_year

)

select
    ----------  ids
    grid.department_id,
    grid.budget_year,
    grid.category_code,

    ----------  labels
    department_years.department_zh,
    categories.category_zh,
    categories.category_en,

    ----------  this year
    coalesce(this_year.project_count, 0) as project_count,
    {{ wan("coalesce(this_year.total_wan, 0)") }} as total_wan,
    -- A fraction in [0, 1] of the department's total of the year; null when that total is zero.
    cast(coalesce(this_year.total_wan, 0) as double)
        / nullif(cast(department_years.total_wan as double), 0) as share_of_department_total,

    ----------  against the previous budget year
    department_years.previous_budget_year,
    case
        when department_years.previous_budget_year is not null
            then coalesce(last_year.project_count, 0)
    end as previous_project_count,
    case
        when department_years.previous_budget_year is not null
            then {{ wan("coalesce(last_year.total_wan, 0)") }}
    end as previous_total_wan,
    case
        when department_years.previous_budget_year is not null
            then {{ wan("coalesce(this_year.total_wan, 0) - coalesce(last_year.total_wan, 0)") }}
    end as change_wan

from grid
inner join department_years
    on grid.department_id = department_years.department_id
    and grid.budget_year = department_years.budget_year
left join by_category as this_year
    on grid.department_id = this_year.department_id
    and grid.budget_year = this_year.budget_year
    and grid.category_code = this_year.category_code
left join by_category as last_year
    on grid.department_id = last_year.department_id
    and department_years.previous_budget_year = last_year.budget_year
    and grid.category_code = last_year.category_code
left join categories
    on grid.category_code = categories.category_code
