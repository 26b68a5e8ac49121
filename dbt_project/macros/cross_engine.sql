{#-
    The only SQL that differs between DuckDB (target dev) and Apache Spark (target spark): every
    model and test calls these macros instead of an engine's own function, so the same project
    builds on both (docs/scaling.md). Each macro is adapter-dispatched: a duckdb__ and a spark__
    version, and a new engine adds its own. Portable spellings need no macro and are used
    directly: `string`, `double`, `bigint` and `decimal(p, s)` in casts, `count(*) filter (where …)`,
    `bool_or` / `bool_and`, `min_by`, `md5`, `concat_ws`, `is distinct from`.
-#}

{#- Stop the query with a message (an unknown seed value must never be skipped silently). -#}
{% macro raise_sql_error(message_expression) -%}
    {{ return(adapter.dispatch('raise_sql_error')(message_expression)) }}
{%- endmacro %}

{% macro duckdb__raise_sql_error(message_expression) -%}
    error({{ message_expression }})
{%- endmacro %}

{% macro spark__raise_sql_error(message_expression) -%}
    raise_error({{ message_expression }})
{%- endmacro %}


{#- The text with every ASCII whitespace and full-width space (U+3000) removed. -#}
{% macro remove_whitespace(expression) -%}
    {{ return(adapter.dispatch('remove_whitespace')(expression)) }}
{%- endmacro %}

{#- RE2 (DuckDB): \s is [\t\n\f\r ]; 'g' replaces every match, not only the first. -#}
{% macro duckdb__remove_whitespace(expression) -%}
    regexp_replace({{ expression }}, '[\t\n\f\r \x{3000}]', '', 'g')
{%- endmacro %}

{#- Java regex (Spark) replaces every match; Spark string literals unescape backslashes, so they
    are doubled to reach the regex engine. Same character class as DuckDB's, spelled out. -#}
{% macro spark__remove_whitespace(expression) -%}
    regexp_replace({{ expression }}, '[\\t\\n\\f\\r \\x{3000}]', '')
{%- endmacro %}


{#- True when `value` is one of the items of the `delimiter`-joined text (flags such as
    `classified;placeholder`). -#}
{% macro delimited_list_contains(list_expression, delimiter, value) -%}
    {{ return(adapter.dispatch('delimited_list_contains')(list_expression, delimiter, value)) }}
{%- endmacro %}

{% macro duckdb__delimited_list_contains(list_expression, delimiter, value) -%}
    list_contains(string_split({{ list_expression }}, '{{ delimiter }}'), '{{ value }}')
{%- endmacro %}

{#- Spark's split takes a regex: the delimiter is quoted so that `;` or `|` mean themselves. -#}
{% macro spark__delimited_list_contains(list_expression, delimiter, value) -%}
    array_contains(split({{ list_expression }}, '\\Q{{ delimiter }}\\E'), '{{ value }}')
{%- endmacro %}


{#- Aggregate: the distinct values of a text column, sorted, joined by `delimiter`. -#}
{% macro distinct_sorted_string_agg(expression, delimiter) -%}
    {{ return(adapter.dispatch('distinct_sorted_string_agg')(expression, delimiter)) }}
{%- endmacro %}

{% macro duckdb__distinct_sorted_string_agg(expression, delimiter) -%}
    string_agg(distinct {{ expression }}, '{{ delimiter }}' order by {{ expression }})
{%- endmacro %}

{% macro spark__distinct_sorted_string_agg(expression, delimiter) -%}
    array_join(array_sort(collect_set({{ expression }})), '{{ delimiter }}')
{%- endmacro %}
