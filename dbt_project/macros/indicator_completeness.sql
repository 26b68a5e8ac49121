{#-
    The completeness figures of indicator sets, aggregated from int_project_indicator_coverage to a
    grain (department: release_id; budget unit: unit_id), so indicator_completeness_by_department
    and indicator_completeness_by_unit compute every figure the same way.

    completeness_score = sum over seeds/completeness_weights.csv of weight x figure_column, where
    each figure_column is a column of the mart in [0, 1]. The weights live only in the seed; the
    CASE below only says which column a figure_column names, and fails loudly (raise_sql_error) on a
    figure_column it does not know, so a seed row can never silently weigh nothing.

    Arguments
      key_columns    the grain's key (joined on to attach the score), e.g. ["release_id"].
      label_columns  descriptive columns of the grain, e.g. ["department_zh"].
-#}

{% macro indicator_completeness(key_columns, label_columns) -%}

{%- set grain = key_columns + label_columns -%}
{%- set figure_columns = [
    "output_coverage_share",
    "effect_coverage_share",
    "satisfaction_coverage_share",
    "cost_coverage_share",
    "quantity_coverage_share",
    "quality_coverage_share",
    "timeliness_coverage_share",
    "quantified_target_share",
    "goal_present_share",
    "placeholder_free_share",
] -%}

with

-- Only the releases an incremental run rewrites (macros/incremental_releases.sql).
coverage as (

    select * from {{ ref('int_project_indicator_coverage') }}
    where {{ release_scope_filter() }}

),

completeness_weights as (

    select * from {{ ref('completeness_weights') }}

),

figures as (

    select
        {{ grain | join(",\n        ") }},

        ----------  counts
        count(*) as project_count,
        -- Integer sums cast to bigint: DuckDB sums integers to a 128-bit HUGEINT, Spark to bigint.
        cast(sum(indicator_count) as bigint) as indicator_count,
        cast(sum(indicator_count) as double) / count(*) as indicators_per_project,

        ----------  level-1 coverage: share of projects with at least one indicator, in [0, 1]
        avg(cast(covers_output as double)) as output_coverage_share,
        avg(cast(covers_effect as double)) as effect_coverage_share,
        avg(cast(covers_satisfaction as double)) as satisfaction_coverage_share,
        avg(cast(covers_cost as double)) as cost_coverage_share,

        ----------  level-2 coverage under 产出, in [0, 1]
        avg(cast(covers_quantity as double)) as quantity_coverage_share,
        avg(cast(covers_quality as double)) as quality_coverage_share,
        avg(cast(covers_timeliness as double)) as timeliness_coverage_share,

        ----------  targets, in [0, 1] (0 when the group has no indicator at all)
        coalesce(
            cast(sum(quantified_target_count) as double) / nullif(sum(indicator_count), 0), 0
        ) as quantified_target_share,
        coalesce(
            cast(sum(level2_resolved_count) as double) / nullif(sum(indicator_count), 0), 0
        ) as level2_resolved_share,
        cast(sum(unknown_level_name_count) as bigint) as unknown_level_name_indicator_count,

        ----------  goals and placeholders, shares of projects in [0, 1]
        avg(cast(has_goal as double)) as goal_present_share,
        avg(cast(not has_placeholder as double)) as placeholder_free_share,
        avg(cast(has_placeholder_or_missing_goal as double)) as placeholder_or_missing_goal_share,
        avg(cast(indicator_count = 0 as double)) as without_indicators_share,

        ----------  the strict rule, share of projects in [0, 1]
        avg(cast(is_strictly_complete as double)) as strictly_complete_share

    from coverage
    group by {{ grain | join(", ") }}

),

scores as (

    select
        {{ key_columns | join(", ") }},
        -- Rounded to 1e-6 so that a perfect group scores 1 exactly, not 1 + a few ulps.
        round(sum(
            cast(completeness_weights.weight as double)
            * case completeness_weights.figure_column
                {%- for column in figure_columns %}
                when '{{ column }}' then figures.{{ column }}
                {%- endfor %}
                else {{ raise_sql_error("'completeness_weights.csv: unknown figure_column ' || completeness_weights.figure_column") }}
            end
        ), 6) as completeness_score
    from figures
    cross join completeness_weights
    group by {{ key_columns | join(", ") }}

)

select
    figures.*,
    scores.completeness_score
from figures
inner join scores
    using ({{ key_columns | join(", ") }})

{%- endmacro %}
