"""The fast readings of Guangzhou indicator cells give what the careful readings give.

A cell of the usual shape is read whole (``_read_usual_cell``: one findall, one cached read
per item text) and an item of the long or short form is read from its raw text
(``_read_common_form`` on the text before ``_split_guangzhou_item`` strips it). Both stand in
for slower readings under conditions meant to make them give exactly the same columns,
flags, warnings and offsets; these tests hold them to that on every indicator cell of the
samples and on strings built from the characters the conditions are about.
"""

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from parsers.indicators import (
    _ITEM_END,
    _ITEM_FOLLOWS,
    _LABEL,
    _LONG_LEVELS,
    _TARGET_KIND,
    _TRIMMED_LONG_FORM,
    _TRIMMED_SHORT_FORM,
    _USUAL_FORMS,
    _USUAL_LONG_FORM,
    _USUAL_SHORT_FORM,
    _careful_usual_row,
    _clean_html,
    _is_plain,
    _level_flags,
    _read_cell_by_items,
    _read_common_form,
    _read_general_form,
    _read_item,
    _read_usual_cell,
    _split_guangzhou_item,
    _split_labelled_item,
    _stored_flags,
    _usual_row,
)
from parsers.targets import is_placeholder, parse_target

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"

# Pieces of items: numbers (also too long, full-width, zero-led), both forms' levels, the
# labelled form, markers with and without colons, targets, separators, spaces, markup, the
# ``、`` that opens items and the ``-`` that marks a swallowed item.
PIECES = st.sampled_from(
    [
        "1、",
        "2、",
        "12、",
        "1234、",
        "１、",
        "01、",
        "、",
        "1-产出指标；",
        "11-数量指标；",
        "31-服务对象满意度；",
        "2-效益指标；",
        "产出指标：",
        "数量指标:",
        "一级指标：",
        "指标名称：",
        "产出：",
        "名",
        "办结率",
        "实施周期指标值:",
        "实施周期指标值：",
        "实施周期指标值",
        "年度指标值:",
        "年度指标值：",
        "年度指标值",
        "指标值：",
        "≥95%",
        "100%",
        "涉密",
        "2024-2026",
        "-",
        "。",
        "；",
        ";",
        " ",
        "\u3000",
        "\n",
        ">",
        "<p>",
        "<br/>",
        "<3次",
        "&lt;",
        "人力、时间",
    ]
)


# Whole items, mostly of the usual forms, with the same odd pieces in every slot now and then,
# so that the fast paths apply often and their conditions are tried at every edge.
NUMBER = st.sampled_from(
    ["1、", "2、", "3、", "12、", "1、", "1234、", "１、", "01、", " 1、", "1 、"]
)
LEVELS = st.sampled_from(
    [
        "1-产出指标；11-数量指标；",
        "2-效益指标；22-社会效益；",
        "3-满意度指标；31-服务对象满意度；",
        "1-数量指标；11-数量指标；",
        "1-产出；11-数量指标；",
        "1 -产出指标；11-数量指标；",
        "产出指标：",
        "效益指标:",
        "一级指标：",
        "数量指标：",
        "",
    ]
)
FIELD = st.sampled_from(
    ["名", "办结率", "涉密", "2024-2026", "、", "。", "；", " ", "", "<p>", "人力、时间", "1、2"]
)
PERIOD = st.sampled_from(["实施周期指标值:", "实施周期指标值：", "实施周期指标值 ", ""])
ANNUAL = st.sampled_from(["年度指标值:", "年度指标值：", "年度指标值", "指标值：", ""])
TARGET = st.sampled_from(["≥95%", "100%", "", "涉密", "提升", "2024-2026", "&lt;5", "<3次", "<br>"])
END = st.sampled_from(["。", "。 ", "；", " ", "", "。\u3000", "\n", ">", "、"])
ITEM = st.tuples(NUMBER, LEVELS, FIELD, PERIOD, TARGET, ANNUAL, TARGET, END).map("".join)


def _sample_cells() -> list[str]:
    return [
        cell
        for path in sorted(RAW.glob("guangzhou-*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        for cell in line.split("\t")
        if "、" in cell
    ]


def test_usual_cells_read_as_item_by_item_on_every_sample_cell():
    cells = _sample_cells()
    usual = [(cell, _read_usual_cell(cell)) for cell in cells]
    read = [(cell, columns) for cell, columns in usual if columns is not None]
    # Most sample cells take the fast path, so the comparison is not empty.
    assert len(read) > len(cells) // 2
    for cell, columns in read:
        assert columns == _read_cell_by_items(cell)[0], cell


@settings(max_examples=2000, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=14).map("".join))
def test_usual_cells_read_as_item_by_item_on_built_strings(text):
    columns = _read_usual_cell(text)
    if columns is not None:
        assert columns == _read_cell_by_items(text)[0]


@settings(max_examples=2000, deadline=None)
@given(st.lists(ITEM, min_size=1, max_size=6).map("".join))
def test_usual_cells_read_as_item_by_item_on_built_items(text):
    columns = _read_usual_cell(text)
    if columns is not None:
        assert columns == _read_cell_by_items(text)[0]


@settings(max_examples=2000, deadline=None)
@given(ITEM.map(lambda item: item.split("、", 1)[1]))
def test_common_form_on_raw_text_reads_as_the_careful_reading_on_built_items(raw):
    _check_common_form(raw)


def _careful(raw: str) -> tuple[str | None, ...]:
    """What _split_guangzhou_item reads from an item's text, without the common form."""
    body = _clean_html(raw).strip().rstrip(_ITEM_END).strip()
    if _LABEL.match(body):
        return tuple(_split_labelled_item(body))
    return tuple(_read_general_form(body))


@settings(max_examples=2000, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=10).map("".join))
def test_common_form_on_raw_text_reads_as_the_careful_reading(raw):
    _check_common_form(raw)


def _check_common_form(raw: str) -> None:
    if not raw or raw[0].isspace() or not _is_plain(raw):
        return  # _read_item reads such texts the careful way only
    fields = _read_common_form(raw)
    if fields is not None:
        assert fields == _careful(raw)


def test_common_form_reads_most_sample_items_as_the_careful_reading():
    raws = [
        piece
        for cell in _sample_cells()
        for piece in cell.split("、")[1:]
        if piece and not piece[0].isspace() and _is_plain(piece)
    ]
    read = [(raw, _read_common_form(raw)) for raw in raws]
    assert sum(fields is not None for _, fields in read) > len(raws) // 2
    for raw, fields in read:
        if fields is not None:
            assert fields == _careful(raw), raw


def _item_in_full(raw: str) -> tuple:
    """_read_item as it read every item before the trimmed forms and the one flags call."""
    fields = None
    # Markup is a tag or an entity: a bare ``<`` (``<3次``) leaves the text as it is
    # (test_plain_text_is_its_own_clean_html).
    plain = _is_plain(raw)
    if plain and raw and not raw[0].isspace():
        fields = _read_common_form(raw)
    if fields is None:
        fields = _split_guangzhou_item.__wrapped__(_clean_html(raw))
    level1_code, level1, level2_code, level2, name, period, annual = fields
    level_flags = _level_flags(level1, level2)
    target = parse_target(annual)
    text_values = (
        *(level1_code, level1, level2_code, level2, name, None, period, annual),
        *(target.kind, target.operator, target.value, target.unit, target.is_quantified),
        parse_target(period).kind if period else None,
    )
    if is_placeholder(name) or is_placeholder(period) or is_placeholder(annual):
        target_flags = ("placeholder",) + (("missing_annual_target",) if annual is None else ())
    else:
        target_flags = () if annual is not None else ("missing_annual_target",)
    flags = level_flags + target_flags
    # A placeholder target flags the item ``placeholder``: a classified project stores the same.
    assert text_values[_TARGET_KIND] != "placeholder" or "placeholder" in flags
    stored = _stored_flags(flags)
    annual_marker = raw.find("年度指标值")
    usual = (
        plain
        and _ITEM_FOLLOWS.match(raw) is not None
        and (annual_marker == -1 or raw.find("-", annual_marker) == -1)
    )
    misplaced = level1 if "level2_in_level1_slot" in level_flags else None
    return (
        (*text_values, stored),
        flags,
        misplaced,
        usual,
        (level_flags, target_flags),
    )


def test_item_reading_gives_the_full_reading_on_every_sample_item():
    raws = [piece for cell in _sample_cells() for piece in cell.split("、")[1:]]
    assert len(raws) > 1000
    for raw in raws:
        assert _read_item.__wrapped__(raw) == _item_in_full(raw), raw


@settings(max_examples=3000, deadline=None)
@given(ITEM.map(lambda item: item.split("、", 1)[1]))
def test_item_reading_gives_the_full_reading_on_built_items(raw):
    assert _read_item.__wrapped__(raw) == _item_in_full(raw)


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=10).map("".join))
def test_item_reading_gives_the_full_reading_on_built_strings(raw):
    assert _read_item.__wrapped__(raw) == _item_in_full(raw)


def _check_usual_forms(raw: str) -> None:
    """Where _read_item takes a usual form (one ``；`` around each field), the trimmed form
    (lazy fields) reads the same groups: the usual forms only save it the lazy steps."""
    for usual, trimmed, markers in (
        (_USUAL_LONG_FORM, _TRIMMED_LONG_FORM, 2),
        (_USUAL_SHORT_FORM, _TRIMMED_SHORT_FORM, 1),
    ):
        match = usual.fullmatch(raw)
        if match is not None and raw.count("指标值") == markers:
            careful = trimmed.fullmatch(raw)
            assert careful is not None and careful.groups() == match.groups(), raw


def test_usual_forms_read_as_the_trimmed_forms_on_every_sample_item():
    raws = [piece for cell in _sample_cells() for piece in cell.split("、")[1:]]
    taken = [
        raw for raw in raws if _USUAL_LONG_FORM.fullmatch(raw) or _USUAL_SHORT_FORM.fullmatch(raw)
    ]
    assert len(taken) > len(raws) // 2
    for raw in raws:
        _check_usual_forms(raw)


# Fields with separators, spaces and the ``；`` the usual forms hinge on, at either end.
EDGE = st.sampled_from(["", "。", "；", ";", " ", "\u3000", "\n", "\t", "。 ", "；。", "\xa0"])
EDGED_ITEM = st.tuples(
    st.sampled_from(["1-产出指标；11-数量指标；", "产出指标：", "产出指标:", "1-产出；11-数量；"]),
    EDGE,
    st.sampled_from(["名", "办结率", "a b", "名；名", "2-3"]),
    EDGE,
    st.sampled_from(
        ["实施周期指标值:", "实施周期指标值： ", "实施周期指标值", " 实施周期指标值:", ""]
    ),
    EDGE,
    st.sampled_from(["100%", "≥95%", "", "按时；完成", "a\u3000"]),
    EDGE,
    st.sampled_from(["年度指标值:", "年度指标值：", "年度指标值 \n：", "年度指标值"]),
    EDGE,
    st.sampled_from(["100%", "≥95%", "", "按时；完成", "1-2", "\u3000b"]),
    EDGE,
).map("".join)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(EDGED_ITEM, ITEM.map(lambda item: item.split("、", 1)[1])))
def test_usual_forms_read_as_the_trimmed_forms_on_built_items(raw):
    _check_usual_forms(raw)
    assert _read_item.__wrapped__(raw) == _item_in_full(raw)


@settings(max_examples=2000, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=10).map("".join))
def test_plain_text_is_its_own_clean_html(raw):
    # _read_item reads a plain text as it is, where the careful reading reads _clean_html's.
    if _is_plain(raw):
        assert _clean_html(raw) == raw


def _check_usual_row(raw: str) -> None:
    """The one-match row (_USUAL_FORMS and cached heads) is the full reading's, and where the
    combined pattern matches, its fields are the usual forms' (which the trimmed forms hold)."""
    assert _usual_row.__wrapped__(raw) == _careful_usual_row(raw), raw
    form = _USUAL_FORMS.fullmatch(raw)
    if form is not None:
        levels, name, period, annual, level1, short_name, short_annual = form.groups()
        if levels is not None:
            if _LONG_LEVELS.fullmatch(levels) is None:
                return  # _usual_row reads such levels the careful way (checked above)
            usual = _USUAL_LONG_FORM.fullmatch(raw)
            assert usual is not None, raw
            assert levels == raw[: usual.end(4) + 1]
            assert (name, period, annual) == usual.groups()[4:], raw
        else:
            usual = _USUAL_SHORT_FORM.fullmatch(raw)
            assert usual is not None and usual.groups() == (level1, short_name, short_annual)


def test_usual_row_reads_as_the_full_reading_on_every_sample_item():
    raws = [piece for cell in _sample_cells() for piece in cell.split("、")[1:]]
    taken = [raw for raw in raws if _USUAL_FORMS.fullmatch(raw) and _usual_row(raw)]
    assert len(taken) > len(raws) // 2
    for raw in raws:
        _check_usual_row(raw)


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        EDGED_ITEM,
        ITEM.map(lambda item: item.split("、", 1)[1]),
        st.lists(PIECES, min_size=1, max_size=10).map("".join),
    )
)
# A labelled short item hypothesis once found: the careful reading finds it usual.
@example("一级指标：1-产出指标；年度指标值:1、")
def test_usual_row_reads_as_the_full_reading_on_built_items(raw):
    _check_usual_row(raw)
