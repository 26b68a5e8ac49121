-- Every staged project appears in fct_projects exactly once, with a category (未分类 included).
with

staged as (

    select project_id from {{ ref('stg_lake__projects') }}

),

categorised as (

    select
        project_id,
        count(*) as n_rows,
        count(category_code) as n_categories
    from {{ ref('fct_projects') }}
    group by project_id

)

select
    coalesce(staged.project_id, categorised.project_id) as project_id,
    coalesce(categorised.n_rows, 0) as n_rows,
    coalesce(categorised.n_categories, 0) as n_categories
from staged
full outer join categorised
    on staged.project_id = categorised.project_id
where staged.project_id is null
    or categorised.project_id is null
    or categorised.n_rows <> 1
    or categorised.n_categories <> 1
