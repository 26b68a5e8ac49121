from decimal import Decimal

import pytest

from parsers.amounts import AmountError, parse_amount_wan


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("1,989.76", "万元", Decimal("1989.76")),  # baiyun 合计 row
        ("195,510.94", "万元", Decimal("195510.94")),  # public-security 合计 row
        ("１２.３０", "万元", Decimal("12.30")),  # full-width digits
        ("12 000.5", "万元", Decimal("12000.5")),  # space as thousands separator
        ("1\u00a0234.00", "万元", Decimal("1234.00")),  # non-breaking space
        ("70000000", "元", Decimal("7000")),  # Tianjin bond table, 1 万元 = 10,000 元
        ("70,000,000.00", "元", Decimal("7000")),
    ],
)
def test_parse_amount_wan_is_exact_in_wan(text, unit, expected):
    assert parse_amount_wan(text, unit=unit) == expected


@pytest.mark.parametrize("blank", ["", "  ", None, "-"])
def test_parse_amount_wan_reads_blank_as_no_amount(blank):
    assert parse_amount_wan(blank) is None


@pytest.mark.parametrize("bad", ["12x4", "约100", "1.2.3"])
def test_parse_amount_wan_rejects_text_that_is_not_a_number(bad):
    with pytest.raises(AmountError):
        parse_amount_wan(bad)


def test_parse_amount_wan_rejects_an_unknown_currency_unit():
    with pytest.raises(AmountError, match="unknown currency unit"):
        parse_amount_wan("1.00", unit="美元")


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("12.00万元", "万元", Decimal("12.00")),
        ("70000000元", "万元", Decimal("7000")),  # the cell's own unit wins over the table's
        ("3.5万元", "元", Decimal("3.5")),
    ],
)
def test_parse_amount_wan_reads_a_unit_printed_in_the_cell(text, unit, expected):
    assert parse_amount_wan(text, unit=unit) == expected
