-- Completeness of the indicator sets of each budget unit (one row per unit_id): same figures and
-- score as indicator_completeness_by_department (the indicator_completeness macro), one level down.
{{ indicator_completeness(key_columns=["unit_id"], label_columns=["release_id", "department_zh", "unit_name_zh"]) }}
