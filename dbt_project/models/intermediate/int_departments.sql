-- One row per department key printed in any release, with the department it stands for: the
-- key itself, or the current name when department_aliases.csv lists it as a former name. The
-- department_id hashes that resolved key, so it stays the same across years and renames.

with

releases as (

    select * from {{ ref('stg_lake__releases') }}

),

department_aliases as (

    select * from {{ ref('department_aliases') }}

),

printed_keys as (

    select distinct department_key
    from releases
    where department_key is not null

),

resolved as (

    select
        printed_keys.department_key,
        coalesce(department_aliases.department_key, printed_keys.department_key)
            as resolved_department_key,
        department_aliases.alias_key is not null as is_former_name
    from printed_keys
    left join department_aliases
        on printed_keys.department_key = department_aliases.alias_key

)

select
    department_key,
    resolved_department_key,
    substr(md5(resolved_department_key), 1, 12) as department_id,
    is_former_name
from resolved
