{#-
    The key a printed level name is matched on against seeds/indicator_framework.csv: trimmed,
    with every ASCII and full-width (U+3000) space removed, because PDF extraction scatters spaces
    inside names (社会 效益指标). The seed goes through the same macro, so both sides compare alike.
    Blank names become null: a level that is not printed is "not printed", never "unknown".
-#}
{% macro level_name_key(expression) -%}
    nullif({{ remove_whitespace('coalesce(' ~ expression ~ ", '')") }}, '')
{%- endmacro %}
