-- share_of_department_total is a fraction: per release and department the shares add up to 1.
-- They are DOUBLE (a ratio, not money), so allow a few ulps per row.
select
    release_id,
    department_zh,
    sum(share_of_department_total) as share_sum,
    count(*) as n_rows
from {{ ref('spending_by_category') }}
group by release_id, department_zh
having max(department_total_wan) <> 0
    and abs(sum(share_of_department_total) - 1) > 1e-9
