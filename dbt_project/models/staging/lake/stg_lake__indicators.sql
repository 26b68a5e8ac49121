with

-- Only the releases an incremental run rewrites (macros/incremental_releases.sql); a constant
-- filter on the hive folder's release_id, so DuckDB opens only those releases' files.
source as (

    select * from {{ read_lake('lake', 'indicators') }}
    where {{ release_scope_filter() }}

),

renamed as (

    select

        ----------  ids
        cast(indicator_id as string) as indicator_id,
        cast(project_id as string) as project_id,
        cast(release_id as string) as release_id,
        cast(indicator_seq as bigint) as indicator_seq,

        ----------  codes (strings, as printed)
        cast(printed_number as bigint) as printed_number,
        cast(level1_code as string) as level1_code,
        cast(level2_code as string) as level2_code,

        ----------  text
        cast(level1_name_zh as string) as level1_name_zh,
        cast(level2_name_zh as string) as level2_name_zh,
        cast(indicator_name_zh as string) as indicator_name_zh,
        cast(description_zh as string) as description_zh,
        cast(period_target_zh as string) as period_target_zh,
        cast(annual_target_zh as string) as annual_target_zh,
        coalesce(cast(flags as string), '') as flags,

        ----------  parsed annual target (the value is exact, in target_unit; not money)
        cast(target_kind as string) as target_kind,
        cast(target_operator as string) as target_operator,
        cast(target_value as decimal(38, 6)) as target_value,
        cast(target_unit as string) as target_unit,
        cast(period_target_kind as string) as period_target_kind,

        ----------  booleans
        coalesce(cast(is_quantified as boolean), false) as is_quantified,

        ----------  provenance
        cast(source_file as string) as source_file,
        cast(source_line as bigint) as source_line

    from source

)

select * from renamed
