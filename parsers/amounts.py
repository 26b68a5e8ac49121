"""Money as exact decimals in 万元: the only unit the platform stores.

Printed amounts carry thousands separators, full-width digits and stray spaces; a release (or
one table of it) may be in 元. Every amount becomes a Decimal in 万元 rounded to the cent of 万元
it was printed with, never a float. 1 万元 = 10,000 元.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

WAN = "万元"
YUAN = "元"
YUAN_PER_WAN = Decimal(10000)
CENT_OF_WAN = Decimal("0.01")
# What projects.amount_conversion says when a table printed in 元 was converted.
YUAN_TO_WAN_NOTE = "元→万元 ÷10000"

_AMOUNT = re.compile(r"^-?\d+(?:\.\d+)?$")
_UNIT_SUFFIX = re.compile(r"(万元|元)$")
_SEPARATORS = re.compile(r"[,\s\u00a0\u3000'_]")


class AmountError(ValueError):
    """A cell that should hold an amount does not."""


def normalise_amount_text(text: str) -> str:
    """Fold full-width characters and drop thousands separators and spaces."""
    folded = unicodedata.normalize("NFKC", text)
    return _SEPARATORS.sub("", folded)


@lru_cache(maxsize=65536)
def parse_amount_wan(text: str | None, unit: str = WAN) -> Decimal | None:
    """Parse a printed amount into 万元; blank means no amount (None).

    Raises:
        AmountError: the text is not a number.
    """
    if text is None:
        return None
    if (plain := _plain_number(text)) is not None:
        value = Decimal(plain)
        if unit == YUAN:
            return value / YUAN_PER_WAN
        if unit == WAN:
            return value
    return _read_amount(text, unit)


def _read_amount(text: str, unit: str) -> Decimal | None:
    """Any printed amount: folded, separators dropped, a unit suffix read, then checked."""
    cleaned = normalise_amount_text(text)
    if cleaned in {"", "-", "—", "－"}:
        return None
    if suffix := _UNIT_SUFFIX.search(cleaned):
        # A cell that prints its own unit (12.00万元, 70000000元) means that unit.
        unit = suffix.group(1)
        cleaned = cleaned[: suffix.start()]
    if not _AMOUNT.match(cleaned):
        raise AmountError(f"not an amount: {text!r}")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise AmountError(f"not an amount: {text!r}") from exc
    if unit == YUAN:
        value = value / YUAN_PER_WAN
    elif unit != WAN:
        raise AmountError(f"unknown currency unit {unit!r}; expected 万元 or 元")
    return value


def _plain_number(text: str) -> str | None:
    """The number of a cell printed as most are (``2,457.51``, ``141.06``), or None.

    ASCII digits, thousands commas and one inner point need none of what
    ``normalise_amount_text`` and the patterns do (NFKC leaves them alone, commas are the only
    separator, there is no unit suffix or sign), and this costs a fifth of it.
    """
    plain = text.replace(",", "")
    if (
        plain.isascii()
        and plain.replace(".", "", 1).isdigit()
        and plain[0] != "."
        and plain[-1] != "."
    ):
        return plain
    return None


def plain_cents(text: str) -> str | None:
    """The number of a cell plainly printed to the cent (``2,457.51``), or None.

    ASCII digits, commas and a point before two digits: read in 万元 such a number is
    already what ``to_cents_of_wan`` makes of it (same value, same exponent), so a reader
    can skip the general reading and the rounding. Twenty characters at most keeps it far
    inside the decimal context's 28 digits, beyond which rounding raises.
    """
    if len(text) <= 20 and _PLAIN_CENTS.fullmatch(text):
        return text.replace(",", "") if "," in text else text
    return None


_PLAIN_CENTS = re.compile(r"[0-9][0-9,]*\.[0-9][0-9]")


def is_amount(text: str | None) -> bool:
    """Whether a cell reads as an amount (blank counts as no)."""
    if text is None:
        return False
    return bool(_AMOUNT.match(_UNIT_SUFFIX.sub("", normalise_amount_text(text))))


def to_cents_of_wan(value: Decimal) -> Decimal:
    """Quantise to 0.01 万元, the precision every amount is stored with."""
    return value.quantize(CENT_OF_WAN)
