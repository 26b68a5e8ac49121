-- One row per release that can be placed in a department's years (it has a department and a
-- budget year), with its department_id and whether it is the current release of that department
-- and year. Two releases of one department and year: the later published is current, the other
-- is kept and marked superseded, so the year marts read current releases only and never sum a
-- department-year twice. Publication date first (null dates last), then the release_id, so the
-- choice is the same on every run even when no sidecar gives a date.

with

releases as (

    select * from {{ ref('stg_lake__releases') }}

),

departments as (

    select * from {{ ref('int_departments') }}

),

placed as (

    select
        releases.release_id,
        departments.department_id,
        releases.department_zh,
        releases.department_key,
        releases.budget_year,
        releases.budget_year_source,
        releases.published_on,
        releases.layout,
        releases.source_file
    from releases
    inner join departments
        on releases.department_key = departments.department_key
    where releases.budget_year is not null

),

ranked as (

    select
        placed.*,
        row_number() over (
            partition by department_id, budget_year
            order by published_on desc nulls last, release_id desc
        ) as publication_rank,
        count(*) over (partition by department_id, budget_year) as n_releases_of_year
    from placed

),

current_releases as (

    select department_id, budget_year, release_id as current_release_id
    from ranked
    where publication_rank = 1

)

select
    ranked.release_id,
    ranked.department_id,
    ranked.department_zh,
    ranked.department_key,
    ranked.budget_year,
    ranked.budget_year_source,
    ranked.published_on,
    ranked.layout,
    ranked.source_file,
    ranked.publication_rank,
    ranked.n_releases_of_year,
    ranked.publication_rank = 1 as is_current,
    case
        when ranked.publication_rank > 1 then current_releases.current_release_id
    end as superseded_by_release_id
from ranked
inner join current_releases
    on ranked.department_id = current_releases.department_id
    and ranked.budget_year = current_releases.budget_year
