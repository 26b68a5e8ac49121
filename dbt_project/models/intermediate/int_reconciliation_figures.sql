-- One row per figure that can be checked against a sum of other printed figures, before any
-- verdict: the declared figure, the computed sum and how many non-null figures were summed.
-- Three levels (docs/domain.md#money-rounding-and-reconciliation):
--   release  合计 vs the units' declared subtotals, and 合计 vs the projects, per funding source
--   unit     a declared unit subtotal vs the sum of its projects, per funding source
--   project  a project's total vs the sum of its funding sources
-- 合计 and unit subtotals print no bond column, so bond money is reconciled at project level only.
-- Everything stays DECIMAL: sums of DECIMAL(18,2) are exact in DuckDB.

{%- set declared_sources = ["total", "fiscal", "special_account", "other"] %}

with

declared_totals as (

    select * from {{ ref('stg_lake__declared_totals') }}

),

budget_units as (

    select * from {{ ref('stg_lake__budget_units') }}

),

projects as (

    select * from {{ ref('stg_lake__projects') }}

),

units_declaring as (

    select * from budget_units where has_declared_totals

),

release_unit_sums as (

    select
        release_id,
        {%- for source in declared_sources %}
        sum(declared_{{ source }}_wan) as {{ source }}_sum_wan,
        count(declared_{{ source }}_wan) as {{ source }}_n,
        {%- endfor %}
        count(*) as n_units
    from units_declaring
    group by release_id

),

release_project_sums as (

    select
        release_id,
        {%- for source in declared_sources %}
        sum({{ source }}_wan) as {{ source }}_sum_wan,
        count({{ source }}_wan) as {{ source }}_n{{ "," if not loop.last }}
        {%- endfor %}
    from projects
    group by release_id

),

unit_project_sums as (

    select
        unit_id,
        {%- for source in declared_sources %}
        sum({{ source }}_wan) as {{ source }}_sum_wan,
        count({{ source }}_wan) as {{ source }}_n{{ "," if not loop.last }}
        {%- endfor %}
    from projects
    group by unit_id

),

release_vs_units as (

    -- Only releases where at least one unit declares a subtotal: otherwise there is nothing
    -- derivable to compare 合计 with (Tianjin prints no unit subtotals).
    {%- for source in declared_sources %}
    select
        declared_totals.release_id,
        'release' as level,
        '合计 vs units' as subject,
        declared_totals.subject_zh as entity_name_zh,
        cast(null as varchar) as unit_id,
        cast(null as varchar) as project_id,
        '{{ source }}' as funding_source,
        declared_totals.{{ source }}_wan as declared_wan,
        release_unit_sums.{{ source }}_sum_wan as computed_wan,
        release_unit_sums.{{ source }}_n as n_summed,
        declared_totals.source_file,
        declared_totals.source_line
    from declared_totals
    inner join release_unit_sums
        on declared_totals.release_id = release_unit_sums.release_id
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

release_vs_projects as (

    -- A 合计 with no project at all still gets rows: 0 summed figures, so any non-zero declared
    -- amount is a mismatch.
    {%- for source in declared_sources %}
    select
        declared_totals.release_id,
        'release' as level,
        '合计 vs projects' as subject,
        declared_totals.subject_zh as entity_name_zh,
        cast(null as varchar) as unit_id,
        cast(null as varchar) as project_id,
        '{{ source }}' as funding_source,
        declared_totals.{{ source }}_wan as declared_wan,
        coalesce(release_project_sums.{{ source }}_sum_wan, 0) as computed_wan,
        coalesce(release_project_sums.{{ source }}_n, 0) as n_summed,
        declared_totals.source_file,
        declared_totals.source_line
    from declared_totals
    left join release_project_sums
        on declared_totals.release_id = release_project_sums.release_id
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

unit_vs_projects as (

    {%- for source in declared_sources %}
    select
        units_declaring.release_id,
        'unit' as level,
        'unit subtotal vs projects' as subject,
        units_declaring.unit_name_zh as entity_name_zh,
        units_declaring.unit_id,
        cast(null as varchar) as project_id,
        '{{ source }}' as funding_source,
        units_declaring.declared_{{ source }}_wan as declared_wan,
        coalesce(unit_project_sums.{{ source }}_sum_wan, 0) as computed_wan,
        coalesce(unit_project_sums.{{ source }}_n, 0) as n_summed,
        units_declaring.source_file,
        units_declaring.source_line
    from units_declaring
    left join unit_project_sums
        on units_declaring.unit_id = unit_project_sums.unit_id
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

project_vs_funding_sources as (

    select
        release_id,
        'project' as level,
        'total vs funding sources' as subject,
        project_name_zh as entity_name_zh,
        unit_id,
        project_id,
        'total' as funding_source,
        total_wan as declared_wan,
        coalesce(fiscal_wan, 0)
            + coalesce(special_account_wan, 0)
            + coalesce(other_wan, 0)
            + coalesce(bond_wan, 0) as computed_wan,
        (fiscal_wan is not null)::integer
            + (special_account_wan is not null)::integer
            + (other_wan is not null)::integer
            + (bond_wan is not null)::integer as n_summed,
        source_file,
        source_line
    from projects

),

unioned as (

    select * from release_vs_units
    union all
    select * from release_vs_projects
    union all
    select * from unit_vs_projects
    union all
    select * from project_vs_funding_sources

)

-- A figure the document does not declare (null) has nothing to reconcile; a project with no
-- funding-source figure at all has nothing to reconcile against.
select
    release_id,
    level,
    subject,
    entity_name_zh,
    unit_id,
    project_id,
    funding_source,
    {{ wan('declared_wan') }} as declared_wan,
    {{ wan('computed_wan') }} as computed_wan,
    cast(n_summed as bigint) as n_summed,
    source_file,
    source_line
from unioned
where declared_wan is not null
    and not (level = 'project' and n_summed = 0)
