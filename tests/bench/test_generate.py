"""The synthetic releases behind ``make bench`` parse, reconcile and are reproducible.

Expected counts come from the generator's own record of what it wrote (units, projects,
indicators, Σ total), never from the parser under test.
"""

from decimal import Decimal
from pathlib import Path

import pytest

from bench.generate import (
    GUANGZHOU,
    SIZE_SPREAD,
    TIANJIN,
    generate_release,
    generate_releases,
    main,
    release_sizes,
)
from lake.contract import SCHEMAS
from lake.frames import release_frames
from parsers.reconciliation import reconcile, summarise
from parsers.release import parse_release

SEED = 3
RELEASES = 10  # one full cycle of layouts: long and short Guangzhou forms, Tianjin
MEAN_KB = 25


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Ten small releases written to disk and parsed once: (generator record, parsed) pairs."""
    folder = tmp_path_factory.mktemp("generated")
    pairs = []
    for release in generate_releases(SEED, RELEASES, MEAN_KB):
        path = folder / f"{release.release_id}.txt"
        path.write_text(release.text, encoding="utf-8")
        pairs.append((release, parse_release(path)))
    return pairs


def test_generate_covers_both_layouts(generated):
    layouts = {record.layout for record, _ in generated}
    parsed = {release_frames(parsed)["releases"]["layout"].iloc[0] for _, parsed in generated}

    assert layouts == {GUANGZHOU, TIANJIN}
    assert parsed == {GUANGZHOU, TIANJIN}


def test_generate_counts_match_what_the_parser_reads(generated):
    for record, parsed in generated:
        tables = release_frames(parsed)
        assert len(tables["budget_units"]) == record.n_units, record.release_id
        assert len(tables["projects"]) == record.n_projects, record.release_id
        assert len(tables["indicators"]) == record.n_indicators, record.release_id
        assert sum(tables["projects"]["total_wan"]) == Decimal(record.total_cents_of_wan) / 100


def test_generate_reconciles_with_zero_mismatches(generated):
    for record, parsed in generated:
        counts = summarise(reconcile(release_frames(parsed)))
        assert counts["mismatch"] == 0, record.release_id
        assert counts["rounding"] == 0, record.release_id
        assert counts["exact"] > 0, record.release_id


def test_generate_passes_every_pandera_schema(generated):
    for _, parsed in generated:
        for table, frame in release_frames(parsed).items():
            SCHEMAS[table].validate(frame, lazy=True)


def test_generate_uses_every_indicator_form_and_the_bond_table(generated):
    texts = "\n".join(record.text for record, _ in generated)

    assert "；实施周期指标值:" in texts or "；实施周期指标值：" in texts  # long form
    assert "、产出指标：" in texts  # short form
    assert "\t专项债券资金" in texts and "\t金额（元）" in texts  # bond table in 元
    flags = {
        flag
        for _, parsed in generated
        for cell in release_frames(parsed)["projects"]["flags"]
        for flag in cell.split(";")
    }
    assert {"bond_table", "converted_from_yuan", "page_break_fragment_joined"} <= flags


def test_generate_is_deterministic_for_a_seed():
    first = [r.text for r in generate_releases(SEED, 4, MEAN_KB)]
    again = [r.text for r in generate_releases(SEED, 4, MEAN_KB)]
    other = [r.text for r in generate_releases(SEED + 1, 4, MEAN_KB)]

    assert first == again
    assert first != other


def test_generate_sizes_stay_in_the_requested_range():
    sizes = release_sizes(SEED, 40, MEAN_KB)
    low, high = MEAN_KB * 1000 * (1 - SIZE_SPREAD), MEAN_KB * 1000 * (1 + SIZE_SPREAD)
    for index, target in enumerate(sizes[:RELEASES]):
        actual = generate_release(SEED, index, target).size_bytes
        assert low * 0.9 <= actual <= high * 1.15, (index, target, actual)
    assert abs(sum(sizes) / len(sizes) - MEAN_KB * 1000) < 0.15 * MEAN_KB * 1000


def test_generate_command_writes_the_requested_number_of_files(tmp_path: Path):
    assert main(["--out", str(tmp_path), "--releases", "3", "--seed", "1", "--mean-kb", "10"]) == 0

    files = sorted(tmp_path.glob("*.txt"))
    assert [f.name for f in files] == [
        "gen-s1-00000-gz.txt",
        "gen-s1-00001-tj.txt",
        "gen-s1-00002-gz.txt",
    ]


def test_peak_memory_counts_at_least_this_process():
    from bench.memory import PeakMemory, tree_rss_mb

    with PeakMemory(interval_s=0.05) as memory:
        buffer = bytearray(50 * 1024 * 1024)
    assert memory.peak_mb >= tree_rss_mb() - 1 and memory.peak_mb > 50
    del buffer


@pytest.fixture(scope="module")
def generated_years(tmp_path_factory):
    """Two budget years of three departments, written with sidecars and parsed once."""
    import json

    from bench.generate import generate_budget_years

    years = generate_budget_years(seed=SEED, years=(2024, 2025), departments=3)
    folder = tmp_path_factory.mktemp("years")
    paths = years.write(folder)
    parsed = [
        parse_release(path, json.loads(path.with_suffix(".meta.json").read_text("utf-8")))
        for path in paths
    ]
    return years, parsed


def test_generate_budget_years_counts_match_what_the_parser_reads(generated_years):
    years, parsed = generated_years
    for item, release in zip(years.releases, parsed, strict=True):
        tables = release_frames(release)
        assert len(tables["projects"]) == item.release.n_projects, item.release.release_id
        assert len(tables["indicators"]) == item.release.n_indicators, item.release.release_id
        total = sum(tables["projects"]["total_wan"])
        assert total == Decimal(item.release.total_cents_of_wan) / 100


def test_generate_budget_years_states_each_year_by_sidecar_or_title(generated_years):
    years, parsed = generated_years
    found = {
        (
            release_frames(r)["releases"]["budget_year"].iloc[0],
            release_frames(r)["releases"]["layout"].iloc[0],
        )
        for r in parsed
    }
    sources = {
        layout: release_frames(r)["releases"]["budget_year_source"].iloc[0]
        for r in parsed
        for layout in [release_frames(r)["releases"]["layout"].iloc[0]]
    }
    assert {year for year, _ in found} == {2024, 2025}
    assert sources == {GUANGZHOU: "document", TIANJIN: "sidecar"}
    assert [item.budget_year for item in years.releases] == [
        release_frames(r)["releases"]["budget_year"].iloc[0] for r in parsed
    ]


def test_generate_budget_years_renames_one_department_and_supersedes_a_draft(generated_years):
    years, _ = generated_years
    names = {item.department_zh for item in years.releases}
    assert {"广州市卫生和计划生育委员会", "广州市卫生健康委员会"} <= names
    assert sum(not item.is_current for item in years.releases) == 1


def test_generate_budget_years_carries_adds_ends_and_changes_projects(generated_years):
    years, _ = generated_years
    statuses = {truth.status for truth in years.projects if truth.budget_year == 2025}
    assert statuses == {"new", "ended", "changed", "unchanged"}


def test_generate_command_writes_budget_years_with_sidecars(tmp_path: Path):
    assert main(["--out", str(tmp_path), "--budget-years", "2024,2025", "--departments", "2"]) == 0
    assert len(list(tmp_path.glob("*.txt"))) == len(list(tmp_path.glob("*.meta.json"))) == 5
