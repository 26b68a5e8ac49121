"""Assets, one module per layer: extracted, lake, dbt."""
