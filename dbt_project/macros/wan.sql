{#-
    Money in this project is always 万元 as DECIMAL(18,2): exact, never float. The lake already holds
    万元 (parsers convert 元 on the way in), so this is a cast, kept in one place like jaffle-shop's
    cents_to_dollars.
-#}
{% macro wan(expression) -%}
    cast({{ expression }} as decimal(18, 2))
{%- endmacro %}

{#-
    Printed amounts carry two decimals, so each printed figure may be off by up to half a cent of
    万元. n summed figures may drift by up to n x 0.005 万元
    (docs/domain.md#money-rounding-and-reconciliation). Decimal, so comparisons with decimal
    differences stay exact.
-#}
{% macro rounding_tolerance_wan(n_figures) -%}
    cast(cast({{ var('rounding_tolerance_per_figure_wan', '0.005') }} as decimal(18, 3)) * {{ n_figures }} as decimal(18, 3))
{%- endmacro %}

{#-
    The three verdicts of a reconciliation row. exact: not one fen apart. rounding: within what the
    printed two decimals can explain. mismatch: a real difference someone has to look at.
-#}
{% macro reconciliation_status(difference_wan, tolerance_wan) -%}
    case
        when {{ difference_wan }} = 0 then 'exact'
        when abs({{ difference_wan }}) <= {{ tolerance_wan }} then 'rounding'
        else 'mismatch'
    end
{%- endmacro %}
