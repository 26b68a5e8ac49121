{#-
    How a row of one budget year is paired with the previous year's: on its key and its
    occurrence among equal keys (the k-th project of a name in a unit, or the k-th indicator of
    a name in a project). Projects (int_project_year_matches) and the indicators of a matched
    project (indicator_target_changes) follow the same rule, so it is written once here.
-#}

{#- How often the key occurs in each year, on every row of the key: a row without a partner
    still needs the other year's count to say whether its pairing is ambiguous. -#}
{% macro equal_key_counts(current_count, previous_count, key_columns) -%}
    coalesce(max({{ current_count }}) over (
            partition by {{ key_columns | join(', ') }}
        ), 0) as n_equal_names,
        coalesce(max({{ previous_count }}) over (
            partition by {{ key_columns | join(', ') }}
        ), 0) as previous_n_equal_names
{%- endmacro %}

{#- The pairing, from equal_key_counts: none (one year only), ambiguous (the key repeats a
    different number of times, so which one is new or ended cannot be told), order_among_equals
    (repeats as often in both years), name (unique in both). -#}
{% macro occurrence_match_method() -%}
    case
        when n_equal_names = 0 or previous_n_equal_names = 0 then 'none'
        when n_equal_names <> previous_n_equal_names then 'ambiguous'
        when n_equal_names > 1 then 'order_among_equals'
        else 'name'
    end
{%- endmacro %}
