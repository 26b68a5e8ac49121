import pytest

from lake.frames import release_frames
from parsers.budget_year import find_document_year, resolve_budget_year
from parsers.release import parse_release

# The header of guangzhou-baiyun-political-legal-committee.txt, with the title as other
# departments print it (the committed samples print no year: their title is the bare
# 项目支出绩效目标表（含转移支付项目）).
GUANGZHOU_HEADER = [
    "",
    "",
    "{title}",
    "",
    "部门名称：中共广州市白云区区委政法委员会（部门）",
    "",
    "单位：万元",
    "",
    "项目名称（资金使用单位）\t总计\t财政拨款\t财政专户拨款\t其他资金\t绩效目标\t绩效指标",
    "合计\t1,989.76\t1,989.76\t\t\t\t",
    "公费医疗超支及自付经费\t7.00\t7.00\t\t\t通过提高政法工作人员医疗补助。\t1、1-产出指标；"
    "11-数量指标；医疗定点报销比例%；实施周期指标值:100%；年度指标值:100%。",
]
# The first lines of tianjin-public-security-bureau.txt: project titles that carry years.
TIANJIN_HEAD = [
    " [bookmark: _Toc157955061]1.督审总队信息化运维经费-2023中央绩效目标表",
    "\t341101天津市公安局警务保障部财务管理处",
    "\t单位：万元",
    "",
    "\t项目名称",
    "\t督审总队信息化运维经费-2023中央",
]


def _header(title: str) -> list[str]:
    return [line.format(title=title) for line in GUANGZHOU_HEADER]


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("2024年度项目支出绩效目标表", 2024),
        ("2025年项目支出绩效目标表（含转移支付项目）", 2025),
        ("中共广州市白云区区委政法委员会2024年部门预算", 2024),
        ("２０２６年度项目支出绩效目标表", 2026),  # full-width digits
        ("2024 年度项目支出绩效目标表", 2024),  # the space PDF extraction leaves
    ],
)
def test_find_document_year_reads_the_title_line(title, year):
    found = find_document_year(_header(title))
    assert (found.year, found.source_line) == (year, 3)


def test_find_document_year_finds_none_in_the_committed_guangzhou_title():
    found = find_document_year(_header("项目支出绩效目标表（含转移支付项目）"))
    assert found.year is None
    assert not found.is_ambiguous


def test_find_document_year_ignores_years_in_project_rows_and_goals():
    lines = _header("项目支出绩效目标表")
    lines.append("政府雇员公用经费\t5.10\t5.10\t\t\t2024年全委共政府雇员编制17人。\t")
    assert find_document_year(lines).year is None


def test_find_document_year_ignores_tianjin_project_titles():
    assert find_document_year(TIANJIN_HEAD).year is None


def test_find_document_year_accepts_the_same_year_repeated_by_page_headers():
    lines = ["2024年度项目支出绩效目标表", "部门名称：广州市公安局", "2024年度项目支出绩效目标表"]
    assert find_document_year(lines).year == 2024


def test_find_document_year_refuses_two_different_years():
    lines = ["2024年度项目支出绩效目标表", "部门名称：广州市公安局", "2025年部门预算"]
    found = find_document_year(lines)
    assert found.year is None
    assert found.conflicting == ((2024, 1), (2025, 3))


def test_resolve_budget_year_prefers_the_sidecar_and_warns_when_the_header_disagrees():
    resolved = resolve_budget_year(2025, _header("2024年度项目支出绩效目标表"))
    assert (resolved.year, resolved.source) == (2025, "sidecar")
    assert [(w.line, w.code) for w in resolved.warnings] == [(3, "budget_year_disagrees")]


def test_resolve_budget_year_warns_when_nothing_states_a_year():
    resolved = resolve_budget_year(None, _header("项目支出绩效目标表"))
    assert (resolved.year, resolved.source) == (None, None)
    assert [w.code for w in resolved.warnings] == ["budget_year_unknown"]


def test_resolve_budget_year_names_the_conflicting_lines_when_ambiguous():
    resolved = resolve_budget_year(None, ["2024年度项目支出绩效目标表", "2025年部门预算"])
    assert resolved.year is None
    assert "2024 (line 1), 2025 (line 2)" in resolved.warnings[0].message


def test_parse_release_takes_the_year_from_the_document_title(write_release):
    path = write_release("demo.txt", "\n".join(_header("2024年度项目支出绩效目标表")) + "\n")
    tables = release_frames(parse_release(path))
    release = tables["releases"].iloc[0]
    assert (release["budget_year"], release["budget_year_source"]) == (2024, "document")
    assert "budget_year_unknown" not in set(tables["parse_warnings"]["code"])


def test_parse_release_warns_when_a_sample_states_no_year(raw_dir):
    tables = release_frames(parse_release(raw_dir / "guangzhou-public-security-bureau.txt"))
    release = tables["releases"].iloc[0]
    assert release["budget_year_source"] is None
    assert "budget_year_unknown" in set(tables["parse_warnings"]["code"])
