-- completeness_score stays in [0, 1] only if the weights of seeds/completeness_weights.csv sum to 1
-- exactly (decimals, so no rounding slack).
select sum(weight) as weight_sum
from {{ ref('completeness_weights') }}
having sum(weight) <> 1
