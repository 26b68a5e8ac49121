-- One row per declared or derivable figure, with its verdict: exact, rounding or mismatch.
-- The figures, the tolerance and the verdict come from the lake as parsers/reconciliation.py
-- computed them (the same rows the blocking Dagster checks judged): this mart only adds an id.

with

figures as (

    select * from {{ ref('stg_lake__reconciliation') }}
    where {{ release_scope_filter() }}

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
            cast(source_line as string)
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
        status,
        source_file,
        source_line
    from figures

)

select * from final
