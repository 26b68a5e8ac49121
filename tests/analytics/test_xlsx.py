"""analytics.xlsx: Excel reads back real dates and numbers, text as typed, and valid sheet names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from analytics.xlsx import MAX_SHEET_NAME, Sheet, safe_sheet_name, write_workbook, write_xlsx


def _read(path, sheet: str | None = None):
    workbook = openpyxl.load_workbook(path)
    return workbook[sheet] if sheet else workbook.active


def test_write_xlsx_stores_dates_as_excel_dates_shown_as_iso(tmp_path):
    path = tmp_path / "dates.xlsx"

    write_xlsx(
        path,
        ["published_on", "loaded_at"],
        [(dt.date(2025, 1, 20), dt.datetime(2025, 1, 20, 9, 30, tzinfo=dt.UTC))],
    )

    sheet = _read(path)
    assert sheet["A2"].is_date and sheet["A2"].value == dt.datetime(2025, 1, 20)
    assert sheet["A2"].number_format == "yyyy-mm-dd"
    assert sheet["B2"].is_date and sheet["B2"].value == dt.datetime(2025, 1, 20, 9, 30)


def test_write_xlsx_stores_amounts_and_booleans_as_values(tmp_path):
    path = tmp_path / "numbers.xlsx"

    write_xlsx(path, ["total_wan", "n", "is_classified"], [(Decimal("1989.76"), 16, True)])

    assert [cell.value for cell in _read(path)[2]] == [1989.76, 16, True]


def test_write_xlsx_keeps_text_that_looks_like_a_formula_number_or_link_as_text(tmp_path):
    path = tmp_path / "text.xlsx"
    texts = ("=1+1", "007", "http://example.invalid/x", "广州市公安局\\t辅警")

    write_xlsx(path, ["a", "b", "c", "d"], [texts])

    row = _read(path)[2]
    assert tuple(cell.value for cell in row) == texts
    assert all(cell.data_type == "s" for cell in row)


def test_write_xlsx_leaves_null_cells_empty(tmp_path):
    path = tmp_path / "nulls.xlsx"

    write_xlsx(path, ["a", "b"], [(None, "x")])

    assert _read(path)["A2"].value is None


def test_write_xlsx_widens_columns_for_chinese_text(tmp_path):
    path = tmp_path / "widths.xlsx"

    write_xlsx(path, ["a", "b"], [("广州市公安局", "abcdef")])

    sheet = _read(path)
    # 广州市公安局 takes 12 terminal columns, abcdef 6; both plus a margin of 2.
    assert sheet.column_dimensions["A"].width == pytest.approx(14, abs=1)
    assert sheet.column_dimensions["B"].width == pytest.approx(8, abs=1)


def test_write_workbook_makes_clashing_sheet_names_unique(tmp_path):
    path = tmp_path / "two.xlsx"

    names = write_workbook(path, [Sheet("Result", ["a"], [(1,)]), Sheet("result", ["a"], [(2,)])])

    assert names == ["Result", "result (2)"]
    assert openpyxl.load_workbook(path).sheetnames == names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2024/2025 [广州]: a*b?c\\d", "2024_2025 _广州__ a_b_c_d"),
        ("'quoted'", "quoted"),
        ("", "Sheet"),
        ("History", "History_"),
    ],
)
def test_safe_sheet_name_replaces_what_excel_forbids(name, expected):
    assert safe_sheet_name(name) == expected


def test_safe_sheet_name_cuts_to_31_characters_and_keeps_the_number_when_taken():
    long_name = "广州市政务服务和数据管理局2024-2027年广州市数字政府项目"

    first = safe_sheet_name(long_name)
    second = safe_sheet_name(long_name, taken=[first])

    assert len(first) == MAX_SHEET_NAME and first == long_name[:MAX_SHEET_NAME]
    assert len(second) == MAX_SHEET_NAME and second.endswith(" (2)")
