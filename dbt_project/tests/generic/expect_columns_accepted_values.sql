{#-
    Fails with one row per (column, value) where a column of `accepted` holds a value outside its
    list: the column's name, the value (as text) and its number of rows. One model-level test
    instead of dbt's accepted_values on each column (one dbt node and one Dagster check per model
    instead of one per column); the model is read once. Nulls pass, as in accepted_values: list the
    column in the model's expect_columns_not_null where null matters. `where:` / `severity:` configs
    work as for any generic test; `--store-failures` (or the compiled SQL) shows the rows.

    `accepted` maps each column, in the model's column order, to its list of values. A value is
    compared as written in the yml: a string quoted (accepted_values' default), a number unquoted
    (accepted_values' `quote: false`), so write "2021" in quotes for a text column.
        data_tests:
          - expect_columns_accepted_values:
              arguments:
                accepted:
                  level: ["release", "unit", "project"]
                  level_slot: [1, 2]
-#}
{% test expect_columns_accepted_values(model, accepted) %}

{%- if accepted is not mapping or not accepted -%}
    {{ exceptions.raise_compiler_error(
        "expect_columns_accepted_values on " ~ model
        ~ ": accepted must be a non-empty mapping of column to list of values") }}
{%- endif %}
{%- for column, values in accepted.items() %}
    {%- if values is string or values is mapping or not values -%}
        {{ exceptions.raise_compiler_error(
            "expect_columns_accepted_values on " ~ model ~ ": the values of " ~ column
            ~ " must be a non-empty list") }}
    {%- endif %}
{%- endfor %}

with

unaccepted as (

    select
        {%- for column, values in accepted.items() %}
        {%- set literals = [] %}
        {%- for value in values %}
            {%- if value is number %}{% do literals.append(value | string) %}
            {%- else %}{% do literals.append("'" ~ (value | string | replace("'", "''")) ~ "'") %}
            {%- endif %}
        {%- endfor %}
        case
            when {{ column }} not in ({{ literals | join(", ") }}) then cast({{ column }} as string)
        end as unaccepted_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

)

{% for column in accepted -%}
select
    '{{ column }}' as column_name,
    unaccepted_{{ loop.index }} as unaccepted_value,
    count(*) as n_unaccepted_rows
from unaccepted
where unaccepted_{{ loop.index }} is not null
group by unaccepted_{{ loop.index }}
{% if not loop.last %}union all
{% endif -%}
{% endfor %}

{% endtest %}
