-- One row per project, with its department, budget unit and purpose category.

with

projects as (

    select * from {{ ref('int_projects_categorised') }}
    where {{ release_scope_filter() }}

),

releases as (

    select * from {{ ref('stg_lake__releases') }}
    where {{ release_scope_filter() }}

),

final as (

    select
        ----------  ids
        projects.project_id,
        projects.release_id,
        projects.unit_id,
        projects.project_seq,

        ----------  who
        releases.department_zh,
        projects.unit_name_zh,

        ----------  what
        projects.project_name_zh,
        projects.category_code,
        projects.category_zh,
        projects.category_en,
        projects.category_rule_id,
        projects.category_keyword_zh,

        ----------  amounts (万元)
        projects.total_wan,
        projects.fiscal_wan,
        projects.special_account_wan,
        projects.other_wan,
        projects.bond_wan,

        ----------  counts
        projects.n_indicators,

        ----------  booleans
        projects.is_classified,
        projects.is_bond_table,
        projects.flags,

        ----------  provenance
        projects.source_file,
        projects.source_line

    from projects
    left join releases
        on projects.release_id = releases.release_id

)

select * from final
