{#-
    Marts keyed by release (docs/scaling.md, "Incremental marts"): each release-grained mart is
    incremental, so a new, changed or removed release rewrites only its own rows.

    - dbt_project.yml makes the marts incremental: delete+insert on unique_key release_id on
      DuckDB, insert_overwrite of partition release_id on Spark (dynamic partition overwrite;
      never without partition_by, which would empty the table on a run with no rows).
    - The environment variable BUDGET_CHANGED_RELEASE_IDS (a JSON list, e.g.
      BUDGET_CHANGED_RELEASE_IDS='["a", "b"]') names the releases that arrived, changed or left
      the lake. On an incremental run the marts then read only those releases
      (release_scope_filter); unset or empty, every release is rewritten, which equals a full
      rebuild. --full-refresh and the first build ignore it. An environment variable rather than
      a dbt var: dbt hashes --vars into its parse state, so a var that changes on every build
      forces a full parse every time. This one is read only while executing (never while
      parsing), so dbt neither records it in the parse state nor reparses when it changes.
    - Before an incremental mart is written, drop_releases_to_rebuild (its pre-hook) deletes the
      rows of the listed releases and of every release no longer in the lake's releases table,
      saying which. Neither strategy would do it alone: both only replace the releases present
      in the new rows, so a removed release, or a changed one left with no rows in a mart, would
      keep its old rows.
    - Tests scope themselves to the same releases through the `__changed_releases__` placeholder
      of their `where` config (get_where_subquery, below); the full suite runs without the list.
-#}

{#- The validated list of changed release ids, or none: while parsing, and when
    BUDGET_CHANGED_RELEASE_IDS is unset or empty. -#}
{% macro changed_release_ids() -%}
    {#- Never read while parsing: dbt would record the variable with the files that read it and
        reparse them whenever it changes (docs.getdbt.com, "Project parsing"). -#}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = env_var('BUDGET_CHANGED_RELEASE_IDS', '') | trim -%}
    {%- if text == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set ids = fromjson(text) -%}
    {%- if ids is none or ids is string or ids is mapping or ids is not iterable -%}
        {{ exceptions.raise_compiler_error(
            "BUDGET_CHANGED_RELEASE_IDS must be a JSON list of release ids, got " ~ text) }}
    {%- endif -%}
    {%- for release_id in ids -%}
        {%- if modules.re.fullmatch('[A-Za-z0-9][A-Za-z0-9._-]*', release_id | string) is none -%}
            {{ exceptions.raise_compiler_error(
                "BUDGET_CHANGED_RELEASE_IDS: " ~ release_id ~ " is not a release id") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(ids | map('string') | list) }}
{%- endmacro %}

{#- `<column> in ('a', 'b')`, or false for no release at all. -#}
{% macro release_id_in(column, ids) -%}
    {%- if ids | length == 0 -%}
        false
    {%- else -%}
        {{ column }} in ('{{ ids | join("', '") }}')
    {%- endif -%}
{%- endmacro %}

{#- A condition for a mart's input: only the changed releases on an incremental run given
    BUDGET_CHANGED_RELEASE_IDS, every release otherwise. -#}
{% macro release_scope_filter(column='release_id') -%}
    {#- The list first: without it, is_incremental() is not even asked (unit tests have no
        relation to ask it about). -#}
    {%- set ids = changed_release_ids() -%}
    {%- if ids is not none and is_incremental() -%}
        {{ release_id_in(column, ids) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of the incremental marts: delete the rows the run is about to rewrite or that
    belong to a release the lake no longer has. Returns the SQL (empty when nothing to delete). -#}
{% macro drop_releases_to_rebuild() -%}
    {%- if not execute or not is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set gone_query -%}
        select distinct release_id from {{ this }}
        where release_id not in ({{ adapter.dispatch('lake_release_ids')() }})
        order by release_id
    {%- endset -%}
    {%- set gone = run_query(gone_query).columns[0].values() | list -%}
    {%- for release_id in gone -%}
        {{ log("release " ~ release_id ~ " is no longer in the lake: removing its rows from "
               ~ this, info=true) }}
    {%- endfor -%}
    {%- set to_drop = [] -%}
    {%- for release_id in (changed_release_ids() or []) + gone -%}
        {%- if release_id not in to_drop -%}
            {%- do to_drop.append(release_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if to_drop | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('delete_releases')(this, to_drop)) }}
{%- endmacro %}

{#- The ids of the releases the lake holds, as a query. Asked once per incremental model of
    every arrival, so on DuckDB it lists the releases table's partition folders instead of
    reading their files: at 1,000 releases 25 ms against 200 (docs/benchmarks.md). The folder
    is the release: the publisher moves a release's partitions in whole, under the lake lock
    the build holds, and a release id needs no escaping in a folder name. -#}
{% macro duckdb__lake_release_ids() -%}
    select distinct regexp_extract(file, '/release_id=([^/]+)/[^/]+$', 1) as release_id
    from glob('{{ lake_parquet_dir() }}/releases/*/*.parquet')
{%- endmacro %}

{% macro default__lake_release_ids() -%}
    select release_id from {{ read_lake('lake', 'releases') }}
{%- endmacro %}

{% macro duckdb__delete_releases(relation, release_ids) -%}
    delete from {{ relation }} where {{ release_id_in('release_id', release_ids) }}
{%- endmacro %}

{#- Parquet tables have no DELETE on Spark; a release is a partition, dropped whole. -#}
{% macro spark__delete_releases(relation, release_ids) -%}
    alter table {{ relation }} drop if exists
    {%- for release_id in release_ids %}
        partition (release_id = '{{ release_id }}'){{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- `true` without BUDGET_CHANGED_RELEASE_IDS, else the condition on release_id. -#}
{% macro changed_releases_scope() -%}
    {%- set ids = changed_release_ids() -%}
    {{ return('true' if ids is none else release_id_in('release_id', ids)) }}
{%- endmacro %}

{#- Whether a generic test reads one release at a time: its model has a release_id column and
    is a staging model (lake rows) or a release-keyed incremental model (marts, and the two
    stored intermediate models). Tests of intermediate views and of marts across releases (year
    over year) always read everything: there one release can change the rows of another. -#}
{% macro test_is_release_scoped() -%}
    {%- set attached = model.get('attached_node') if model is mapping else none -%}
    {%- set node = graph.nodes.get(attached) if attached else none -%}
    {%- if node is none or 'release_id' not in node.get('columns', {}) -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(node.fqn[1] == 'staging' or node.config.materialized == 'incremental') }}
{%- endmacro %}

{#-
    dbt's get_where_subquery plus one placeholder (dbt documents overriding this macro for such
    placeholders): `__changed_releases__` in a test's `where` config becomes the release scope
    (changed_releases_scope) on a test that reads one release at a time (test_is_release_scoped),
    `true` otherwise. dbt_project.yml sets it on every data test, so a data-triggered build given
    BUDGET_CHANGED_RELEASE_IDS tests what changed and the nightly build, without it, tests all.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__changed_releases__' in where -%}
        {%- set scope = changed_releases_scope() if test_is_release_scoped() else 'true' -%}
        {%- set where = where | replace('__changed_releases__', scope) -%}
    {%- endif -%}
    {%- if where and where | trim != 'true' -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}
