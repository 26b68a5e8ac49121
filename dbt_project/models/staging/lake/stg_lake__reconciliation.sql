with

-- Only the releases an incremental run rewrites (macros/incremental_releases.sql); a constant
-- filter on the hive folder's release_id, so DuckDB opens only those releases' files.
source as (

    select * from {{ read_lake('lake', 'reconciliation') }}
    where {{ release_scope_filter() }}

),

renamed as (

    select

        ----------  ids
        cast(release_id as string) as release_id,
        cast(unit_id as string) as unit_id,
        cast(project_id as string) as project_id,

        ----------  what is compared
        cast(check_name as string) as check_name,
        cast(level as string) as level,
        cast(subject as string) as subject,
        cast(entity_name_zh as string) as entity_name_zh,
        cast(funding_source as string) as funding_source,

        ----------  figures (万元) and verdict, as parsers/reconciliation.py computed them
        {{ wan('declared_wan') }} as declared_wan,
        {{ wan('computed_wan') }} as computed_wan,
        {{ wan('difference_wan') }} as difference_wan,
        cast(tolerance_wan as decimal(18, 3)) as tolerance_wan,
        cast(n_summed as bigint) as n_summed,
        cast(status as string) as status,

        ----------  provenance
        cast(source_file as string) as source_file,
        cast(source_line as bigint) as source_line

    from source

)

select * from renamed
