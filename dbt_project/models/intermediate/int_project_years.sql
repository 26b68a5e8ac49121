-- One row per project of a current release (int_release_years), keyed for matching across
-- years: department_id, the unit's match key, the project's normalised name and its order among
-- projects of the same name in that unit (occurrence), plus how many such equals there are.
--
-- The unit match key: the Tianjin unit code where printed; otherwise the normalised unit name
-- with the department's own printed name taken off its front, so that the department's own
-- unit (本级) and its sub-units (广州市公安局信息中心 → 信息中心) keep their key when the
-- department is renamed.

with

projects as (

    select * from {{ ref('int_projects_categorised') }}

),

budget_units as (

    select * from {{ ref('stg_lake__budget_units') }}

),

release_years as (

    select * from {{ ref('int_release_years') }}
    where is_current

),

keyed as (

    select
        projects.project_id,
        projects.release_id,
        release_years.department_id,
        release_years.budget_year,
        projects.unit_id,
        projects.unit_name_zh,
        projects.project_seq,
        projects.project_name_zh,
        projects.project_name_key,
        projects.category_code,
        projects.category_zh,
        projects.category_en,
        projects.total_wan,
        projects.fiscal_wan,
        projects.special_account_wan,
        projects.other_wan,
        projects.bond_wan,
        coalesce(
            budget_units.unit_code,
            case
                when budget_units.unit_name_key = release_years.department_key then '本级'
                when left(budget_units.unit_name_key, length(release_years.department_key))
                    = release_years.department_key
                    then substring(
                        budget_units.unit_name_key, length(release_years.department_key) + 1
                    )
                else budget_units.unit_name_key
            end,
            projects.unit_name_zh
        ) as unit_match_key
    from projects
    inner join release_years
        on projects.release_id = release_years.release_id
    left join budget_units
        on projects.unit_id = budget_units.unit_id

)

select
    keyed.*,
    -- bigint on every engine (Spark's row_number is an int, DuckDB's a bigint).
    cast(row_number() over (
        partition by department_id, budget_year, unit_match_key, project_name_key
        order by project_seq
    ) as bigint) as occurrence,
    count(*) over (
        partition by department_id, budget_year, unit_match_key, project_name_key
    ) as n_equal_names,
    substr(md5(concat_ws('|', department_id, unit_match_key, project_name_key)), 1, 16)
        as project_name_group_key
from keyed
