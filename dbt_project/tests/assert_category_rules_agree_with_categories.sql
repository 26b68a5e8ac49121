-- The names repeated in category_rules.csv (for readability) must be those of categories.csv.
select
    category_rules.rule_id,
    category_rules.category_code,
    category_rules.category_zh,
    category_rules.category_en,
    categories.category_zh as expected_category_zh,
    categories.category_en as expected_category_en
from {{ ref('category_rules') }} as category_rules
left join {{ ref('categories') }} as categories
    on category_rules.category_code = categories.category_code
where categories.category_zh is distinct from category_rules.category_zh
    or categories.category_en is distinct from category_rules.category_en
