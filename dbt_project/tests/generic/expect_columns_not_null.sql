{#-
    Fails with one row per column of `column_names` that holds a null: the column's name and its
    number of null rows. One model-level test instead of dbt's not_null on each column: dbt spends
    ~30 ms per test node and Dagster records each as an asset check with its events, so per-column
    not_null tests were most of the nodes of a build; this one reads the model once. The guarantee
    is the same (any null in any listed column fails), and `where:` / `severity:` configs work as for
    any generic test. dbt logs the failing row count; `--store-failures` (or the compiled SQL) shows
    the rows, i.e. which columns.

    List the required columns in the model's column order:
        data_tests:
          - expect_columns_not_null:
              arguments:
                column_names: [project_id, release_id]
-#}
{% test expect_columns_not_null(model, column_names) %}

{%- if column_names is string or not column_names -%}
    {{ exceptions.raise_compiler_error(
        "expect_columns_not_null on " ~ model ~ ": column_names must be a non-empty list") }}
{%- endif %}

with

null_counts as (

    select
        {%- for column in column_names %}
        count(*) - count({{ column }}) as n_null_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

)

{% for column in column_names -%}
select '{{ column }}' as column_name, n_null_{{ loop.index }} as n_null_rows
from null_counts
where n_null_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif -%}
{% endfor %}

{% endtest %}
