with

-- Only the releases an incremental run rewrites (macros/incremental_releases.sql); a constant
-- filter on the hive folder's release_id, so DuckDB opens only those releases' files.
source as (

    select * from {{ read_lake('lake', 'releases') }}
    where {{ release_scope_filter() }}

),

renamed as (

    select

        ----------  ids
        cast(release_id as string) as release_id,

        ----------  text
        cast(department_zh as string) as department_zh,
        cast(department_source as string) as department_source,
        cast(department_key as string) as department_key,
        cast(layout as string) as layout,
        cast(encoding as string) as encoding,
        cast(currency_unit_zh as string) as currency_unit_zh,
        cast(publisher_zh as string) as publisher_zh,
        cast(source_url as string) as source_url,
        cast(parser_version as string) as parser_version,
        cast(budget_year_source as string) as budget_year_source,

        ----------  numerics
        cast(budget_year as bigint) as budget_year,
        cast(n_budget_units as bigint) as n_budget_units,
        cast(n_projects as bigint) as n_projects,
        cast(n_indicators as bigint) as n_indicators,
        cast(source_bytes as bigint) as source_bytes,

        ----------  dates
        cast(published_on as date) as published_on,

        ----------  provenance
        cast(source_file as string) as source_file,
        cast(source_sha256 as string) as source_sha256,
        cast(source_line as bigint) as source_line

    from source

)

select * from renamed
