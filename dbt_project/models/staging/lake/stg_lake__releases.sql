with

source as (

    select * from {{ read_lake('lake', 'releases') }}

),

renamed as (

    select

        ----------  ids
        cast(release_id as varchar) as release_id,

        ----------  text
        cast(department_zh as varchar) as department_zh,
        cast(department_source as varchar) as department_source,
        cast(department_key as varchar) as department_key,
        cast(layout as varchar) as layout,
        cast(encoding as varchar) as encoding,
        cast(currency_unit_zh as varchar) as currency_unit_zh,
        cast(publisher_zh as varchar) as publisher_zh,
        cast(source_url as varchar) as source_url,
        cast(parser_version as varchar) as parser_version,
        cast(budget_year_source as varchar) as budget_year_source,

        ----------  numerics
        cast(budget_year as bigint) as budget_year,
        cast(n_budget_units as bigint) as n_budget_units,
        cast(n_projects as bigint) as n_projects,
        cast(n_indicators as bigint) as n_indicators,
        cast(source_bytes as bigint) as source_bytes,

        ----------  dates
        cast(published_on as date) as published_on,

        ----------  provenance
        cast(source_file as varchar) as source_file,
        cast(source_sha256 as varchar) as source_sha256,
        cast(source_line as bigint) as source_line

    from source

)

select * from renamed
