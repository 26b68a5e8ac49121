{#-
    Fails with one row per column of `column_names` that holds a value outside [min_value,
    max_value] (bounds inclusive, as SQL `between`): the column's name, its number of rows out of
    range and the smallest and largest such value. One model-level test instead of an
    expression_is_true `between` on each column (one dbt node and one Dagster check per model and
    rule instead of one per column); the model is read once. Leave min_value or max_value out for a
    one-sided bound. Nulls pass, as in expression_is_true: list the column in the model's
    expect_columns_not_null where null matters. `where:` / `severity:` configs work as for any
    generic test; `--store-failures` (or the compiled SQL) shows the rows, i.e. which columns.

    List the columns in the model's column order:
        data_tests:
          - expect_columns_between:
              arguments:
                column_names: [output_coverage_share, effect_coverage_share]
                min_value: 0
                max_value: 1
-#}
{% test expect_columns_between(model, column_names, min_value=none, max_value=none) %}

{%- if column_names is string or not column_names -%}
    {{ exceptions.raise_compiler_error(
        "expect_columns_between on " ~ model ~ ": column_names must be a non-empty list") }}
{%- endif %}
{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error(
        "expect_columns_between on " ~ model ~ ": give min_value, max_value or both") }}
{%- endif %}

with

out_of_range as (

    select
        {%- for column in column_names %}
        {%- set bounds = [] %}
        {%- if min_value is not none %}{% do bounds.append(column ~ " < " ~ min_value) %}{% endif %}
        {%- if max_value is not none %}{% do bounds.append(column ~ " > " ~ max_value) %}{% endif %}
        {%- set is_out = bounds | join(" or ") %}
        count(case when {{ is_out }} then 1 end) as n_out_{{ loop.index }},
        min(case when {{ is_out }} then {{ column }} end) as min_out_{{ loop.index }},
        max(case when {{ is_out }} then {{ column }} end) as max_out_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

)

{% for column in column_names -%}
select
    '{{ column }}' as column_name,
    n_out_{{ loop.index }} as n_out_of_range_rows,
    min_out_{{ loop.index }} as min_out_of_range_value,
    max_out_{{ loop.index }} as max_out_of_range_value
from out_of_range
where n_out_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif -%}
{% endfor %}

{% endtest %}
