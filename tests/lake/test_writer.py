from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lake import writer as lake
from lake.contract import file_schema
from lake.writer import partition_path, read_partition, write_partition


def _projects(release_id: str, totals: list[str]) -> pd.DataFrame:
    n = len(totals)
    return pd.DataFrame(
        {
            "release_id": [release_id] * n,
            "source_file": [f"{release_id}.txt"] * n,
            "project_id": [f"{i:016x}" for i in range(n)],
            "project_seq": list(range(1, n + 1)),
            "unit_id": ["u1"] * n,
            "unit_name_zh": ["示例局"] * n,
            "project_name_zh": [f"项目{i}" for i in range(n)],
            "project_name_key": [f"项目{i}" for i in range(n)],
            "total_wan": [Decimal(t) for t in totals],
            "fiscal_wan": [Decimal(t) for t in totals],
            "special_account_wan": [Decimal("0.00")] * n,
            "other_wan": [None] * n,
            "bond_wan": [Decimal("0.00")] * n,
            "currency_unit_zh": ["万元"] * n,
            "amount_conversion": [None] * n,
            "goal_zh": [None] * n,
            "purpose_zh": [None] * n,
            "indicators_raw_zh": [""] * n,
            "n_indicators": [0] * n,
            "is_classified": [False] * n,
            "is_bond_table": [False] * n,
            "flags": [""] * n,
            "source_line": pd.array(range(12, 12 + n), dtype="Int64"),
            "source_line_end": list(range(12, 12 + n)),
        }
    )


def _declared_totals(total: str) -> pd.DataFrame:
    amount = Decimal(total)
    return pd.DataFrame(
        {
            "release_id": ["r1"],
            "source_file": ["r1.txt"],
            "subject": ["合计"],
            "total_wan": [amount],
            "fiscal_wan": [amount],
            "special_account_wan": [Decimal("0.00")],
            "other_wan": [Decimal("0.00")],
            "source_line": [10],
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
    assert schema.field("is_classified").type == pa.bool_()
    assert schema.field("source_line").type == pa.int64()
    assert schema.remove_metadata() == file_schema("projects")


def test_write_partition_leaves_release_id_to_the_folder_and_reads_it_back(tmp_path):
    path = write_partition(_projects("r1", ["1.00"]), "projects", "r1", tmp_path)

    assert "release_id" not in pq.read_schema(path).names
    assert read_partition(tmp_path, "projects", "r1")["release_id"].tolist() == ["r1"]


def test_write_partition_refuses_a_frame_missing_a_contract_column(tmp_path):
    frame = _projects("r1", ["1.00"]).drop(columns=["bond_wan"])

    with pytest.raises(ValueError, match=r"lake table projects.*missing \['bond_wan'\]"):
        write_partition(frame, "projects", "r1", tmp_path)


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


def test_write_partition_types_all_null_columns_by_the_contract(tmp_path):
    frame = pd.DataFrame(
        {column: [None] for column in file_schema("indicators").names} | {"release_id": ["r1"]}
    )

    path = write_partition(frame, "indicators", "r1", tmp_path)

    schema = pq.read_schema(path)
    assert schema.field("printed_number").type == pa.int64()
    assert schema.field("level1_code").type == pa.string()
    assert schema.field("target_value").type == pa.decimal128(38, 6)


def test_write_partition_gives_target_values_of_every_scale_one_type(tmp_path):
    # 95 (%), 99.5 (分) and 1,200,000 (人次) used to make decimal(2,0), (3,1) and (7,0) files.
    for release_id, value in (("r1", "95"), ("r2", "99.5"), ("r3", "1200000")):
        frame = pd.DataFrame(
            {column: [None] for column in file_schema("indicators").names}
            | {"release_id": [release_id], "target_value": [Decimal(value)]}
        )
        write_partition(frame, "indicators", release_id, tmp_path)

    types = {
        release_id: pq.read_schema(partition_path(tmp_path, "indicators", release_id))
        .field("target_value")
        .type
        for release_id in ("r1", "r2", "r3")
    }
    assert set(types.values()) == {pa.decimal128(38, 6)}
    assert read_partition(tmp_path, "indicators", "r2")["target_value"].tolist() == [
        Decimal("99.5")
    ]


def test_write_partition_killed_mid_write_leaves_the_old_file_and_converges(tmp_path):
    # A process dies (os._exit, no cleanup) half-way through writing the temp file.
    import subprocess
    import sys
    import textwrap

    old = _declared_totals("1.00")
    target = write_partition(old, "declared_totals", "r1", tmp_path)
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
        frame = pd.read_parquet({str(target)!r})
        frame["total_wan"] = [Decimal("2.00")]
        lake.write_partition(
            frame, "declared_totals", "r1", __import__("pathlib").Path({str(tmp_path)!r})
        )
        """
    )
    killed = subprocess.run([sys.executable, "-c", script], check=False)
    assert killed.returncode == 9
    leftovers = [p.name for p in target.parent.iterdir() if p.name != target.name]
    assert leftovers and all(name.endswith(".tmp") for name in leftovers)
    assert read_partition(tmp_path, "declared_totals", "r1")["total_wan"].tolist() == [
        Decimal("1.00")
    ]

    write_partition(old, "declared_totals", "r1", tmp_path)
    assert [p.name for p in target.parent.iterdir()] == [target.name]
