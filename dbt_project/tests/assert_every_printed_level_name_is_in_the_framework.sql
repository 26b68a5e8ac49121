{{ config(severity='warn') }}
-- A printed level name that seeds/indicator_framework.csv does not know: reported, not dropped.
-- Warns (the build goes on; the indicator keeps a null dimension) until the seed learns the name.
select * from {{ ref('unknown_indicator_level_names') }}
