{#-
    Schemas are exactly the folder's +schema (staging, intermediate, marts, seeds), never dbt's
    default "<target_schema>_<custom>": Dagster, notebooks and the docs all name `marts.fct_projects`.
    Nodes without a custom schema land in the target schema (main).
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
