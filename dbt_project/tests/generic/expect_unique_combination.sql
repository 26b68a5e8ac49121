{#- Fails on every combination of `columns` that occurs more than once (a composite key). -#}
{% test expect_unique_combination(model, columns) %}

select
    {{ columns | join(", ") }},
    count(*) as n_rows
from {{ model }}
group by {{ columns | join(", ") }}
having count(*) > 1

{% endtest %}
