-- Every project gets exactly one purpose category: the matching keyword rule with the best
-- (lowest) priority, ties broken by the longest keyword, then the lowest rule_id; projects no rule
-- matches are 'uncategorised'. The rules are data (seeds/category_rules.csv), not code.

with

-- Only the releases an incremental run rewrites (macros/incremental_releases.sql).
projects as (

    select * from {{ ref('stg_lake__projects') }}
    where {{ release_scope_filter() }}

),

category_rules as (

    select * from {{ ref('category_rules') }}

),

categories as (

    select * from {{ ref('categories') }}

),

matchable_projects as (

    -- The normalised key (NFKC, no whitespace) is what keywords match against; the printed name
    -- with spaces removed stands in where a key is missing. Upper case, so Latin codes such as
    -- GZIT match however they are typed.
    select
        project_id,
        upper(coalesce(
            nullif(project_name_key, ''),
            replace(project_name_zh, ' ', '')
        )) as match_text
    from projects

),

rule_matches as (

    select
        matchable_projects.project_id,
        category_rules.rule_id,
        category_rules.keyword_zh,
        category_rules.category_code,
        row_number() over (
            partition by matchable_projects.project_id
            order by
                category_rules.priority asc,
                length(category_rules.keyword_zh) desc,
                category_rules.rule_id asc
        ) as match_rank
    from matchable_projects
    inner join category_rules
        on contains(matchable_projects.match_text, upper(category_rules.keyword_zh))

),

best_matches as (

    select * from rule_matches where match_rank = 1

),

categorised as (

    select
        projects.*,
        coalesce(best_matches.category_code, 'uncategorised') as category_code,
        best_matches.rule_id as category_rule_id,
        best_matches.keyword_zh as category_keyword_zh
    from projects
    left join best_matches
        on projects.project_id = best_matches.project_id

)

select
    categorised.*,
    categories.category_zh,
    categories.category_en
from categorised
left join categories
    on categorised.category_code = categories.category_code
