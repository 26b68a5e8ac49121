{#-
    Select from a lake source: the one place that knows how an engine reads the Parquet lake
    (adapter-dispatched, like every engine-specific piece of SQL: macros/cross_engine.sql).

    DuckDB reads the source's external_location (read_parquet over the hive folders, set once in
    dbt_project.yml), or a typed empty relation while the table has no file yet.
    Spark reads the table's folder, parquet.`<lake>/parquet/<table>`: release_id comes from the
    folder names and new partitions are seen without a refresh (an external table would need
    MSCK REPAIR after every release).

    On DuckDB, the orchestration writes one Parquet file per table per release, possibly with 0
    rows (see _lake__sources.yml), so every glob normally matches. read_parquet still fails on a
    glob that matches nothing (a fresh lake, or an indicators table not yet written), and one
    missing table should not stop the whole build. The fallback's columns and types are the
    data_type of each column declared in _lake__sources.yml, so the yml stays the one description
    of the lake. The existence check runs only at execution time; `dbt parse` needs no lake at
    all. A staging view built while its table had no file stays empty until the next `dbt build`,
    which the orchestration runs after every release it writes. Spark SQL cannot ask whether a
    folder exists, so on Spark a lake table must have at least one release folder: any lake the
    orchestration has written one release to does.
-#}
{% macro read_lake(source_name, table_name) -%}
    {{ return(adapter.dispatch('read_lake')(source_name, table_name)) }}
{%- endmacro %}

{% macro spark__read_lake(source_name, table_name) -%}
    {#- source() records the lineage (and fails on a table the yml does not declare). -#}
    {%- set relation = source(source_name, table_name) -%}
    parquet.`{{ lake_parquet_dir() }}/{{ table_name }}`
{%- endmacro %}

{#- The Parquet lake's root on engines that read folders (the DuckDB glob in dbt_project.yml
    names the same folder). -#}
{% macro lake_parquet_dir() -%}
    {{ return(env_var('BUDGET_LAKE_DIR', '../data_lake') ~ '/parquet') }}
{%- endmacro %}

{% macro duckdb__read_lake(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if execute and not lake_has_files(relation) -%}
        {{ log("lake table " ~ table_name ~ " has no Parquet files yet: reading it as empty", info=true) }}
        (
            select
            {%- for column in lake_source_columns(source_name, table_name) %}
                cast(null as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
            {%- endfor %}
            where false
        )
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- The glob is the first quoted argument of the source's read_parquet(...) external location. -#}
{% macro lake_has_files(relation) -%}
    {%- set location = relation.render() -%}
    {%- if "read_parquet(" not in location -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set glob_pattern = location.split("'")[1] -%}
    {%- set result = run_query("select count(*) from glob('" ~ glob_pattern ~ "')") -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- Columns (name, data_type) of a source table, in yml order. -#}
{% macro lake_source_columns(source_name, table_name) -%}
    {%- set columns = [] -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == source_name and node.name == table_name -%}
            {%- for column in node.columns.values() -%}
                {%- if column.data_type is none -%}
                    {{ exceptions.raise_compiler_error("source " ~ source_name ~ "." ~ table_name ~ " column " ~ column.name ~ " has no data_type") }}
                {%- endif -%}
                {%- do columns.append({"name": column.name, "data_type": column.data_type}) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if columns | length == 0 -%}
        {{ exceptions.raise_compiler_error("source " ~ source_name ~ "." ~ table_name ~ " declares no columns") }}
    {%- endif -%}
    {{ return(columns) }}
{%- endmacro %}
