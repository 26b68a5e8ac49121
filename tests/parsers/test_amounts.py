from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.amounts import (
    AmountError,
    _plain_number,
    _read_amount,
    parse_amount_wan,
    plain_cents,
    to_cents_of_wan,
)


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


# Characters of printed amounts, the usual and the odd: the fast reading of a plain number
# (ASCII digits, commas, one inner point) must give what the general reading gives, and
# leave everything else to it.
@settings(max_examples=3000, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("0123456789,.-+ ") + ["１", "万元", "元", "\u00a0"]), max_size=12
    ).map("".join),
    st.sampled_from(["万元", "元"]),
)
def test_plain_numbers_read_as_the_general_reading(text, unit):
    if _plain_number(text) is None:
        return
    value = parse_amount_wan.__wrapped__(text, unit)
    expected = _read_amount(text, unit)
    assert (str(value), type(value)) == (str(expected), type(expected))


def test_plain_numbers_are_most_printed_amounts():
    assert [_plain_number(text) for text in ("2,457.51", "141.06", "0", "12.", ".5", "")] == [
        "2457.51",
        "141.06",
        "0",
        None,
        None,
        None,
    ]


# A number plainly printed to the cent is read as Decimal(text less commas): it must be what
# the general reading, rounded to the cent, gives (value and exponent), and be common.
@settings(max_examples=3000, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("0123456789,.-+ ") + ["１", "万元", "\u00a0", "e", "_"]), max_size=24
    ).map("".join)
)
def test_plain_cents_read_as_the_general_reading_rounded(text):
    cents = plain_cents(text)
    if cents is None:
        return
    expected = to_cents_of_wan(parse_amount_wan.__wrapped__(text, "万元"))
    assert repr(Decimal(cents)) == repr(expected)


def test_plain_cents_are_most_printed_amounts():
    texts = ("2,457.51", "141.06", "0.00", "12.5", "12", "1.005", "-1.00", "１.00", "")
    assert [plain_cents(text) for text in texts] == [
        "2457.51",
        "141.06",
        "0.00",
        None,
        None,
        None,
        None,
        None,
        None,
    ]
