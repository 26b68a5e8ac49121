import pandas as pd

from lake.quarantine import clear_quarantine, quarantine_release


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


def test_quarantine_release_never_copies_what_a_symlink_points_to(tmp_path):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0\n", encoding="utf-8")
    raw = tmp_path / "raw" / "evil.txt"
    raw.parent.mkdir()
    raw.symlink_to(secret)

    folder = quarantine_release(tmp_path / "quarantine", "evil", raw, "a symlink")

    assert sorted(p.name for p in folder.iterdir()) == ["REPORT.md"]
    report = (folder / "REPORT.md").read_text(encoding="utf-8")
    assert "root:x" not in report
    assert "no: evil.txt is a symbolic link" in report


def test_quarantine_release_caps_each_csv_and_reports_the_full_count(tmp_path):
    raw = tmp_path / "demo.txt"
    raw.write_text("x\n", encoding="utf-8")
    failing = pd.DataFrame({"source_line": range(1, 2501)})

    folder = quarantine_release(tmp_path / "q", "demo", raw, "bad", {"rows": failing}, max_rows=100)

    assert len(pd.read_csv(folder / "rows.csv")) == 100
    report = (folder / "REPORT.md").read_text(encoding="utf-8")
    assert "2500 failing rows in `rows.csv` (the first 100 are in the file)" in report


def test_quarantine_release_replaces_what_an_earlier_refusal_left(tmp_path):
    raw = tmp_path / "demo.txt"
    raw.write_text("x\n", encoding="utf-8")
    quarantine_release(tmp_path / "q", "demo", raw, "first", {"old": pd.DataFrame({"a": [1]})})

    folder = quarantine_release(tmp_path / "q", "demo", raw, "second")

    assert not (folder / "old.csv").exists()
    assert "second" in (folder / "REPORT.md").read_text(encoding="utf-8")


def test_clear_quarantine_removes_the_folder_of_a_release_that_landed(tmp_path):
    raw = tmp_path / "demo.txt"
    raw.write_text("x\n", encoding="utf-8")
    folder = quarantine_release(tmp_path / "q", "demo", raw, "bad")

    assert clear_quarantine(tmp_path / "q", "demo")
    assert not folder.exists()
    assert not clear_quarantine(tmp_path / "q", "demo")
