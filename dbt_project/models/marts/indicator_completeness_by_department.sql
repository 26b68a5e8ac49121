-- Completeness of the indicator sets of each department's release (one row per release_id): the
-- figures and the score are computed by the indicator_completeness macro, shared with
-- indicator_completeness_by_unit; the weights and the strict requirements are
-- seeds/completeness_weights.csv.
{{ indicator_completeness(key_columns=["release_id"], label_columns=["department_zh"]) }}
