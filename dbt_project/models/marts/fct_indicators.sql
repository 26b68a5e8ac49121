-- One row per performance indicator (绩效指标), with its project's department and budget unit, the
-- level names as printed, the canonical dimensions of seeds/indicator_framework.csv and the parsed
-- annual target.

with

indicators as (

    select * from {{ ref('int_indicators_mapped') }}
    where {{ release_scope_filter() }}

),

projects as (

    select * from {{ ref('fct_projects') }}
    where {{ release_scope_filter() }}

),

final as (

    select
        ----------  ids
        indicators.indicator_id,
        indicators.project_id,
        indicators.release_id,

        ----------  who and which project
        projects.department_zh,
        projects.unit_id,
        projects.unit_name_zh,
        projects.project_name_zh,

        ----------  position and levels as printed
        indicators.indicator_seq,
        indicators.printed_number,
        indicators.level1_code,
        indicators.level1_name_zh,
        indicators.level2_code,
        indicators.level2_name_zh,

        ----------  canonical dimensions
        indicators.level1_dimension,
        indicators.level1_dimension_zh,
        indicators.level1_dimension_en,
        indicators.level2_dimension,
        indicators.level2_dimension_zh,
        indicators.level2_dimension_en,
        indicators.framework,
        indicators.is_level_name_known,
        indicators.is_level_misplaced,
        indicators.is_level2_outside_printed_level1,

        ----------  the indicator and its targets as printed
        indicators.indicator_name_zh,
        indicators.description_zh,
        indicators.period_target_zh,
        indicators.annual_target_zh,

        ----------  parsed annual target
        indicators.target_kind,
        indicators.target_operator,
        indicators.target_value,
        indicators.target_unit,
        indicators.is_quantified,
        indicators.period_target_kind,

        ----------  flags and provenance
        indicators.flags,
        indicators.source_file,
        indicators.source_line

    from indicators
    left join projects
        on indicators.project_id = projects.project_id

)

select * from final
