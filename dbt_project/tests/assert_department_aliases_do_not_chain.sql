-- Fails on each alias whose target is itself an alias (see _singular_tests.yml).
select
    aliases.alias_key,
    aliases.department_key,
    chained.department_key as chained_to
from {{ ref('department_aliases') }} as aliases
inner join {{ ref('department_aliases') }} as chained
    on aliases.department_key = chained.alias_key
