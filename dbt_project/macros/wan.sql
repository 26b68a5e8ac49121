{#-
    Money in this project is always 万元 as DECIMAL(18,2): exact, never float. The lake already holds
    万元 (parsers convert 元 on the way in), so this is a cast, kept in one place like jaffle-shop's
    cents_to_dollars.
-#}
{% macro wan(expression) -%}
    cast({{ expression }} as decimal(18, 2))
{%- endmacro %}
