with

-- Only the releases an incremental run rewrites (macros/incremental_releases.sql); a constant
-- filter on the hive folder's release_id, so DuckDB opens only those releases' files.
source as (

    select * from {{ read_lake('lake', 'declared_totals') }}
    where {{ release_scope_filter() }}

),

renamed as (

    select

        ----------  ids
        cast(release_id as string) as release_id,

        ----------  text
        cast(subject as string) as subject_zh,

        ----------  declared grand totals (万元)
        {{ wan('total_wan') }} as total_wan,
        {{ wan('fiscal_wan') }} as fiscal_wan,
        {{ wan('special_account_wan') }} as special_account_wan,
        {{ wan('other_wan') }} as other_wan,

        ----------  provenance
        cast(source_file as string) as source_file,
        cast(source_line as bigint) as source_line

    from source

)

select * from renamed
