-- Money per purpose category, for each release, department and budget unit, with each
-- category-unit's share of its department's total. Sums of DECIMAL(18,2) stay exact, so the
-- categories add up to the department total to the fen (tested in spending_by_category.yml).

{%- set amounts = ["total", "fiscal", "special_account", "other", "bond"] %}

with

projects as (

    select * from {{ ref('fct_projects') }}
    where {{ release_scope_filter() }}

),

by_category as (

    select
        release_id,
        department_zh,
        unit_id,
        unit_name_zh,
        category_code,
        category_zh,
        category_en,
        count(*) as project_count,
        {%- for amount in amounts %}
        {{ wan("sum(" ~ amount ~ "_wan)") }} as {{ amount }}_wan{{ "," if not loop.last }}
        {%- endfor %}
    from projects
    group by
        release_id,
        department_zh,
        unit_id,
        unit_name_zh,
        category_code,
        category_zh,
        category_en

),

department_totals as (

    select
        release_id,
        {{ wan("sum(total_wan)") }} as department_total_wan
    from projects
    group by release_id

),

final as (

    select
        by_category.*,
        department_totals.department_total_wan,
        -- A fraction in [0, 1], not a percentage; null when the department total is zero.
        cast(by_category.total_wan as double)
            / nullif(cast(department_totals.department_total_wan as double), 0)
            as share_of_department_total
    from by_category
    inner join department_totals
        on by_category.release_id = department_totals.release_id

)

select * from final
