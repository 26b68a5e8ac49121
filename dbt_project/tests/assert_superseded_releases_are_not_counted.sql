-- Fails on each project_year_changes or department_years row read from a superseded release.
select 'project_year_changes' as mart, changes.release_id
from {{ ref('project_year_changes') }} as changes
inner join {{ ref('int_release_years') }} as release_years
    on changes.release_id = release_years.release_id
where not release_years.is_current

union all

select 'department_years' as mart, years.release_id
from {{ ref('department_years') }} as years
inner join {{ ref('int_release_years') }} as release_years
    on years.release_id = release_years.release_id
where not release_years.is_current
