"""Bad input, generated from the real samples: each case is read correctly (with the decoding
recorded) or rejected with a ParseError naming the file and line. Nothing crashes otherwise."""

from decimal import Decimal

import pytest

from lake.frames import release_frames
from parsers.errors import ParseError
from parsers.reconciliation import reconcile, summarise
from parsers.release import parse_release

BAIYUN = "guangzhou-baiyun-political-legal-committee.txt"
TIANJIN = "tianjin-public-security-bureau.txt"


@pytest.fixture
def baiyun_text(raw_dir) -> str:
    return (raw_dir / BAIYUN).read_text(encoding="utf-8")


def _projects_total(path) -> Decimal:
    return sum(release_frames(parse_release(path))["projects"]["total_wan"], Decimal(0))


@pytest.mark.parametrize(
    ("encoding", "prefix", "recorded"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("gb18030", b"", "gb18030"),
        ("gbk", b"", "gb18030"),
    ],
)
def test_reencoded_release_reads_the_same_figures(
    tmp_path, baiyun_text, encoding, prefix, recorded
):
    path = tmp_path / BAIYUN
    path.write_bytes(prefix + baiyun_text.encode(encoding))
    tables = release_frames(parse_release(path))
    assert tables["releases"]["encoding"].item() == recorded
    assert sum(tables["projects"]["total_wan"], Decimal(0)) == Decimal("1989.76")


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_line_ends_keep_line_numbers(tmp_path, baiyun_text, newline):
    path = tmp_path / BAIYUN
    path.write_bytes(baiyun_text.replace("\n", newline).encode("utf-8"))
    projects = release_frames(parse_release(path))["projects"]
    assert projects["source_line"].iloc[0] == 12  # 公费医疗超支及自付经费, line 12 of the sample


def test_full_width_digits_and_odd_spaces_in_amounts_are_read(tmp_path, baiyun_text):
    text = baiyun_text.replace("1,989.76\t1,989.76", "１，９８９．７６\t1\u00a0989.76", 1)
    path = tmp_path / BAIYUN
    path.write_text(text, encoding="utf-8")
    totals = release_frames(parse_release(path))["declared_totals"]
    assert totals["total_wan"].item() == Decimal("1989.76")
    assert totals["fiscal_wan"].item() == Decimal("1989.76")


def test_truncated_mid_row_is_flagged_and_does_not_reconcile(tmp_path, baiyun_text):
    cut = baiyun_text.index("公务用车购置经费\t18.00") + len("公务用车购置经费\t18")
    path = tmp_path / BAIYUN
    path.write_text(baiyun_text[:cut], encoding="utf-8")
    tables = release_frames(parse_release(path))
    last = tables["projects"].iloc[-1]
    assert "short_row" in last["flags"]
    assert summarise(reconcile(tables))["mismatch"] > 0


def test_truncated_inside_an_amount_is_rejected_naming_the_line(tmp_path, baiyun_text):
    cut = baiyun_text.index("公务用车购置经费\t18.00") + len("公务用车购置经费\t18.")
    path = tmp_path / BAIYUN
    path.write_text(baiyun_text[:cut], encoding="utf-8")
    with pytest.raises(ParseError, match=r":29: column 总计: not an amount: '18\.'"):
        parse_release(path)


def test_truncated_mid_table_tianjin_keeps_complete_tables_and_warns(tmp_path, raw_dir):
    lines = (raw_dir / TIANJIN).read_text(encoding="utf-8").split("\n")
    path = tmp_path / TIANJIN
    path.write_text("\n".join(lines[:150]), encoding="utf-8")  # inside table 1's indicators
    tables = release_frames(parse_release(path))
    assert len(tables["projects"]) == 1
    assert tables["projects"]["total_wan"].item() == Decimal("12.15")


def test_corrupted_total_is_a_reconciliation_mismatch_not_a_crash(tmp_path, baiyun_text):
    path = tmp_path / BAIYUN
    path.write_text(baiyun_text.replace("合计\t1,989.76", "合计\t1,999.76", 1), encoding="utf-8")
    result = reconcile(release_frames(parse_release(path)))
    mismatch = result[result["status"] == "mismatch"]
    assert set(mismatch["difference_wan"]) == {Decimal("10.00")}


def test_duplicated_project_row_is_kept_and_flagged(tmp_path, baiyun_text):
    row = next(line for line in baiyun_text.split("\n") if line.startswith("信创工作经费\t"))
    path = tmp_path / BAIYUN
    path.write_text(baiyun_text.replace(row, row + "\n" + row, 1), encoding="utf-8")
    projects = release_frames(parse_release(path))["projects"]
    dup = projects[projects["project_name_zh"] == "信创工作经费"]
    assert len(dup) == 2
    assert dup["project_id"].is_unique
    assert "duplicate_row" in dup["flags"].iloc[1]


def test_renamed_required_column_is_rejected_with_its_name(tmp_path, baiyun_text):
    path = tmp_path / BAIYUN
    path.write_text(baiyun_text.replace("\t绩效指标\n", "\t考核内容\n", 1), encoding="utf-8")
    with pytest.raises(
        ParseError, match=rf"{BAIYUN.replace('.', '.')}:9: header row lacks column\(s\): 绩效指标"
    ):
        parse_release(path)


def test_spreadsheet_export_is_rejected_as_no_known_layout(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("项目名称,总计,财政拨款\n公费医疗,7.00,7.00\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"export\.csv:1: no known layout"):
        parse_release(path)


def test_amount_with_letters_is_rejected_naming_the_line(tmp_path, baiyun_text):
    path = tmp_path / BAIYUN
    path.write_text(
        baiyun_text.replace("信创工作经费\t26.00", "信创工作经费\t26.O0", 1), encoding="utf-8"
    )
    line = (
        baiyun_text.split("\n").index(
            next(x for x in baiyun_text.split("\n") if x.startswith("信创工作经费"))
        )
        + 1
    )
    with pytest.raises(ParseError, match=rf":{line}: column 总计: not an amount"):
        parse_release(path)


def test_renamed_columns_of_the_trade_are_still_read(tmp_path, baiyun_text):
    header = "项目名称（资金使用单位）\t总计\t财政拨款\t财政专户拨款\t其他资金\t绩效目标\t绩效指标"
    renamed = "项目\t预算金额\t财政拨款\t财政专户拨款\t其他资金\t年度绩效目标\t年度绩效指标"
    path = tmp_path / BAIYUN
    path.write_text(baiyun_text.replace(header, renamed, 1), encoding="utf-8")
    tables = release_frames(parse_release(path))
    assert len(tables["projects"]) == 16
    assert sum(tables["projects"]["total_wan"], Decimal(0)) == Decimal("1989.76")
    assert tables["indicators"]["project_id"].nunique() == 16
