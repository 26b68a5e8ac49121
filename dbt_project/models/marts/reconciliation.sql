-- One row per declared or derivable figure, with its verdict: exact, rounding or mismatch.
-- tolerance = 0.005 万元 × the number of printed figures summed
-- (docs/domain.md#money-rounding-and-reconciliation): printed two-decimal figures may each be off
-- by half a fen, so only a gap beyond that is a real mistake.

with

figures as (

    select * from {{ ref('int_reconciliation_figures') }}

),

measured as (

    select
        figures.*,
        {{ wan("figures.declared_wan - figures.computed_wan") }} as difference_wan,
        {{ rounding_tolerance_wan("figures.n_summed") }} as tolerance_wan
    from figures

),

final as (

    select
        md5(concat_ws(
            '|',
            release_id,
            level,
            subject,
            coalesce(unit_id, ''),
            coalesce(project_id, ''),
            funding_source,
            cast(source_line as varchar)
        )) as reconciliation_id,
        release_id,
        level,
        subject,
        entity_name_zh,
        unit_id,
        project_id,
        funding_source,
        declared_wan,
        computed_wan,
        difference_wan,
        tolerance_wan,
        n_summed,
        {{ reconciliation_status("difference_wan", "tolerance_wan") }} as status,
        source_file,
        source_line
    from measured

)

select * from final
