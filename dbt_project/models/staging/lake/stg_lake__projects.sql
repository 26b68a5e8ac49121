with

-- Only the releases an incremental run rewrites (macros/incremental_releases.sql); a constant
-- filter on the hive folder's release_id, so DuckDB opens only those releases' files.
source as (

    select * from {{ read_lake('lake', 'projects') }}
    where {{ release_scope_filter() }}

),

renamed as (

    select

        ----------  ids
        cast(project_id as string) as project_id,
        cast(release_id as string) as release_id,
        cast(unit_id as string) as unit_id,
        cast(project_seq as bigint) as project_seq,

        ----------  text
        cast(unit_name_zh as string) as unit_name_zh,
        cast(project_name_zh as string) as project_name_zh,
        cast(project_name_key as string) as project_name_key,
        cast(goal_zh as string) as goal_zh,
        cast(purpose_zh as string) as purpose_zh,
        cast(indicators_raw_zh as string) as indicators_raw_zh,
        cast(currency_unit_zh as string) as currency_unit_zh,
        cast(amount_conversion as string) as amount_conversion,
        coalesce(cast(flags as string), '') as flags,

        ----------  amounts (万元)
        {{ wan('total_wan') }} as total_wan,
        {{ wan('fiscal_wan') }} as fiscal_wan,
        {{ wan('special_account_wan') }} as special_account_wan,
        {{ wan('other_wan') }} as other_wan,
        {{ wan('bond_wan') }} as bond_wan,

        ----------  counts
        cast(n_indicators as bigint) as n_indicators,

        ----------  booleans
        coalesce(cast(is_classified as boolean), false) as is_classified,
        coalesce(cast(is_bond_table as boolean), false) as is_bond_table,

        ----------  provenance
        cast(source_file as string) as source_file,
        cast(source_line as bigint) as source_line,
        cast(source_line_end as bigint) as source_line_end

    from source

)

select * from renamed
