"""Targets copied from the sample releases (file named per case); expected values typed by hand."""

import re
import unicodedata
from bisect import bisect_right
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers import targets
from parsers import text as text_module
from parsers.targets import ParsedTarget, is_placeholder, parse_target


@pytest.mark.parametrize(
    ("text", "operator", "value", "unit"),
    [
        ("≥95%", "≥", Decimal("95"), "%"),  # tianjin, 系统验收合格率 and many more
        ("≤12.15万元", "≤", Decimal("12.15"), "万元"),  # tianjin, 硬、软件运维费用
        ("<2个", "<", Decimal("2"), "个"),  # government-services, 死链错链数量
        ("≤2小时", "≤", Decimal("2"), "小时"),  # tianjin, 故障修复响应时间
        (">90%", ">", Decimal("90"), "%"),  # huadu
    ],
)
def test_parse_target_reads_symbol_comparisons(text, operator, value, unit):
    assert parse_target(text) == ParsedTarget(
        kind="comparison", operator=operator, value=value, unit=unit, is_quantified=True, text=text
    )


@pytest.mark.parametrize(
    ("text", "operator", "value", "unit"),
    [
        ("95%以上", "≥", Decimal("95"), "%"),  # public-security-bureau, 辅警出勤率
        ("不低于90%", "≥", Decimal("90"), "%"),  # public-security-bureau
        ("大于或等于15条", "≥", Decimal("15"), "条"),  # baiyun, 研究并征集意见数量
        ("小于等于100%", "≤", Decimal("100"), "%"),  # public-security-bureau, 资金支出率
        ("不超过5秒", "≤", Decimal("5"), "秒"),  # public-security-bureau
        ("不高于3秒", "≤", Decimal("3"), "秒"),  # public-security-bureau
        ("9000元及以内", "≤", Decimal("9000"), "元"),  # government-services, 专家评审成本
        ("5%以下", "≤", Decimal("5"), "%"),  # huadu, 群众满意率
        ("大于90%", ">", Decimal("90"), "%"),  # public-security-bureau
        ("高于99%", ">", Decimal("99"), "%"),  # public-security-bureau
        ("低于5%", "<", Decimal("5"), "%"),  # public-security-bureau, 物业费预算偏差率
        ("小于5秒", "<", Decimal("5"), "秒"),  # public-security-bureau
        ("少于1小时", "<", Decimal("1"), "小时"),  # public-security-bureau
    ],
)
def test_parse_target_follows_legal_meaning_of_comparative_words(text, operator, value, unit):
    parsed = parse_target(text)
    assert (parsed.kind, parsed.operator, parsed.value, parsed.unit) == (
        "comparison",
        operator,
        value,
        unit,
    )


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("100%", Decimal("100"), "%"),  # baiyun, 医疗定点报销比例%
        ("=100%", Decimal("100"), "%"),  # government-services, 验收合格率
        ("38台", Decimal("38"), "台"),  # huadu, 拖吊车数量
        ("达到98%", Decimal("98"), "%"),  # public-security-bureau
    ],
)
def test_parse_target_reads_bare_and_equal_numbers_as_exact(text, value, unit):
    parsed = parse_target(text)
    assert (parsed.kind, parsed.operator, parsed.value, parsed.unit, parsed.is_quantified) == (
        "exact",
        "=",
        value,
        unit,
        True,
    )


def test_parse_target_keeps_subject_before_comparison():
    # baiyun, 政法工作满意度调查: 实施周期指标值:满意度达到85分以上
    parsed = parse_target("满意度达到85分以上")
    assert (parsed.operator, parsed.value, parsed.unit) == ("≥", Decimal("85"), "分")


def test_parse_target_reads_zero_with_subject():
    # baiyun, 人力、时间资源节省: 实施周期指标值:节省率≤0%
    parsed = parse_target("节省率≤0%")
    assert (parsed.kind, parsed.operator, parsed.value, parsed.unit) == (
        "comparison",
        "≤",
        Decimal("0"),
        "%",
    )


def test_parse_target_writes_percent_word_as_percent_sign():
    # tianjin bond table, 项目竣工验收合格率
    parsed = parse_target("≥95百分比")
    assert (parsed.operator, parsed.value, parsed.unit) == ("≥", Decimal("95"), "%")


def test_parse_target_reads_unit_of_several_characters():
    # docs/domain.md#targets wording
    parsed = parse_target("10万人次以上")
    assert (parsed.operator, parsed.value, parsed.unit) == ("≥", Decimal("10"), "万人次")


def test_parse_target_takes_measure_word_before_long_noun_as_unit():
    # baiyun, 购买/租赁硬件数量计划完成率: 2082支摄像机租凭
    parsed = parse_target("2082支摄像机租凭")
    assert (parsed.kind, parsed.value, parsed.unit) == ("exact", Decimal("2082"), "支")


def test_parse_target_reads_number_without_unit():
    # tianjin, 警服购置 (≥0.8万件 in the source), number alone
    parsed = parse_target("≥0.8")
    assert (parsed.operator, parsed.value, parsed.unit) == ("≥", Decimal("0.8"), None)


def test_parse_target_folds_full_width_forms():
    # the tianjin ≥95% typed with full-width digits and percent sign
    parsed = parse_target("≥９５％")
    assert (parsed.operator, parsed.value, parsed.unit) == ("≥", Decimal("95"), "%")


def test_parse_target_reads_ascii_greater_equal():
    # docs/domain.md#targets spelling of ≥ in typed sources
    parsed = parse_target(">=95%")
    assert (parsed.operator, parsed.value) == ("≥", Decimal("95"))


def test_parse_target_takes_unit_from_brackets_after_number():
    # public-security-bureau: 年度指标值：≥8000（条）
    parsed = parse_target("≥8000（条）")
    assert (parsed.value, parsed.unit) == (Decimal("8000"), "条")


@pytest.mark.parametrize(
    "text",
    [
        "提升",  # public-security-bureau, 春运旅客安全水平
        "下降",  # public-security-bureau, 春运警情同比下降
        "得到提高",  # tianjin, 督审总队民警工作效率
        "有所改善",  # public-security-bureau
        "力争全区案件类警情持续下降",  # baiyun, 推进平安创建
    ],
)
def test_parse_target_reads_change_without_number_as_direction(text):
    assert parse_target(text) == ParsedTarget(kind="direction", text=text)


def test_parse_target_keeps_number_of_a_change_but_not_as_quantified():
    # huadu: 投诉率下降20% is a change, not a level to reach
    parsed = parse_target("投诉率下降20%")
    assert (parsed.kind, parsed.operator, parsed.value, parsed.unit, parsed.is_quantified) == (
        "direction",
        None,
        Decimal("20"),
        "%",
        False,
    )


@pytest.mark.parametrize(
    "text",
    [
        "按时完成",  # huadu and others
        "2024年底前完",  # tianjin, cut short in the source
        "在2024年12月31日前",  # tianjin
        "2025年9月底前完成服装、装备购置工作",  # huadu
        "及时",  # baiyun
    ],
)
def test_parse_target_reads_dates_and_timeliness_as_deadline(text):
    assert parse_target(text).kind == "deadline"


def test_parse_target_never_reads_year_as_value():
    # tianjin: 2024年全年 names a period, not the number 2024
    parsed = parse_target("2024年全年")
    assert (parsed.kind, parsed.value) == ("qualitative", None)


@pytest.mark.parametrize(
    "text",
    [
        "SM项目",  # government-services line 62
        "涉密",  # government-services line 99
        "涉密项目",  # government-services line 118
        "待单位补充...",  # government-services line 62, the indicator name
    ],
)
def test_parse_target_reads_classified_placeholders(text):
    assert parse_target(text).kind == "placeholder"


@pytest.mark.parametrize("text", [None, "", "  "])
def test_parse_target_reads_blank_as_missing(text):
    assert parse_target(text).kind == "missing"


@pytest.mark.parametrize(
    "text",
    [
        "有效保障",  # tianjin
        "项目结算价不超市场报价（合同总价）",  # public-security-bureau
        # huadu: a scoring rule with several numbers is not one target
        "视频结构化数据接入达标率95%以上得满分，每下降1%（含1%），扣0.5分，扣完10分为止",
        "一级事件≤1小时；二级事件≤2小时；三级事件≤4小时",  # government-services
    ],
)
def test_parse_target_keeps_unreadable_text_as_qualitative(text):
    assert parse_target(text) == ParsedTarget(kind="qualitative", text=text)


def test_parse_target_rejects_number_followed_by_sentence():
    # huadu: the score clause makes it a rule, not a target
    assert parse_target("合格率≥100%，得满分").kind == "qualitative"


def test_is_placeholder_rejects_real_indicator_name():
    # government-services: a real name next to the placeholders
    assert not is_placeholder("汇聚数据量")


# --- the one-match reading of the usual shape gives what the general rules give ----------------

_SUBJECTS = ["", "满意度", "节省率", "率", "累计", "投诉率", "覆盖率提升", "不超过预算总额"]
_SUBJECTS += ["年内完成", "年底前完成", "年内", "及时", "安全感、满意度", "每年", "。", "，", " "]
_SUBJECTS += ["风险评估 率", "已发布(条)", "发放（次）", "约", "提高", "下降", "SM", "涉密"]
_OPERATOR_WORDS = ["", "≥", "≤", ">", "<", "=", ">=", "<=", "＞", "不少于", "不低于", "大于"]
_OPERATOR_WORDS += ["达到", "达", "小于或等于", "超过", "不满", "等于", "低于", "内", "以上"]
_NUMBERS = ["95", "100", "0.5", "2024", "12024", "2024.5", "12", "1,200", "３", "7", "1.", "5 "]
_UNITS = ["", "%", "％", "个", "万元", "人次", "天", "百分比", "年", "月", "日", "个月", "平方米"]
_UNITS += ["分", "次/年", "(个)", "元/人", "项)", "万人次以上", "台套", "小时内", "名", "km", "。"]
_UNITS += ["年度", "月底", "月前", "个工作日", "日历月", "元/人/年", "支摄像机租凭", "个1"]
_SUFFIXES = ["", "以上", "以下", "及以上", "及以下", "以内", "之内", "内", "或以上", "或以下"]
_SUFFIXES += ["及以内", "完成", "达标", "前", "以前", "。", "，得满分", " ", "以上以下"]


def _assert_read_as_the_rules(text: str) -> None:
    """parse_target (uncached) gives what the rules in full give, each value of the same type."""
    read = targets.parse_target.__wrapped__(text)
    general = targets._read_general(text)
    assert read == general, text
    assert list(map(type, read)) == list(map(type, general)), text


@given(
    st.sampled_from(_SUBJECTS),
    st.sampled_from(_OPERATOR_WORDS),
    st.sampled_from(_NUMBERS),
    st.sampled_from(_UNITS),
    st.sampled_from(_SUFFIXES),
)
@settings(max_examples=3000, deadline=None)
def test_the_one_match_reading_agrees_with_the_general_rules(subject, word, number, unit, suffix):
    text = f"{subject}{word}{number}{unit}{suffix}"
    _assert_read_as_the_rules(text)


# Texts a shortcut could get wrong: full-width digits and signs, trimmed punctuation, brackets,
# two numbers, dates and years, deadline words before a number, spaces, combining marks.
_HOSTILE = [
    "９５％",
    "≥９５%",
    "95%。",
    "。95%",
    " ≥95% ",
    "≥95%；",
    "≥8000（条）",
    "≥5(个)",
    "2项（2项基础服务）",
    "85%≤整改率<90%扣1分",
    "1,200个",
    "1，200个",
    "2024年",
    "≥2024年",
    "2024.5年",
    "12024年",
    "5年内",
    "2024年内",
    "12月前",
    "≤12月",
    "7月30日前完成",
    "年内完成5个",
    "年底前完成3项",
    "年内5个",
    "满意度≥95%以下",
    "≤5以上",
    "达5以上",
    "覆盖率提升50%",
    "累计不超过预算总额17.25万元",
    "时间 ≤ 60",
    "时间≤ 60",
    "时间 60%",
    "a\u03015%",
    "≥5\u0301个",
    "5個",
    "≥95％以上",
    "100%完成",
    "百分比5",
    "5百分比",
    "≥²5",
    "①5个",
]


def _generated_targets():
    from bench.generate import TARGETS, TIANJIN_TARGETS, YEAR_TARGETS

    return {*TARGETS, *TIANJIN_TARGETS, *(f"{o}{v}{u}" for o, v, u in YEAR_TARGETS)}


def test_the_one_match_reading_agrees_on_hostile_and_generated_texts():
    for text in [*_HOSTILE, *_generated_targets()]:
        _assert_read_as_the_rules(text)


def test_the_one_match_reading_agrees_on_every_target_the_samples_print():
    from parsers.release import parse_release

    raw = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
    tables = [parse_release(path).tables["indicators"] for path in raw.glob("*.txt")]
    texts = {
        text
        for table in tables
        for column in ("indicator_name_zh", "period_target_zh", "annual_target_zh")
        for text in table[column].to_pylist()
        if text
    }
    assert len(texts) > 1000
    read_in_one_match = [t for t in texts if targets._USUAL.fullmatch(t)]
    assert len(read_in_one_match) > 500  # the shape is the common one, or the shortcut is moot
    for text in texts:
        _assert_read_as_the_rules(text)


def test_the_words_around_the_number_are_read_as_the_rules_read_them():
    # Every pair of operator word and suffix the lookup holds, with and without a unit, and
    # every pair it leaves out goes to the subject reading, which must refuse it too.
    for word in ("", *targets._PREFIX_BY_WORD):
        for suffix in ("", *targets._SUFFIX_BY_WORD):
            for unit in ("", "%", "个"):
                text = f"{word}5{unit}{suffix}"
                assert targets.parse_target.__wrapped__(text) == targets._read_general(text), text
            if (word, suffix) not in targets._USUAL_HEADS:
                assert targets._read_subject(word, "5", "", suffix, "x") is None


_WIDE_PIECES = st.sampled_from(
    ["，", "；", "（", "）", "：", "％", "a", "率", "5", "\u0301", "\u3099", "か", "Ａ", "。", " "]
    + ["\u3000", "①", "²", "ｶ", "\uff9e", ",", "(", "%"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_WIDE_PIECES, min_size=0, max_size=8).map("".join))
def test_the_cheap_fold_is_nfkc(text):
    assert text_module.nfkc(text) == unicodedata.normalize("NFKC", text)


def test_each_replaced_form_folds_to_one_ascii_character_alone():
    # The ground of nfkc: such a replacement changes no neighbour's folding.
    for wide, narrow in text_module._WIDE_PUNCTUATION:
        assert unicodedata.normalize("NFKD", wide) == narrow
        assert len(narrow) == 1 and narrow.isascii()


def test_the_usual_shape_admits_only_characters_nfkc_leaves_alone():
    """The ground of _USUAL's match needing no NFKC check: a text of these characters is its own
    NFKC form, since each is its own compatibility decomposition, opens no reordering (combining
    class 0) and ends no composed character (the second half of no canonical pair; Hangul's
    vowels and trailing consonants are such halves too)."""
    inert = re.compile(f"[{targets._NFKC_INERT}]")
    second_halves = {chr(code) for code in [*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)]}
    for code in range(0x110000):
        decomposition = unicodedata.decomposition(chr(code)).split()
        if len(decomposition) == 2 and not decomposition[0].startswith("<"):
            second_halves.add(chr(int(decomposition[1], 16)))
    admitted = [chr(code) for code in range(0x110000) if inert.fullmatch(chr(code))]
    assert len(admitted) == 94 + 0x9FFF - 0x4E00 + 1 + 2
    for character in admitted:
        assert unicodedata.normalize("NFKD", character) == character, hex(ord(character))
        assert unicodedata.combining(character) == 0, hex(ord(character))
        assert character not in second_halves, hex(ord(character))
    # And so the match's own texts: one of each kind of the samples' usual targets, full-width
    # forms refused.
    for text in ("≥95%", "不少于883名", "满意度达到85分以上", "节省率≤0%", "100%"):
        assert targets._USUAL.fullmatch(text)
    for text in ("≥９５%", "≥95％", "不少于883名\u0301", "≥95%\u3099"):
        assert targets._USUAL.fullmatch(text) is None


# --- shortcuts of is_placeholder and of digit-free targets give what the full rules give ----


def test_no_ideograph_outside_the_placeholder_words_changes_under_nfkc():
    """The ground of is_placeholder's shortcut: such an ideograph survives folding, in context."""
    for code in range(0x4E00, 0xA000):
        character = chr(code)
        if targets._OTHER_IDEOGRAPH.search(character):
            assert unicodedata.normalize("NFKC", f"a{character}\u0301") == f"a{character}\u0301"
        else:
            assert character in targets._PLACEHOLDER_IDEOGRAPHS


def _placeholder_in_full(text):
    """is_placeholder without its shortcut: fold, then the placeholder pattern."""
    if text is None:
        return False
    folded = targets.normalize_target_text(text)
    return bool(folded) and targets._PLACEHOLDER.fullmatch(folded) is not None


def _rules_in_full(text):
    """parse_target by rules 1-6 as written, every rule tried in order (no shortcut)."""
    if text is None or not text.strip():
        return ParsedTarget("missing", text=text)
    folded = targets.normalize_target_text(text)
    if not folded:
        return ParsedTarget("missing", text=text)
    if targets._PLACEHOLDER.fullmatch(folded):
        return ParsedTarget("placeholder", text=text)
    if targets._DEADLINE_WORDS.fullmatch(folded) or _dated_in_full(folded):
        return ParsedTarget("deadline", text=text)
    numeric = targets._parse_numeric(folded, text)
    if numeric is not None:
        return numeric
    if not targets._NUMBER.search(folded) and folded.endswith(targets._CHANGE_VERBS):
        return ParsedTarget("direction", text=text)
    return ParsedTarget("qualitative", text=text)


_PIECES = st.sampled_from(
    [
        "待单位补充",
        "涉密",
        "项目",
        "SM",
        "Ｓ",
        "...",
        "…",
        "．．",
        " ",
        "\u3000",
        "。",
        "年底前",
        "按时",
        "完成",
        "提高",
        "有所",
        "下降",
        "名称",
        "⽬",
        "（",
        "）",
        "95",
        "%",
        "≥",
        "年",
        "月",
        "前",
        "１２",
        "日",
        "发放",
        "\u0301",
        "a",
    ]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, min_size=0, max_size=8).map("".join))
def test_shortcuts_agree_with_the_full_rules_on_built_texts(text):
    assert targets.is_placeholder.__wrapped__(text) == _placeholder_in_full(text)
    assert targets.parse_target.__wrapped__(text) == _rules_in_full(text)
    assert targets.is_placeholder.__wrapped__(text) == (
        targets.parse_target.__wrapped__(text).kind == "placeholder"
    )


def test_shortcuts_agree_with_the_full_rules_on_every_sample_text():
    from parsers.release import parse_release

    raw = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
    tables = [parse_release(path).tables["indicators"] for path in raw.glob("*.txt")]
    texts = {
        text
        for table in tables
        for column in ("indicator_name_zh", "period_target_zh", "annual_target_zh")
        for text in table[column].to_pylist()
    }
    assert len(texts) > 1000
    for text in texts:
        assert targets.is_placeholder.__wrapped__(text) == _placeholder_in_full(text), text
        assert targets.parse_target.__wrapped__(text) == _rules_in_full(text), text


# --- the operator words looked up by their length, dates looked for only where 年/月 is ----------


def _prefix_in_full(before):
    """_split_prefix_operator as written first: every operator word tried in turn."""
    for word, operator in targets._PREFIX_OPERATORS:
        if before.endswith(word):
            return operator, before[: -len(word)].rstrip()
    found = [
        (before.rfind(word), word, operator)
        for word, operator in targets._WORD_OPERATORS
        if word in before
    ]
    if found:
        position, word, operator = max(found, key=lambda hit: (hit[0] + len(hit[1]), len(hit[1])))
        return operator, before[:position].rstrip()
    return None, before


def test_every_operator_word_comes_before_the_words_it_ends_with():
    words = [word for word, _ in targets._PREFIX_OPERATORS]
    assert len(set(words)) == len(words)
    for index, word in enumerate(words):
        for later in words[index + 1 :]:
            assert not later.endswith(word), (word, later)


_BEFORE = st.sampled_from(
    [word for word, _ in targets._PREFIX_OPERATORS]
    + ["满意度", "率", " ", "于", "或", "不", "等", "a", "达", "=", ">", "。", "累计"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_BEFORE, min_size=0, max_size=5).map("".join))
def test_operator_lookup_agrees_with_trying_every_word(before):
    assert targets._split_prefix_operator(before) == _prefix_in_full(before)


_DATE_PIECES = st.sampled_from(
    ["2026", "12", "31", "7", "年", "年度", "月", "月份", "日", "底", "末", "前", "之前", "完成"]
    + ["内", " ", "按时", "年底前", "年内", "5个", "≤", "个月", "天", "以前", "执行完毕"]
)


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(
        _DATE_PIECES.filter(lambda piece: "年" not in piece and "月" not in piece),
        min_size=0,
        max_size=7,
    ).map("".join)
)
def test_a_text_without_year_or_month_holds_no_date(folded):
    # _is_dated answers no for such a text before running the date patterns: this is the
    # ground it stands on, checked on the patterns themselves.
    assert targets._YEAR_DATE.search(folded) is None
    assert targets._MONTH_DATE.search(folded) is None


def test_targets_are_parsed_targets():
    for text in (None, "", "涉密", "≥95%", "满意度提升5%", "按时完成", "2026年底前", "好"):
        assert type(targets.parse_target.__wrapped__(text)) is ParsedTarget


def _dated_in_full(folded):
    """The date rule as first written: every position a date covers, then the rest."""
    dates = list(targets._YEAR_DATE.finditer(folded)) + list(targets._MONTH_DATE.finditer(folded))
    if not dates:
        return False
    covered = set()
    for date in dates:
        covered.update(range(date.start(), date.end()))
    return not any(c.isdigit() for position, c in enumerate(folded) if position not in covered)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_DATE_PIECES | st.sampled_from(["²", "①", "\u0661", "a"]), max_size=9).map("".join))
def test_dates_found_by_their_gaps_agree_with_covered_positions(folded):
    assert targets._is_dated(folded) == _dated_in_full(folded)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES | _DATE_PIECES, min_size=0, max_size=8).map("".join))
def test_one_match_for_placeholder_and_timeliness_agrees_with_the_two_patterns(text):
    words = targets._WORDS_ONLY.fullmatch(text)
    placeholder = targets._PLACEHOLDER.fullmatch(text) is not None
    deadline = targets._DEADLINE_WORDS.fullmatch(text) is not None
    assert not (placeholder and deadline)
    assert (words.lastgroup if words else None) == (
        "placeholder" if placeholder else "deadline" if deadline else None
    )


def test_a_name_settled_by_its_first_character_agrees_with_the_full_reading():
    # The first-character test and the ideograph search must draw the same line, at both ends
    # of the range and on the nine ideographs a placeholder may hold.
    edges = ["\u4dff", "\u4e00", "\u9fff", "\ua000", "⽬", *targets._PLACEHOLDER_IDEOGRAPHS]
    for first in edges:
        for rest in ("", "涉密", "...", "项目名称", " ", "SM"):
            text = first + rest
            assert targets.is_placeholder.__wrapped__(text) == _placeholder_in_full(text), text


def test_named_bounds_clear_exactly_the_names_opening_with_another_ideograph():
    # The parsers skip is_placeholder where bisect_right of the name among the openings is odd:
    # that must happen only where is_placeholder is False, and (to spare its cache) for every
    # name opening with an ideograph none of the placeholder words holds.
    tails = ["", "涉密", "SM", "待单位补充", "……", " ", "项目", "甲"]
    for code in range(0x4D00, 0xA100):
        first = chr(code)
        other = "\u4e00" <= first <= "\u9fff" and first not in targets._PLACEHOLDER_IDEOGRAPHS
        for tail in tails:
            name = first + tail
            cleared = bool(bisect_right(targets.OTHER_IDEOGRAPH_OPENINGS, name) & 1)
            assert cleared == other, name
            assert not (cleared and is_placeholder.__wrapped__(name)), name
    for name in ["", "SM", "..", "涉密", "待单位补充", "项目", "\u3000涉密"]:
        assert not bisect_right(targets.OTHER_IDEOGRAPH_OPENINGS, name) & 1, name


# --- texts settled by their words (_USUAL_WORDS): no number read, the same kind as the rules ----

_WORD_PIECES = st.sampled_from(
    ["在", "设备采购", "完成于", "提高", "医疗保障", "持续", "下降", "向好", "有效", "率", "减轻"]
    + ["涉密", "项目", "SM", "...", "…", "待单位补充", "按时", "及时", "完成", "发放", "年内"]
    + ["年底前", "2024", "12024", "202", "12", "7", "123", "年", "年度", "月", "月份", "日"]
    + ["底", "末", "前", "之前", "以前", "内", "完", "执行完毕", "5", "５", "①", "²", "\u0661"]
    + [" ", "\n", "\t", "\u3000", "。", "，", "、", ";", "；", "(", "（", ")", "%", "≥", "a"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_WORD_PIECES, min_size=0, max_size=9).map("".join))
def test_texts_settled_by_their_words_read_as_the_rules_read_them(text):
    _assert_read_as_the_rules(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("提高医疗保障", "qualitative"),
        ("力争全区案件类警情持续下降", "direction"),
        ("涉密项目", "placeholder"),
        ("按时发放", "deadline"),
        ("年内完成5个", "deadline"),
        ("在2024年12月31日前", "deadline"),
        ("2025年9月底前完成服装、装备购置工作", "deadline"),
        ("2026年度完成主体项目采购并签订合同", "deadline"),
        ("2024年10月", "deadline"),
        ("在10月份之前完成", "deadline"),
        ("7月30日前完成", "deadline"),
    ],
)
def test_the_words_route_takes_the_usual_word_and_date_texts(text, kind):
    # Each is settled by _USUAL_WORDS alone (no fold, no number read), as the rules settle it.
    words = targets._USUAL_WORDS.fullmatch(text)
    assert words is not None
    assert targets._WORD_KINDS[words.lastindex or 0] == kind == targets._read_general(text).kind


@pytest.mark.parametrize(
    "text",
    ["下降。", " 提高", "2024年12月31日前5个", "12024年前", "123月前", "2024年 前", "≤12月"]
    + ["2024年10月xyz", "提高5", "年内完成\n5个", "", "。"],
)
def test_the_words_route_leaves_other_texts_to_the_rules(text):
    assert targets._USUAL_WORDS.fullmatch(text) is None


def test_each_group_of_the_words_route_has_its_kind():
    assert targets._USUAL_WORDS.groups == len(targets._WORD_KINDS) - 1


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.sampled_from(["5", "12", "(", ")", "（", "条", "个个个个个", " ", "a", "≥", "8000"]),
        max_size=8,
    ).map("".join)
)
def test_the_bracketed_unit_function_is_the_template(text):
    assert targets._BRACKETED_UNIT.sub(targets._unbracketed_unit, text) == (
        targets._BRACKETED_UNIT.sub(r"\1\2", text)
    )


_DATE_TEXT = st.tuples(
    st.sampled_from(["", "在", "设备采购完成于", " ", "。", "5个", "按时"]),
    st.sampled_from(["2024", "12024", "202", "12", "7", "123", "", "２０２４"]),
    st.sampled_from(["年", "年度", "月", "月份", "日", "", " 年"]),
    st.sampled_from(["", "10月", "9月30日", "1月份", "123月", "5日", "12月 31日"]),
    st.sampled_from(["", "底", "末", " 底"]),
    st.sampled_from(["前", "之前", "以前", "内", "完成", "完", "执行完毕", "后", "", "份", "止"]),
    st.sampled_from(["", "完成服装、装备购置工作", "5个", "。", " ", "采购", "\n"]),
).map("".join)


@settings(max_examples=3000, deadline=None)
@given(_DATE_TEXT)
def test_dates_settled_by_their_words_read_as_the_rules_read_them(text):
    _assert_read_as_the_rules(text)


# Dates one step off the printed date _USUAL_WORDS takes: a digit too many or too few, a space,
# a word the date patterns do not end with, a second number.
_NEAR_DATES = [
    "2024年123月前",
    "2024年10月123日前",
    "2024年1月份前",
    "2024年后",
    "2024年",
    "2024年度",
    "12024年前",
    "202年前",
    "2024年 前",
    "2024 年前",
    "2024年10 月前",
    "12月内",
    "12月",
    "123月前",
    "1月份之前",
    "12月31日",
    "2024年12月31日前5个",
    "5个2024年12月31日前",
    "2024年12月31日前，2025年1月前",
    "２０２４年前",
    "2024年底",
    "2024年末完成",
    "2024年底之前",
]


@pytest.mark.parametrize("text", _NEAR_DATES)
def test_dates_one_step_off_read_as_the_rules_read_them(text):
    assert targets.parse_target.__wrapped__(text) == targets._read_general(text)
