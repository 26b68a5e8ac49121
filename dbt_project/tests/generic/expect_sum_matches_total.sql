{#-
    Children sum to their parent: for each group, sum(model.column_name) must equal
    sum(total_model.total_column) within a named tolerance (PUDL's
    expect_subcomponents_sum_to_total, across two relations instead of within one).

    Arguments
      column_name             the child amount, in 万元.
      group_by_columns        the grain both sides are summed to (e.g. ["release_id"]).
      total_model             relation holding the parent figure (e.g. ref('fct_projects')).
      total_column            the parent amount, in 万元; summed per group too, so it may be a
                              detail table (fct_projects) or already one row per group.
      tolerance_wan           absolute slack per group, in 万元. 0 means exact: use it where both
                              sides are sums of the same printed figures, so only a lost or
                              double-counted row can break the identity. Printed figures against
                              printed totals are reconciled once, in Python (the lake table
                              reconciliation), not with this test.
      allow_missing_total     when true, groups with children but no parent row are skipped
                              (the parent only exists for some groups, e.g. declared subtotals).
      row_condition, total_condition  optional filters on each side.

    Returns the failing groups, with both sums, their difference and the slack allowed.
-#}
{% test expect_sum_matches_total(
    model,
    column_name,
    group_by_columns,
    total_model,
    total_column,
    tolerance_wan=0,
    allow_missing_total=false,
    row_condition=none,
    total_condition=none
) %}

{%- set keys = group_by_columns | join(", ") -%}

with

children as (

    select
        {{ keys }},
        sum({{ column_name }}) as children_sum_wan,
        count({{ column_name }}) as n_children
    from {{ model }}
    {% if row_condition is not none -%} where {{ row_condition }} {%- endif %}
    group by {{ keys }}

),

parents as (

    select
        {{ keys }},
        sum({{ total_column }}) as parent_total_wan
    from {{ total_model }}
    {#- Scoped like the children (the test's where, macros/incremental_releases.sql): a parent of
        a release outside the scope would otherwise count as a parent whose children are lost. #}
    {#- `where true and (…)`: on Spark, `<table> where (…)` parses as an alias with a column list. #}
    where true and ({{ total_condition if total_condition is not none else 'true' }})
    {%- if '__changed_releases__' in (config.get('where') or '') and test_is_release_scoped() %}
        and {{ changed_releases_scope() }}
    {%- endif %}
    group by {{ keys }}

),

compared as (

    select
        {{ keys }},
        parents.parent_total_wan,
        children.children_sum_wan,
        coalesce(children.n_children, 0) as n_children,
        -- A parent with no children compares against zero: its children went missing, which
        -- must fail unless the parent itself is zero.
        coalesce(parents.parent_total_wan, 0) - coalesce(children.children_sum_wan, 0)
            as difference_wan,
        cast({{ tolerance_wan }} as decimal(18, 3)) as allowed_difference_wan,
        parents.parent_total_wan is null as is_missing_total
    from parents
    full outer join children using ({{ keys }})

)

select *
from compared
where
    -- Children with no parent row: an orphan group is an error (a release or unit the parent
    -- side lost), unless the caller says parents exist only for some groups.
    (is_missing_total and not {{ "true" if allow_missing_total else "false" }})
    -- Both sides present (or the parent alone): the gap must stay within the named slack.
    or (not is_missing_total and abs(difference_wan) > allowed_difference_wan)

{% endtest %}
