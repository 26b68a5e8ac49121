-- Every project of fct_projects is counted exactly once in each completeness mart, and every
-- indicator of fct_indicators too: completeness figures never lose or double a project.
with

projects as (

    select release_id, unit_id, count(*) as project_count
    from {{ ref('fct_projects') }}
    group by release_id, unit_id

),

indicators as (

    select release_id, count(*) as indicator_count
    from {{ ref('fct_indicators') }}
    group by release_id

),

by_department as (

    select release_id, sum(project_count) as project_count, sum(indicator_count) as indicator_count
    from {{ ref('indicator_completeness_by_department') }}
    group by release_id

),

by_unit as (

    select unit_id, sum(project_count) as project_count
    from {{ ref('indicator_completeness_by_unit') }}
    group by unit_id

),

department_check as (

    select
        coalesce(expected.release_id, by_department.release_id) as subject,
        expected.project_count as expected_projects,
        by_department.project_count as actual_projects,
        coalesce(indicators.indicator_count, 0) as expected_indicators,
        by_department.indicator_count as actual_indicators
    from (select release_id, sum(project_count) as project_count from projects group by release_id) as expected
    full outer join by_department
        on expected.release_id = by_department.release_id
    left join indicators
        on coalesce(expected.release_id, by_department.release_id) = indicators.release_id
    where expected.project_count is distinct from by_department.project_count
        or coalesce(indicators.indicator_count, 0) is distinct from by_department.indicator_count

),

unit_check as (

    select
        coalesce(projects.unit_id, by_unit.unit_id) as subject,
        projects.project_count as expected_projects,
        by_unit.project_count as actual_projects,
        null as expected_indicators,
        null as actual_indicators
    from projects
    full outer join by_unit
        on projects.unit_id = by_unit.unit_id
    where projects.project_count is distinct from by_unit.project_count

)

select * from department_check
union all
select * from unit_check
