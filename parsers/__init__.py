"""Plain-Python parsers: raw release text in, validated frames out. No Dagster, no DuckDB."""
