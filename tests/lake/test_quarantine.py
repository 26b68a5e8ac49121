import pandas as pd

from lake.quarantine import earlier_twin, quarantine_release


def test_quarantine_release_copies_the_raw_file_and_writes_the_report(tmp_path):
    raw = tmp_path / "raw" / "demo.txt"
    raw.parent.mkdir()
    raw.write_text("合计\t1.00\n", encoding="utf-8")
    failing = pd.DataFrame({"subject": ["合计 vs projects"], "difference_wan": ["1.00"]})

    folder = quarantine_release(
        tmp_path / "quarantine", "demo", raw, "totals differ", {"gaps": failing}
    )

    assert (folder / "demo.txt").read_bytes() == raw.read_bytes()
    report = (folder / "REPORT.md").read_text(encoding="utf-8")
    assert "totals differ" in report
    assert "1 failing rows in `gaps.csv`" in report
    assert pd.read_csv(folder / "gaps.csv")["subject"].tolist() == ["合计 vs projects"]


def test_earlier_twin_finds_the_same_bytes_under_an_earlier_name_only(tmp_path):
    (tmp_path / "a.txt").write_text("same", encoding="utf-8")
    (tmp_path / "b.txt").write_text("same", encoding="utf-8")
    (tmp_path / "c.txt").write_text("diff", encoding="utf-8")

    assert earlier_twin(tmp_path / "b.txt") == tmp_path / "a.txt"
    assert earlier_twin(tmp_path / "a.txt") is None
    assert earlier_twin(tmp_path / "c.txt") is None
