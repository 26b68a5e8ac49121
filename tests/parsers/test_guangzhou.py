"""Guangzhou row layout. Expected figures were typed from the documents, and the totals per
file cross-checked with awk over the raw tab-separated columns (not with this parser):
projects = rows whose 绩效目标 cell is not empty; Σ = sum of their 总计 column."""

from decimal import Decimal

import pytest

from lake.frames import release_frames
from parsers.errors import ParseError
from parsers.release import parse_release

GUANGZHOU_HEADER = (
    "项目支出绩效目标表（含转移支付项目）\n\n"
    "部门名称：示例局\n\n单位：万元\n\n"
    "项目名称（资金使用单位）\t总计\t财政拨款\t财政专户拨款\t其他资金\t绩效目标\t绩效指标\n"
)


@pytest.mark.parametrize(
    ("stem", "n_units", "n_projects", "sum_total", "declared"),
    [
        ("guangzhou-baiyun-political-legal-committee", 1, 16, "1989.76", "1989.76"),
        ("guangzhou-government-services-data-bureau", 4, 70, "86246.66", "86246.64"),
        ("guangzhou-huadu-police-branch", 1, 31, "34942.95", "34942.95"),
        ("guangzhou-public-security-bureau", 2, 172, "195510.97", "195510.94"),
    ],
)
def test_parse_release_reads_every_project_of_the_guangzhou_samples(
    raw_dir, stem, n_units, n_projects, sum_total, declared
):
    tables = release_frames(parse_release(raw_dir / f"{stem}.txt"))
    assert len(tables["budget_units"]) == n_units
    assert len(tables["projects"]) == n_projects
    assert sum(tables["projects"]["total_wan"], Decimal(0)) == Decimal(sum_total)
    assert tables["declared_totals"]["total_wan"].tolist() == [Decimal(declared)]


def test_guangzhou_unit_subtotal_rows_become_units_with_their_declared_totals(raw_dir):
    units = release_frames(parse_release(raw_dir / "guangzhou-public-security-bureau.txt"))[
        "budget_units"
    ]
    # lines 11 and 202 of the document
    assert units["unit_name_zh"].tolist() == ["广州市公安局", "广州市公安局机关幼儿园"]
    assert units["declared_total_wan"].tolist() == [Decimal("194510.26"), Decimal("1000.68")]
    assert units["declared_other_wan"].tolist() == [Decimal("3000.00"), Decimal("81.18")]
    assert units["source_line"].tolist() == [11, 202]


def test_guangzhou_repeated_project_names_get_distinct_stable_ids(raw_dir):
    path = raw_dir / "guangzhou-public-security-bureau.txt"
    projects = release_frames(parse_release(path))["projects"]
    repeated = projects[projects["project_name_zh"] == "辅警补助经费"]
    assert len(repeated) == 9  # lines 13, 17-24
    assert repeated["project_id"].is_unique
    again = release_frames(parse_release(path))["projects"]
    assert again["project_id"].tolist() == projects["project_id"].tolist()


def test_guangzhou_page_break_fragment_joins_the_project_it_starts(raw_dir):
    # huadu line 37 holds '1、1-产出指标；11-数量指标；项目支付完成率；实施周期指标' and line 39
    # (执法办案中心项目) continues with '值:100%；…': the fragment starts line 39's list, it
    # does not end line 36's (which closes with '。').
    projects = release_frames(parse_release(raw_dir / "guangzhou-huadu-police-branch.txt"))[
        "projects"
    ]
    by_name = projects.set_index("project_name_zh")
    joined = by_name.loc["执法办案中心项目"]
    assert joined["indicators_raw_zh"].startswith(
        "1、1-产出指标；11-数量指标；项目支付完成率；实施周期指标值:100%"
    )
    assert "page_break_fragment_joined" in joined["flags"]
    assert not by_name.loc["禁毒工作业务经费"]["indicators_raw_zh"].endswith("实施周期指标")


def test_guangzhou_fragment_that_ends_a_sentence_joins_the_row_above(write_release):
    text = GUANGZHOU_HEADER + (
        "合计\t30.00\t30.00\t\t\t\t\n"
        "示例局\t30.00\t30.00\t\t\t\t\n"
        "甲项目\t10.00\t10.00\t\t\t目标甲\t1、1-产出指标；11-数量指标；完成率；实施周期指标值:100%；年度指标\n"
        "\t\t\t\t\t\t值:100%。\n"
        "乙项目\t20.00\t20.00\t\t\t目标乙\t1、1-产出指标；11-数量指标；数量；实施周期指标值:2个；年度指标值:2个。\n"
    )
    projects = release_frames(parse_release(write_release("demo.txt", text)))["projects"]
    assert projects["indicators_raw_zh"].tolist()[0].endswith("年度指标值:100%。")
    assert projects["indicators_raw_zh"].tolist()[1].startswith("1、1-产出指标；11-数量指标；数量")


def test_guangzhou_names_split_by_spaces_are_repaired_and_keyed(raw_dir):
    projects = release_frames(parse_release(raw_dir / "guangzhou-public-security-bureau.txt"))[
        "projects"
    ]
    row = projects[projects["source_line"] == 46].iloc[0]
    assert row["project_name_zh"] == "外市籍吸毒人员管理服务专项工作经费（越秀区）"
    assert "name_spaces_repaired" in row["flags"]


def test_guangzhou_classified_projects_are_kept_and_flagged(raw_dir):
    projects = release_frames(
        parse_release(raw_dir / "guangzhou-government-services-data-bureau.txt")
    )["projects"]
    classified = projects[projects["is_classified"]]
    # line 62 GZIT2022-SM-W-C-051103 (3,457.38), lines 99 and 118 (SM信息化运维项目)
    assert sorted(classified["source_line"].tolist()) == [62, 99, 118]
    assert Decimal("3457.38") in classified["total_wan"].tolist()


def test_guangzhou_other_funds_stay_in_their_own_column(raw_dir):
    projects = release_frames(parse_release(raw_dir / "guangzhou-public-security-bureau.txt"))[
        "projects"
    ]
    row = projects[projects["source_line"] == 111].iloc[0]  # 其他收入项目 3,000.00 其他资金 only
    assert (row["total_wan"], row["fiscal_wan"], row["other_wan"]) == (
        Decimal("3000.00"),
        Decimal("0.00"),
        Decimal("3000.00"),
    )


def test_guangzhou_department_comes_from_the_document(raw_dir):
    release = release_frames(
        parse_release(raw_dir / "guangzhou-baiyun-political-legal-committee.txt")
    )["releases"]
    assert release["department_zh"].item() == "中共广州市白云区区委政法委员会"
    assert release["department_source"].item() == "document"


def test_guangzhou_release_in_yuan_is_converted_and_flagged(write_release):
    text = GUANGZHOU_HEADER.replace("单位：万元", "单位：元") + (
        "合计\t123,456.00\t123,456.00\t\t\t\t\n"
        "示例局\t123,456.00\t123,456.00\t\t\t\t\n"
        "甲项目\t123,456.00\t123,456.00\t\t\t目标\t1、1-产出指标；11-数量指标；数量；实施周期指标值:1个；年度指标值:1个。\n"
    )
    projects = release_frames(parse_release(write_release("yuan.txt", text)))["projects"]
    assert projects["total_wan"].item() == Decimal("12.35")  # 12.3456 万元 at the printed cent
    assert projects["amount_conversion"].item() == "元→万元 ÷10000"
    assert {"converted_from_yuan", "rounded_after_conversion"} <= set(
        projects["flags"].item().split(";")
    )


def test_guangzhou_bad_amount_names_file_and_line(write_release):
    text = GUANGZHOU_HEADER + "合计\t12x4\t\t\t\t\t\n"
    with pytest.raises(ParseError, match=r"demo\.txt:8: column 总计"):
        parse_release(write_release("demo.txt", text))


def test_guangzhou_reordered_header_columns_are_mapped_by_name(write_release):
    text = (
        GUANGZHOU_HEADER.replace(
            "项目名称（资金使用单位）\t总计\t财政拨款\t财政专户拨款\t其他资金\t绩效目标\t绩效指标",
            "项目名称（资金使用单位）\t财政拨款\t总计\t其他资金\t财政专户拨款\t绩效目标\t绩效指标",
        )
        + "甲项目\t8.00\t10.00\t2.00\t\t目标\t1、1-产出指标；11-数量指标；数量；实施周期指标值:1个；年度指标值:1个。\n"
    )
    row = release_frames(parse_release(write_release("demo.txt", text)))["projects"].iloc[0]
    assert (row["total_wan"], row["fiscal_wan"], row["other_wan"]) == (
        Decimal("10.00"),
        Decimal("8.00"),
        Decimal("2.00"),
    )


def test_guangzhou_money_column_the_layout_does_not_name_keeps_its_money(write_release):
    # Some departments split 财政拨款 into 一般公共预算 and 政府性基金预算 columns.
    text = (
        GUANGZHOU_HEADER.replace(
            "总计\t财政拨款\t财政专户拨款\t其他资金",
            "总计\t一般公共预算\t政府性基金预算\t财政专户拨款\t其他资金",
        )
        + "甲项目\t10.00\t6.00\t4.00\t\t\t目标\t1、1-产出指标；11-数量指标；数量；实施周期指标值:1个；年度指标值:1个。\n"
    )
    row = release_frames(parse_release(write_release("demo.txt", text)))["projects"].iloc[0]
    assert (row["total_wan"], row["fiscal_wan"], row["other_wan"]) == (
        Decimal("10.00"),
        Decimal("10.00"),
        Decimal("0.00"),
    )
    assert "extra_amount_column" in row["flags"]
    assert "sources_differ_from_total" not in row["flags"]


def test_guangzhou_name_wrapped_onto_its_own_line_joins_its_row(write_release):
    text = GUANGZHOU_HEADER + (
        "广州市公安局广州市移动视频系统建设项目之\t\t\t\t\t\t\n"
        "水上分局项目\t2.43\t2.43\t\t\t目标\t1、产出指标：前端联网率；年度指标值：≥95%。\n"
    )
    text = text.replace("水上分局项目\t2.43", "\t2.43")
    projects = release_frames(parse_release(write_release("demo.txt", text)))["projects"]
    assert projects["project_name_zh"].tolist() == ["广州市公安局广州市移动视频系统建设项目之"]
    assert projects["source_line"].tolist() == [8]
    assert "name_joined" in projects["flags"].item()


def test_guangzhou_unit_heading_without_subtotal_becomes_a_unit(write_release):
    text = GUANGZHOU_HEADER + (
        "广州市示例中心\t\t\t\t\t\t\n"
        "甲项目\t2.00\t2.00\t\t\t目标\t1、产出指标：完成率；年度指标值：100%。\n"
    )
    tables = release_frames(parse_release(write_release("demo.txt", text)))
    units = tables["budget_units"]
    assert units["unit_name_zh"].tolist() == ["广州市示例中心"]
    assert units["has_declared_totals"].tolist() == [False]
    assert tables["projects"]["unit_name_zh"].tolist() == ["广州市示例中心"]


def test_guangzhou_department_and_currency_on_one_line_are_both_read(write_release):
    text = GUANGZHOU_HEADER.replace(
        "部门名称：示例局\n\n单位：万元", "部门名称：示例局        单位：万元"
    ) + ("甲项目\t2.00\t2.00\t\t\t目标\t1、产出指标：完成率；年度指标值：100%。\n")
    release = release_frames(parse_release(write_release("demo.txt", text)))["releases"]
    assert release["department_zh"].item() == "示例局"
    assert release["currency_unit_zh"].item() == "万元"


def test_guangzhou_currency_printed_in_the_header_cells_is_used(write_release):
    text = (
        GUANGZHOU_HEADER.replace("单位：万元\n\n", "").replace(
            "\t总计\t财政拨款\t财政专户拨款\t其他资金\t",
            "\t总计（元）\t财政拨款（元）\t财政专户拨款（元）\t其他资金（元）\t",
        )
        + "甲项目\t20,000.00\t20,000.00\t\t\t目标\t1、产出指标：完成率；年度指标值：100%。\n"
    )
    projects = release_frames(parse_release(write_release("demo.txt", text)))["projects"]
    assert projects["total_wan"].item() == Decimal("2.00")
    assert projects["currency_unit_zh"].item() == "元"
