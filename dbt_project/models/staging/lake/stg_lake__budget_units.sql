with

-- Only the releases an incremental run rewrites (macros/incremental_releases.sql); a constant
-- filter on the hive folder's release_id, so DuckDB opens only those releases' files.
source as (

    select * from {{ read_lake('lake', 'budget_units') }}
    where {{ release_scope_filter() }}

),

renamed as (

    select

        ----------  ids
        cast(unit_id as string) as unit_id,
        cast(release_id as string) as release_id,
        cast(unit_code as string) as unit_code,
        cast(unit_seq as bigint) as unit_seq,

        ----------  text
        cast(unit_name_zh as string) as unit_name_zh,
        cast(unit_name_key as string) as unit_name_key,

        ----------  declared subtotals (万元); null where the document declares none
        {{ wan('declared_total_wan') }} as declared_total_wan,
        {{ wan('declared_fiscal_wan') }} as declared_fiscal_wan,
        {{ wan('declared_special_account_wan') }} as declared_special_account_wan,
        {{ wan('declared_other_wan') }} as declared_other_wan,

        ----------  booleans
        coalesce(cast(has_declared_totals as boolean), false) as has_declared_totals,

        ----------  provenance
        cast(source_file as string) as source_file,
        cast(source_line as bigint) as source_line

    from source

)

select * from renamed
