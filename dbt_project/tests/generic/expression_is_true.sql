{#-
    Fails on every row where `expression` is false (jaffle-shop's accounting identities, written
    here because the project uses no packages). Rows where the expression is null pass, as in
    dbt_utils: list the column in the model's expect_columns_not_null where null matters. Used at
    column level, the column name is prefixed, so `expression: ">= 0"` on `total_wan` reads
    `total_wan >= 0`.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not ({{ column_name ~ " " if column_name is not none }}{{ expression }})

{% endtest %}
