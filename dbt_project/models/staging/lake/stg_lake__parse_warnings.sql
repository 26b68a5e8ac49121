with

-- Only the releases an incremental run rewrites (macros/incremental_releases.sql); a constant
-- filter on the hive folder's release_id, so DuckDB opens only those releases' files.
source as (

    select * from {{ read_lake('lake', 'parse_warnings') }}
    where {{ release_scope_filter() }}

),

renamed as (

    select

        ----------  ids
        cast(release_id as string) as release_id,

        ----------  text
        cast(code as string) as warning_code,
        cast(message as string) as message,

        ----------  provenance
        cast(source_file as string) as source_file,
        cast(source_line as bigint) as source_line

    from source

)

select * from renamed
