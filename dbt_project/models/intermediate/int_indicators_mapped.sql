-- Every indicator with its printed level names mapped to canonical dimensions through
-- seeds/indicator_framework.csv. What is printed is kept; nothing is dropped: a name the seed does
-- not know leaves its dimension null and sets has_unknown_level_name (reported in
-- marts.unknown_indicator_level_names).
--
-- How a dimension is decided, in order:
--   level 2: the level-2 slot read as a level-2 name; else, when the level-1 slot holds a level-2
--            name (数量指标 printed as level 1), that name.
--   level 1: the parent of the level-2 dimension so decided (14-成本指标 under 产出 is cost,
--            22-社会效益 under 1-产出 is effect); else the level-1 slot read as a level-1 name;
--            else a level-1 name printed in the level-2 slot.

with

indicators as (

    select
        *,
        {{ level_name_key('level1_name_zh') }} as level1_key,
        {{ level_name_key('level2_name_zh') }} as level2_key
    from {{ ref('stg_lake__indicators') }}

),

framework as (

    select
        *,
        {{ level_name_key('printed_name_zh') }} as name_key
    from {{ ref('indicator_framework') }}

),

level1_names as (

    select * from framework where framework_level = 1

),

level2_names as (

    select * from framework where framework_level = 2

),

looked_up as (

    select
        indicators.*,

        -- each slot read at its own level, and at the other level (a misplaced name)
        level1_as_level1.level1_dimension as slot1_level1_dimension,
        level2_as_level2.name_key is not null as is_slot2_level2_name,
        level1_as_level1.name_key is not null as is_slot1_level1_name,
        level1_as_level2.name_key is not null as is_slot1_level2_name,
        level2_as_level1.name_key is not null as is_slot2_level1_name,

        -- the row that decides level 2, if any: the level-2 slot read as a level-2 name, else a
        -- level-2 name printed in the level-1 slot (only when that slot holds no level-1 name)
        case
            when level2_as_level2.name_key is not null then 'level2_slot'
            when level1_as_level1.name_key is null and level1_as_level2.name_key is not null
                then 'level1_slot'
        end as level2_decided_by,
        {%- for field in ["level2_dimension", "level2_zh", "level2_en", "level1_dimension", "level1_zh", "level1_en", "framework"] %}
        case
            when level2_as_level2.name_key is not null then level2_as_level2.{{ field }}
            when level1_as_level1.name_key is null then level1_as_level2.{{ field }}
        end as decided_{{ field }},
        {%- endfor %}

        level1_as_level1.level1_zh as slot1_level1_zh,
        level1_as_level1.level1_en as slot1_level1_en,
        level1_as_level1.framework as slot1_framework,
        level2_as_level1.level1_dimension as slot2_level1_dimension,
        level2_as_level1.level1_zh as slot2_level1_zh,
        level2_as_level1.level1_en as slot2_level1_en,
        level2_as_level1.framework as slot2_framework

    from indicators
    left join level1_names as level1_as_level1
        on indicators.level1_key = level1_as_level1.name_key
    left join level2_names as level1_as_level2
        on indicators.level1_key = level1_as_level2.name_key
    left join level2_names as level2_as_level2
        on indicators.level2_key = level2_as_level2.name_key
    left join level1_names as level2_as_level1
        on indicators.level2_key = level2_as_level1.name_key

),

final as (

    select
        ----------  ids
        indicator_id,
        project_id,
        release_id,
        indicator_seq,

        ----------  levels as printed
        printed_number,
        level1_code,
        level1_name_zh,
        level2_code,
        level2_name_zh,

        ----------  canonical dimensions (indicator_framework.csv)
        coalesce(decided_level1_dimension, slot1_level1_dimension, slot2_level1_dimension)
            as level1_dimension,
        case
            when decided_level1_dimension is not null then decided_level1_zh
            when slot1_level1_dimension is not null then slot1_level1_zh
            else slot2_level1_zh
        end as level1_dimension_zh,
        case
            when decided_level1_dimension is not null then decided_level1_en
            when slot1_level1_dimension is not null then slot1_level1_en
            else slot2_level1_en
        end as level1_dimension_en,
        decided_level2_dimension as level2_dimension,
        decided_level2_zh as level2_dimension_zh,
        decided_level2_en as level2_dimension_en,
        case
            when decided_level2_dimension is not null then decided_framework
            when slot1_level1_dimension is not null then slot1_framework
            else slot2_framework
        end as framework,

        ----------  how the printed names fared
        (level1_key is null or is_slot1_level1_name or is_slot1_level2_name)
            and (level2_key is null or is_slot2_level2_name or is_slot2_level1_name)
            as is_level_name_known,
        (not is_slot1_level1_name and is_slot1_level2_name)
            or (not is_slot2_level2_name and is_slot2_level1_name)
            as is_level_misplaced,
        -- A level 2 printed under another level 1 than its own, beyond the pre-2021 framework's
        -- 14-成本指标 under 产出 (e.g. 22-社会效益 under 1-产出).
        coalesce(
            level2_decided_by = 'level2_slot'
            and slot1_level1_dimension is not null
            and slot1_level1_dimension <> decided_level1_dimension
            and not (slot1_level1_dimension = 'output' and decided_level2_dimension = 'cost'),
            false
        ) as is_level2_outside_printed_level1,

        ----------  the indicator
        indicator_name_zh,
        description_zh,
        period_target_zh,
        annual_target_zh,

        ----------  parsed annual target
        target_kind,
        target_operator,
        target_value,
        target_unit,
        is_quantified,
        period_target_kind,

        ----------  flags and provenance
        flags,
        source_file,
        source_line

    from looked_up

)

select * from final
