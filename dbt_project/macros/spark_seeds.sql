{#-
    Seeds on Spark (target spark), with their values written as SQL literals.

    dbt-spark 1.11's own spark__load_csv_rows passes each value as a binding, and its session
    method pastes bindings in as '<value>' without escaping: a quote in a value (department's)
    breaks the statement and an empty cell becomes the text 'None' instead of null, so seeds would
    differ from DuckDB's. This override (dbt looks for a dispatched macro in the root project
    first) renders the same insert with literals: null for an empty cell, numbers and booleans
    bare, text quoted with quotes and backslashes escaped. Each value is still cast to the
    column's type (column_types in seeds/_seeds.yml, else the inferred one), as upstream does.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}

  {%- set batch_size = get_batch_size() -%}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set statements = [] -%}

  {%- for chunk in agate_table.rows | batch(batch_size) -%}
      {%- set sql -%}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for col_name in agate_table.column_names -%}
                  {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                  {%- set type = column_override.get(col_name, inferred_type) -%}
                  cast({{ spark_seed_literal(row[loop.index0]) }} as {{ type }})
                  {%- if not loop.last %}, {% endif -%}
              {%- endfor -%})
              {%- if not loop.last %},{% endif %}
          {% endfor %}
      {%- endset -%}
      {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
      {%- if loop.index0 == 0 -%}
          {%- do statements.append(sql) -%}
      {%- endif -%}
  {%- endfor -%}

  {{ return(statements[0]) }}
{% endmacro %}

{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is boolean -%}
        {{ "true" if value else "false" }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
