"""Typed frames equal what pandas infers from the same lists: same dtypes, same values."""

from decimal import Decimal

import pandas as pd
import pytest

from parsers.frames import build_frame

NAMES = (
    "release_id",
    "unit_code",
    "printed_number",
    "description_zh",
    "target_value",
    "is_quantified",
    "source_line",
)


def _inferred(columns: dict[str, list]) -> pd.DataFrame:
    data = dict(columns)
    data["source_line"] = pd.array(data["source_line"], dtype="Int64")
    return pd.DataFrame(data, columns=list(columns))


@pytest.mark.parametrize(
    "columns",
    [
        {  # every kind present and filled
            "release_id": ["r1", "r1"],
            "unit_code": ["341001", "341002"],
            "printed_number": [1, 2],
            "description_zh": ["硬件维护数量", "软件维护数量"],
            "target_value": [Decimal("95"), Decimal("0.5")],
            "is_quantified": [True, False],
            "source_line": [30, 36],
        },
        {  # missing values: str with None, int with None, all-None text, Decimal with None
            "release_id": ["r1", "r1"],
            "unit_code": [None, "341002"],
            "printed_number": [None, 2],
            "description_zh": [None, None],
            "target_value": [None, Decimal("12.15")],
            "is_quantified": [False, True],
            "source_line": [None, 36],
        },
        {  # an integer column with nothing in it
            "release_id": ["r1"],
            "unit_code": [None],
            "printed_number": [None],
            "description_zh": [None],
            "target_value": [None],
            "is_quantified": [False],
            "source_line": [12],
        },
    ],
)
def test_build_frame_types_columns_as_pandas_infers_them(columns):
    built = build_frame(NAMES, {name: list(values) for name, values in columns.items()})
    pd.testing.assert_frame_equal(built, _inferred(columns), check_exact=True)
    for name in NAMES:
        assert [type(v) for v in built[name]] == [type(v) for v in _inferred(columns)[name]]


def test_build_frame_keeps_the_empty_table_shape():
    built = build_frame(NAMES, {name: [] for name in NAMES})
    assert list(built.columns) == list(NAMES)
    assert built.empty
    assert str(built["source_line"].dtype) == "Int64"
    assert all(str(built[name].dtype) == "object" for name in NAMES[:-1])
