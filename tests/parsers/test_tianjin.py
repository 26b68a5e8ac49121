"""Tianjin table layout. Expected figures typed from the document; totals cross-checked with
awk (the cell after each 预算数 label: 120 tables, Σ 40,466.91 万元; plus the bond table's
合计 70,000,000 元)."""

from decimal import Decimal

import pytest

from lake.frames import release_frames
from parsers.errors import ParseError
from parsers.release import parse_release

TABLE = (
    "[bookmark: _Toc1]1.督审总队信息化运维经费-2023中央绩效目标表\n"
    "\t341101天津市公安局警务保障部财务管理处\n"
    "\t单位：万元\n"
    "\n"
    "\t项目名称\n"
    "\t督审总队信息化运维经费-2023中央\n"
    "\n"
    "\t预算规模及资金用途\n"
    "\t预算数\n"
    "\t12.15\n"
    "\t其中：财政资金\n"
    "\t12.15\n"
    "\t其他资金\n"
    "\t\n"
    "\n"
    "\t\n"
    "\t保证硬件运行稳定性。\n"
    "\n"
    "\t绩效目标\n"
    "\t1.保证审计研判预警中心硬件设备运行稳定。\n"
    "\n"
    "\t一级指标\n"
    "\t二级指标\n"
    "\t三级指标\n"
    "\t绩效指标描述\n"
    "\t指标值\n"
    "\n"
    "\t产出指标\n"
    "\t数量指标\n"
    "\t硬件维护数量\n"
    "\t硬件维护数量\n"
    "\t≥361件\n"
    "\n"
    "\t\n"
    "\t时效指标\n"
    "\t系统设备故障修复响应时间\n"
    "\n"
    "\t系统设备故障修复响应时间\n"
    "\n"
    "\t≤24小时\n"
)


@pytest.fixture(scope="module")
def tianjin(raw_dir_module):
    return release_frames(parse_release(raw_dir_module / "tianjin-public-security-bureau.txt"))


@pytest.fixture(scope="module")
def raw_dir_module():
    from pathlib import Path

    return Path(__file__).resolve().parents[2] / "data_lake" / "raw"


def test_tianjin_sample_has_121_projects_in_14_units(tianjin):
    assert len(tianjin["projects"]) == 121
    assert len(tianjin["budget_units"]) == 14
    assert sum(tianjin["projects"]["total_wan"], Decimal(0)) == Decimal("47466.91")


def test_tianjin_department_is_the_one_behind_the_unit_codes(tianjin):
    assert tianjin["releases"]["department_zh"].item() == "天津市公安局"
    assert tianjin["budget_units"]["unit_code"].str.startswith("341").all()


def test_tianjin_bond_table_is_converted_kept_and_flagged(tianjin):
    projects = tianjin["projects"]
    bond = projects[projects["is_bond_table"]].iloc[0]
    # line 9987: 专项债券资金 70000000 元 = 7,000.00 万元, its own funding source
    assert bond["bond_wan"] == Decimal("7000.00")
    assert bond["total_wan"] == Decimal("7000.00")
    assert bond["fiscal_wan"] == Decimal("0.00")
    assert bond["currency_unit_zh"] == "元"
    assert {"bond_table", "converted_from_yuan", "labels_swapped"} <= set(bond["flags"].split(";"))
    assert bond["unit_name_zh"] == "天津公安警官职业学院"


def test_tianjin_non_fiscal_project_keeps_other_funds(tianjin):
    projects = tianjin["projects"]
    row = projects[
        projects["project_name_zh"] == "天津公安警官职业学院图书采购项目（非财政拨款）"
    ].iloc[0]
    assert (row["fiscal_wan"], row["other_wan"], row["total_wan"]) == (
        Decimal("0.00"),
        Decimal("400.00"),
        Decimal("400.00"),
    )


def test_tianjin_rows_split_by_blank_lines_are_rebuilt(write_release):
    tables = release_frames(parse_release(write_release("tj.txt", TABLE)))
    project = tables["projects"].iloc[0]
    assert project["project_name_zh"] == "督审总队信息化运维经费-2023中央"
    assert project["total_wan"] == Decimal("12.15")
    assert project["purpose_zh"] == "保证硬件运行稳定性。"
    assert project["goal_zh"] == "1.保证审计研判预警中心硬件设备运行稳定。"
    assert project["indicators_raw_zh"].split("\n") == [
        "产出指标\t数量指标\t硬件维护数量\t硬件维护数量\t≥361件",
        "\t时效指标\t系统设备故障修复响应时间\t系统设备故障修复响应时间\t≤24小时",
    ]


def test_tianjin_missing_budget_cell_is_a_parse_error_naming_the_table(write_release):
    broken = TABLE.replace("\t预算数\n\t12.15\n", "")
    with pytest.raises(ParseError, match=r"tj\.txt:1: table .*no 预算数"):
        parse_release(write_release("tj.txt", broken))


def test_tianjin_labels_spelled_otherwise_are_read(write_release):
    # Other departments print 资金总额 / 其中：财政拨款 and a labelled unit line.
    text = (
        TABLE.replace(
            "\t341101天津市公安局警务保障部财务管理处\n",
            "\t预算单位：341101天津市公安局警务保障部财务管理处\n",
        )
        .replace("\t预算数\n", "\t资金总额\n")
        .replace("\t其中：财政资金\n", "\t其中：财政拨款\n")
    )
    tables = release_frames(parse_release(write_release("tj.txt", text)))
    project = tables["projects"].iloc[0]
    assert (project["total_wan"], project["fiscal_wan"]) == (Decimal("12.15"), Decimal("12.15"))
    assert tables["budget_units"]["unit_code"].item() == "341101"


def test_tianjin_table_without_unit_line_is_kept_and_flagged(write_release):
    text = TABLE.replace("\t341101天津市公安局警务保障部财务管理处\n", "")
    tables = release_frames(parse_release(write_release("tj.txt", text)))
    assert tables["budget_units"]["unit_name_zh"].item() == "（未注明单位）"
    assert "unit_missing" in tables["projects"]["flags"].item()
