from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lake import writer as lake
from lake.writer import partition_path, read_partition, write_partition


def _projects(release_id: str, totals: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "release_id": [release_id] * len(totals),
            "project_id": [f"p{i}" for i in range(len(totals))],
            "total_wan": [Decimal(t) for t in totals],
            "other_wan": [None] * len(totals),
            "is_classified": [False] * len(totals),
            "source_line": pd.array(range(12, 12 + len(totals)), dtype="Int64"),
        }
    )


def test_write_partition_stores_money_as_decimal128_18_2(tmp_path):
    path = write_partition(_projects("r1", ["1318.29"]), "projects", "r1", tmp_path)

    schema = pq.read_schema(path)
    assert schema.field("total_wan").type == pa.decimal128(18, 2)
    assert schema.field("other_wan").type == pa.decimal128(18, 2)
    assert read_partition(tmp_path, "projects", "r1")["total_wan"].tolist() == [Decimal("1318.29")]


def test_write_partition_uses_hive_layout_under_parquet(tmp_path):
    path = write_partition(_projects("r1", ["1.00"]), "projects", "r1", tmp_path)

    assert path == tmp_path / "parquet" / "projects" / "release_id=r1" / "part-0.parquet"


def test_write_partition_writes_full_schema_when_frame_is_empty(tmp_path):
    empty = _projects("r1", []).astype({"release_id": object, "project_id": object})

    path = write_partition(empty, "projects", "r1", tmp_path)

    schema = pq.read_schema(path)
    assert pq.read_metadata(path).num_rows == 0
    assert schema.field("total_wan").type == pa.decimal128(18, 2)
    assert schema.field("release_id").type == pa.string()
    assert schema.field("is_classified").type == pa.bool_()
    assert schema.field("source_line").type == pa.int64()


def test_write_partition_replaces_only_its_own_partition(tmp_path):
    write_partition(_projects("r1", ["1.00", "2.00"]), "projects", "r1", tmp_path)
    write_partition(_projects("r2", ["5.00"]), "projects", "r2", tmp_path)
    stale = partition_path(tmp_path, "projects", "r1").with_name("part-1.parquet")
    stale.write_bytes(b"left over from an older run")

    write_partition(_projects("r1", ["3.00"]), "projects", "r1", tmp_path)

    assert read_partition(tmp_path, "projects", "r1")["total_wan"].tolist() == [Decimal("3.00")]
    assert read_partition(tmp_path, "projects", "r2")["total_wan"].tolist() == [Decimal("5.00")]
    assert not stale.exists()


def test_write_partition_keeps_old_file_and_no_temp_when_write_fails(tmp_path, monkeypatch):
    write_partition(_projects("r1", ["1.00"]), "projects", "r1", tmp_path)

    def write_half_then_fail(table, where, **kwargs):
        Path(where).write_bytes(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(lake.pq, "write_table", write_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        write_partition(_projects("r1", ["2.00"]), "projects", "r1", tmp_path)

    folder = partition_path(tmp_path, "projects", "r1").parent
    assert [p.name for p in folder.iterdir()] == ["part-0.parquet"]
    assert read_partition(tmp_path, "projects", "r1")["total_wan"].tolist() == [Decimal("1.00")]


def test_write_partition_rejects_money_with_more_than_two_decimals(tmp_path):
    with pytest.raises(ValueError, match="total_wan"):
        write_partition(_projects("r1", ["1.005"]), "projects", "r1", tmp_path)


def test_write_partition_types_columns_by_schema_hint_when_all_null(tmp_path):
    frame = pd.DataFrame({"release_id": ["r1"], "printed_number": [None], "unit_code": [None]})

    path = write_partition(
        frame, "indicators", "r1", tmp_path, dtype_hints={"printed_number": "Int64"}
    )

    schema = pq.read_schema(path)
    assert schema.field("printed_number").type == pa.int64()
    assert schema.field("unit_code").type == pa.string()


def test_write_partition_killed_mid_write_leaves_the_old_file_and_converges(tmp_path):
    # A process dies (os._exit, no cleanup) half-way through writing the temp file.
    import subprocess
    import sys
    import textwrap

    old = pd.DataFrame({"release_id": ["r1"], "total_wan": [Decimal("1.00")]})
    target = write_partition(old, "projects", "r1", tmp_path)
    script = textwrap.dedent(
        f"""
        import os
        from decimal import Decimal
        import pandas as pd
        import pyarrow.parquet as pq
        from lake import writer as lake

        def die_half_way(table, where, **kwargs):
            with open(where, "wb") as handle:
                handle.write(b"PAR1 half a file")
            os._exit(9)

        lake.pq.write_table = die_half_way
        frame = pd.DataFrame({{"release_id": ["r1"], "total_wan": [Decimal("2.00")]}})
        lake.write_partition(frame, "projects", "r1", __import__("pathlib").Path({str(tmp_path)!r}))
        """
    )
    killed = subprocess.run([sys.executable, "-c", script], check=False)
    assert killed.returncode == 9
    leftovers = [p.name for p in target.parent.iterdir() if p.name != target.name]
    assert leftovers and all(name.endswith(".tmp") for name in leftovers)
    assert read_partition(tmp_path, "projects", "r1")["total_wan"].tolist() == [Decimal("1.00")]

    write_partition(old, "projects", "r1", tmp_path)
    assert [p.name for p in target.parent.iterdir()] == [target.name]
