"""Indicator cells and rows copied from the sample releases; expected values typed by hand."""

from pathlib import Path

import pytest

from parsers.indicators import (
    IndicatorItem,
    TianjinRow,
    numbering_problems,
    parse_guangzhou_indicators,
    parse_tianjin_indicator_rows,
)

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"

# guangzhou-baiyun-political-legal-committee.txt line 11, 公费医疗超支及自付经费.
BAIYUN_LONG = (
    "1、1-产出指标；11-数量指标；医疗定点报销比例%；实施周期指标值:100%；年度指标值:100%。"
    "2、1-产出指标；12-质量指标；提高医疗保障；实施周期指标值:医疗保障率达100%；年度指标值:100%。"
    "3、2-效益指标；24-可持续影响；通过提高政法工作人员医疗保障，提高政法工作效率；"
    "实施周期指标值:提高医疗保障；年度指标值:提高。"
)

# guangzhou-government-services-data-bureau.txt line 11, 穗智管运营服务项目 (items 1-2).
GOV_FULL_WIDTH_COLON = (
    "1、1-产出指标；11-数量指标；会议活动保障次数；实施周期指标值：每年≥20场；年度指标值：每年≥20场。"
    "2、1-产出指标；11-数量指标；汇聚数据量；实施周期指标值：≥10亿条；年度指标值：≥10亿条。"
)

# guangzhou-public-security-bureau.txt line 13, 辅警补助经费: the short form.
PSB_SHORT = (
    "1、产出指标：辅警出勤率；年度指标值：95%以上。 2、产出指标：辅警培训考核合格率；年度指标值：95%以上。"
    " 3、效益指标：市民群众安全感、满意度；年度指标值：安全感、满意度90分以上。"
    " 4、效益指标：提高社会治安防控能力；年度指标值：提升。"
)

# guangzhou-huadu-police-branch.txt line 13, wrapped in <p>.
HUADU_PARAGRAPH = (
    "<p>1、1-产出指标；11-数量指标；体检完成率；实施周期指标值：95%以上；年度指标值：95%以上。"
    "2、1-产出指标；13-时效指标；体检按时完成率；实施周期指标值：95%以上；年度指标值：95%以上。"
    "3、2-效益指标；22-社会效益；满足打击犯罪、治安防控情况，或者疫情防控情况；"
    "实施周期指标值：持续向好；年度指标值：持续向好。"
    "4、3-满意度指标；31-服务对象满意度；群众满意率；实施周期指标值：5%以下；年度指标值：5%以下。</p>"
)

# guangzhou-huadu-police-branch.txt line 12, items 4-5: targets holding 。, spaces and &lt;.
HUADU_SCORING = (
    "4、1-产出指标；12-质量指标；视频联网率；实施周期指标值：90%；"
    "年度指标值：项目2025年实施一类点社会治安视频系統联网率。 联网率=实际联网数÷计划联网完成数×100%。"
    "5、2-效益指标；22-社会效益；城市现代化管理水平；实施周期指标值：≥90%；"
    "年度指标值：案件整改率≥90%得满分； 85%≤案件整改率&lt;90%扣1分；80%≤案件整改率&lt;85%扣2分；"
    " 75%≤案件整改率&lt;80%扣3分； 案件整改率&lt;75%不得分。"
)

# guangzhou-huadu-police-branch.txt line 34: item 2 prints a level 2 where level 1 belongs.
HUADU_DAMAGED_LEVELS = (
    "1、1-产出指标；11-数量指标；拖吊车数量；实施周期指标值:38台；年度指标值:38台。"
    "2、13-时效指标；2-效益指标；拖车响应时效；实施周期指标值:≤2小时；年度指标值:≤2小时。"
    "3、2-效益指标；22-社会效益；报废车辆按时移交率；实施周期指标值:98%；年度指标值:98%。"
    "4、3-满意度指标；3-满意度指标；群众投诉率；实施周期指标值:≤5%；年度指标值:≤5%。"
)

# guangzhou-huadu-police-branch.txt line 39 (first two items): the cell starts mid-item.
HUADU_CUT_START = (
    "值:100%；年度指标值:100%。"
    "2、1-产出指标；11-数量指标；项目验收合格率；实施周期指标值:100%；年度指标值:100%。"
)

# guangzhou-government-services-data-bureau.txt line 26, items 5-7: "6、3-满意度指标；" is lost.
GOV_MERGED = (
    "5、2-效益指标；22-社会效益；全市政府网站和政务新媒体运行水平；"
    "实施周期指标值:广州市政府网站和政务新媒体在全省评估中位于优秀档次；"
    "年度指标值:广州市政府网站和政务新媒体在全省评估中位于优秀档次；"
    "年度指标值:广州市政府网站和政务新媒体在全省评估中位于优秀档次；"
    "31-服务对象满意度；国办“政府找错”平台问题答复率；实施周期指标值:100%；年度指标值:100%。"
    "7、4-成本指标；41-经济成本指标；服务成本；实施周期指标值:≤15万元；年度指标值:≤15万元。"
)

# guangzhou-government-services-data-bureau.txt line 62, a classified (SM) project.
GOV_CLASSIFIED = (
    "1、1-产出指标；11-数量指标；待单位补充...；实施周期指标值:SM项目；年度指标值:SM项目。"
)

# guangzhou-public-security-bureau.txt line 76 (items 1-2): no colon after 年度指标值.
PSB_NO_COLON = (
    "1、产出指标：前端联网率；年度指标值100%。 2、产出指标：前端建档率；年度指标值：100%。"
)

# guangzhou-public-security-bureau.txt line 194, item 3: short form with a level 2 in level 1.
PSB_SHORT_LEVEL2 = (
    "2、产出指标：设备到位率；年度指标值：300%。 3、质量指标：网络正常运行效率；年度指标值：≥80%。"
)


def test_parse_guangzhou_indicators_reads_long_form():
    items = parse_guangzhou_indicators(BAIYUN_LONG).items
    assert items[0] == IndicatorItem(
        indicator_seq=1,
        printed_number=1,
        level1_code="1",
        level1_name_zh="产出指标",
        level2_code="11",
        level2_name_zh="数量指标",
        indicator_name_zh="医疗定点报销比例%",
        description_zh=None,
        period_target_zh="100%",
        annual_target_zh="100%",
        flags=(),
        source_offset=0,
    )


def test_parse_guangzhou_indicators_keeps_comma_inside_name():
    item = parse_guangzhou_indicators(BAIYUN_LONG).items[2]
    assert (item.level2_code, item.level2_name_zh, item.indicator_name_zh) == (
        "24",
        "可持续影响",
        "通过提高政法工作人员医疗保障，提高政法工作效率",
    )


def test_parse_guangzhou_indicators_gives_offset_of_each_item():
    items = parse_guangzhou_indicators(BAIYUN_LONG).items
    assert [BAIYUN_LONG[item.source_offset : item.source_offset + 2] for item in items] == [
        "1、",
        "2、",
        "3、",
    ]


def test_parse_guangzhou_indicators_accepts_full_width_colon():
    item = parse_guangzhou_indicators(GOV_FULL_WIDTH_COLON).items[1]
    assert (item.indicator_name_zh, item.period_target_zh, item.annual_target_zh) == (
        "汇聚数据量",
        "≥10亿条",
        "≥10亿条",
    )


def test_parse_guangzhou_indicators_reads_short_form():
    items = parse_guangzhou_indicators(PSB_SHORT).items
    assert [
        (
            i.printed_number,
            i.level1_name_zh,
            i.level2_name_zh,
            i.indicator_name_zh,
            i.annual_target_zh,
        )
        for i in items
    ] == [
        (1, "产出指标", None, "辅警出勤率", "95%以上"),
        (2, "产出指标", None, "辅警培训考核合格率", "95%以上"),
        (3, "效益指标", None, "市民群众安全感、满意度", "安全感、满意度90分以上"),
        (4, "效益指标", None, "提高社会治安防控能力", "提升"),
    ]


def test_parse_guangzhou_indicators_leaves_period_target_none_in_short_form():
    items = parse_guangzhou_indicators(PSB_SHORT).items
    assert [item.period_target_zh for item in items] == [None, None, None, None]


def test_parse_guangzhou_indicators_drops_paragraph_tags():
    items = parse_guangzhou_indicators(HUADU_PARAGRAPH).items
    assert (len(items), items[0].indicator_name_zh, items[3].annual_target_zh) == (
        4,
        "体检完成率",
        "5%以下",
    )


def test_parse_guangzhou_indicators_keeps_full_stop_and_space_inside_target():
    item = parse_guangzhou_indicators(HUADU_SCORING).items[0]
    assert item.annual_target_zh == (
        "项目2025年实施一类点社会治安视频系統联网率。 联网率=实际联网数÷计划联网完成数×100%"
    )


def test_parse_guangzhou_indicators_unescapes_html_entities():
    item = parse_guangzhou_indicators(HUADU_SCORING).items[1]
    assert item.annual_target_zh == (
        "案件整改率≥90%得满分； 85%≤案件整改率<90%扣1分；80%≤案件整改率<85%扣2分；"
        " 75%≤案件整改率<80%扣3分； 案件整改率<75%不得分"
    )


def test_parse_guangzhou_indicators_keeps_misplaced_level_as_printed():
    item = parse_guangzhou_indicators(HUADU_DAMAGED_LEVELS).items[1]
    assert (item.level1_code, item.level1_name_zh, item.level2_code, item.level2_name_zh) == (
        "13",
        "时效指标",
        "2",
        "效益指标",
    )


def test_parse_guangzhou_indicators_flags_level2_in_level1_slot():
    item = parse_guangzhou_indicators(HUADU_DAMAGED_LEVELS).items[1]
    assert "level2_in_level1_slot" in item.flags


def test_parse_guangzhou_indicators_flags_unknown_level2():
    item = parse_guangzhou_indicators(HUADU_DAMAGED_LEVELS).items[3]
    assert (item.level2_name_zh, item.flags) == ("满意度指标", ("unknown_level2",))


def test_parse_guangzhou_indicators_warns_about_misplaced_level():
    warnings = parse_guangzhou_indicators(HUADU_DAMAGED_LEVELS).warnings
    assert warnings == ["offset 45: level-2 name '时效指标' in the level-1 slot"]


def test_parse_guangzhou_indicators_flags_level2_in_level1_slot_in_short_form():
    item = parse_guangzhou_indicators(PSB_SHORT_LEVEL2).items[1]
    assert (item.level1_name_zh, item.flags) == ("质量指标", ("level2_in_level1_slot",))


def test_parse_guangzhou_indicators_flags_text_before_first_number_as_damaged():
    item = parse_guangzhou_indicators(HUADU_CUT_START).items[0]
    assert (item.printed_number, item.annual_target_zh, item.flags) == (
        None,
        "100%",
        ("damaged_number",),
    )


def test_parse_guangzhou_indicators_splits_item_that_swallowed_the_next():
    items = parse_guangzhou_indicators(GOV_MERGED).items
    assert [(i.printed_number, i.indicator_name_zh, i.annual_target_zh) for i in items] == [
        (
            5,
            "全市政府网站和政务新媒体运行水平",
            "广州市政府网站和政务新媒体在全省评估中位于优秀档次",
        ),
        (None, "国办“政府找错”平台问题答复率", "100%"),
        (7, "服务成本", "≤15万元"),
    ]


def test_parse_guangzhou_indicators_flags_recovered_item_as_damaged():
    item = parse_guangzhou_indicators(GOV_MERGED).items[1]
    assert item.flags == ("level2_in_level1_slot", "damaged_number")


def test_parse_guangzhou_indicators_keeps_classified_item_with_placeholder_flag():
    items = parse_guangzhou_indicators(GOV_CLASSIFIED).items
    assert [(i.indicator_name_zh, i.annual_target_zh, i.flags) for i in items] == [
        ("待单位补充...", "SM项目", ("placeholder",)),
    ]


def test_parse_guangzhou_indicators_reads_target_without_colon():
    item = parse_guangzhou_indicators(PSB_NO_COLON).items[0]
    assert (item.indicator_name_zh, item.annual_target_zh) == ("前端联网率", "100%")


def test_parse_guangzhou_indicators_flags_missing_annual_target():
    # guangzhou-huadu-police-branch.txt line 37: the cell ends inside the item.
    item = parse_guangzhou_indicators(
        "1、1-产出指标；11-数量指标；项目支付完成率；实施周期指标"
    ).items[0]
    assert (item.annual_target_zh, item.flags) == (None, ("missing_annual_target",))


def test_parse_guangzhou_indicators_flags_duplicate_number():
    # guangzhou-public-security-bureau.txt line 12 with its first item printed twice.
    text = "1、产出指标：春运警情同比下降；年度指标值：下降。 1、产出指标：春运警情同比下降；年度指标值：下降。"
    items = parse_guangzhou_indicators(text).items
    assert [item.flags for item in items] == [(), ("duplicate_number",)]


def test_parse_guangzhou_indicators_returns_nothing_for_empty_cell():
    result = parse_guangzhou_indicators("")
    assert (result.items, result.warnings) == ([], [])


def test_numbering_problems_is_empty_for_running_numbers():
    assert numbering_problems(parse_guangzhou_indicators(PSB_SHORT).items) == []


def test_numbering_problems_reports_gap_and_unnumbered_item():
    items = parse_guangzhou_indicators(GOV_MERGED).items
    assert numbering_problems(items) == [
        "item 2 has no printed number",
        "number 1 missing",
        "number 2 missing",
        "number 3 missing",
        "number 4 missing",
        "number 6 missing",
    ]


def test_numbering_problems_reports_repeated_number():
    text = "1、产出指标：春运警情同比下降；年度指标值：下降。 1、效益指标：春运旅客安全水平；年度指标值：提升。"
    assert numbering_problems(parse_guangzhou_indicators(text).items) == [
        "number 1 printed 2 times",
    ]


def _guangzhou_indicator_cells() -> list[str]:
    cells = []
    for path in sorted(RAW.glob("guangzhou-*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            columns = line.split("\t")
            if len(columns) >= 7 and columns[6].strip() and columns[6].strip() != "绩效指标":
                cells.append(columns[6])
    return cells


def test_parse_guangzhou_indicators_names_every_unflagged_item_in_samples():
    unnamed = [
        item
        for cell in _guangzhou_indicator_cells()
        for item in parse_guangzhou_indicators(cell).items
        if not item.indicator_name_zh and not item.flags
    ]
    assert unnamed == []


def test_numbering_problems_are_few_across_samples():
    # Known source defects (2026 samples): a lost "6、3-满意度指标；" in government-services
    # line 26, and a cell cut across rows in huadu lines 37/39; two messages each.
    problems = [
        problem
        for cell in _guangzhou_indicator_cells()
        for problem in numbering_problems(parse_guangzhou_indicators(cell).items)
    ]
    assert len(problems) <= 4


# tianjin-public-security-bureau.txt, the first table (督审总队信息化运维经费), five columns.
TIANJIN_FIVE_COLUMNS = [
    TianjinRow("产出指标", "数量指标", "硬件维护数量", "硬件维护数量", "≥361件", 30),
    TianjinRow("", "数量指标", "软件维护数量", "软件维护数量", "≥15套", 36),
    TianjinRow("", "成本指标", "硬、软件运维费用", "硬、软件运维费用", "≤12.15万元", 108),
    TianjinRow(
        "效益指标", "社会效益指标", "督审总队民警工作效率", "督审总队民警工作效率", "得到提高", 114
    ),
]

# tianjin-public-security-bureau.txt, the special-bond table: four columns and 偿债指标.
TIANJIN_BOND = [
    TianjinRow("成本指标", "经济成本指标", "年付利息金额", None, "212.8万元", 10109),
    TianjinRow("", "社会成本指标", "影响率", None, "≤10百分比", 10114),
    TianjinRow("满意度指标", "服务对象满意度指标", "社会满意度", None, "≥95%", 10149),
    TianjinRow("偿债指标", "预期收益实现时间", "预期收益实现时间", None, "投入使用后6个月", 10154),
    TianjinRow("", "偿债倍率", "债券偿还率", None, "≤15%", 10164),
]


def test_parse_tianjin_indicator_rows_reads_five_column_row():
    item = parse_tianjin_indicator_rows(TIANJIN_FIVE_COLUMNS).items[0]
    assert item == IndicatorItem(
        indicator_seq=1,
        printed_number=None,
        level1_code=None,
        level1_name_zh="产出指标",
        level2_code=None,
        level2_name_zh="数量指标",
        indicator_name_zh="硬件维护数量",
        description_zh="硬件维护数量",
        period_target_zh=None,
        annual_target_zh="≥361件",
        flags=(),
        source_offset=0,
        source_line=30,
    )


def test_parse_tianjin_indicator_rows_inherits_blank_level1():
    items = parse_tianjin_indicator_rows(TIANJIN_FIVE_COLUMNS).items
    assert [item.level1_name_zh for item in items] == [
        "产出指标",
        "产出指标",
        "产出指标",
        "效益指标",
    ]


def test_parse_tianjin_indicator_rows_accepts_level_names_with_suffix():
    items = parse_tianjin_indicator_rows(TIANJIN_FIVE_COLUMNS).items
    assert [item.flags for item in items] == [(), (), (), ()]


def test_parse_tianjin_indicator_rows_leaves_description_none_in_four_columns():
    items = parse_tianjin_indicator_rows(TIANJIN_BOND).items
    assert [item.description_zh for item in items] == [None, None, None, None, None]


def test_parse_tianjin_indicator_rows_accepts_debt_service_level():
    items = parse_tianjin_indicator_rows(TIANJIN_BOND).items
    assert [(i.level1_name_zh, i.level2_name_zh, i.flags) for i in items[3:]] == [
        ("偿债指标", "预期收益实现时间", ()),
        ("偿债指标", "偿债倍率", ()),
    ]


def test_parse_tianjin_indicator_rows_flags_blank_level1_with_none_above():
    # the bond table's second row, as if the page break had cut off the first
    items = parse_tianjin_indicator_rows(TIANJIN_BOND[1:2]).items
    assert (items[0].level1_name_zh, items[0].flags) == (None, ("level1_missing",))


def test_parse_tianjin_indicator_rows_flags_level2_in_level1_slot():
    # the bond table's 偿债倍率 row with its level 2 pushed into level 1
    rows = [TianjinRow("偿债倍率", "债券偿还率", "债券偿还率", None, "≤15%", 10164)]
    item = parse_tianjin_indicator_rows(rows).items[0]
    assert item.flags == ("level2_in_level1_slot", "unknown_level2")


@pytest.mark.parametrize(
    ("row", "flag"),
    [
        # a first-table row shifted one cell left by a bad split
        (TianjinRow("硬件维护数量", "数量指标", "≥361件", None, "≥361件", 30), "unknown_level1"),
        # the first-table row with its level 2 holding the indicator name
        (
            TianjinRow("产出指标", "硬件维护数量", "硬件维护数量", None, "≥361件", 30),
            "unknown_level2",
        ),
        # a row with no value printed
        (TianjinRow("产出指标", "数量指标", "硬件维护数量", None, "", 30), "missing_annual_target"),
    ],
)
def test_parse_tianjin_indicator_rows_flags_row_outside_framework(row, flag):
    assert flag in parse_tianjin_indicator_rows([row]).items[0].flags


def test_parse_guangzhou_indicators_reads_the_labelled_form_of_other_departments():
    # Form written from the provincial template (一级指标：…；二级指标：…；三级指标：…；指标值：…);
    # the 2026 samples do not use it, other departments' releases do.
    text = (
        "1、一级指标：产出指标；二级指标：数量指标；三级指标：培训人数；指标值：≥100人次。"
        "2、一级指标：满意度指标；二级指标：服务对象满意度指标；三级指标：学员满意度；指标值：≥90%。"
    )
    items = parse_guangzhou_indicators(text).items
    assert [
        (
            i.printed_number,
            i.level1_name_zh,
            i.level2_name_zh,
            i.indicator_name_zh,
            i.annual_target_zh,
        )
        for i in items
    ] == [
        (1, "产出指标", "数量指标", "培训人数", "≥100人次"),
        (2, "满意度指标", "服务对象满意度指标", "学员满意度", "≥90%"),
    ]
    assert all(not i.flags for i in items)


def test_parse_guangzhou_indicators_reads_the_dashed_form():
    text = "1、产出指标-质量指标-验收合格率：100%；2、效益指标-社会效益-群众安全感：提升。"
    items = parse_guangzhou_indicators(text).items
    assert [
        (i.level1_name_zh, i.level2_name_zh, i.indicator_name_zh, i.annual_target_zh) for i in items
    ] == [
        ("产出指标", "质量指标", "验收合格率", "100%"),
        ("效益指标", "社会效益", "群众安全感", "提升"),
    ]


def test_items_are_complete_frozen_dataclasses():
    """Items are built without the dataclass __init__ (speed): every field set, still frozen."""
    import dataclasses

    names = {f.name for f in dataclasses.fields(IndicatorItem)}
    gz = parse_guangzhou_indicators(BAIYUN_LONG).items
    tj = parse_tianjin_indicator_rows(
        [TianjinRow("产出指标", "数量指标", "培训人数", None, "≥100人次", 12)]
    ).items
    for item in (*gz, *tj):
        assert set(vars(item)) == names
        assert item == IndicatorItem(**vars(item))
        assert hash(item) == hash(IndicatorItem(**vars(item)))
        with pytest.raises(dataclasses.FrozenInstanceError):
            item.flags = ()  # type: ignore[misc]


def test_a_cell_without_any_item_number_is_one_damaged_item():
    parsed = parse_guangzhou_indicators("产出指标：培训人数；年度指标值：≥100人次")

    assert len(parsed.items) == 1
    assert parsed.items[0].printed_number is None
    assert "damaged_number" in parsed.items[0].flags
