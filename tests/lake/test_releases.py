"""Which raw files are releases, and which names can be release ids."""

import pytest

from lake.releases import discover_release_ids, is_safe_release_id
from lake.writer import partition_dir


def test_discover_release_ids_lists_txt_stems_only(tmp_path):
    for name in ("b.txt", "a.txt", "a.meta.json", "notes.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")

    assert discover_release_ids(tmp_path) == ["a", "b"]


def test_release_ids_that_would_leave_their_folder_are_refused(tmp_path):
    for unsafe in ("..", ".hidden", "a=b", "tab\there", ""):
        assert not is_safe_release_id(unsafe)
    assert is_safe_release_id("广州市公安局-2026")
    with pytest.raises(ValueError, match="not allowed"):
        partition_dir(tmp_path, "projects", "..")
    (tmp_path / "...txt").write_text("x", encoding="utf-8")  # stem '..'
    (tmp_path / "ok.txt").write_text("x", encoding="utf-8")
    assert discover_release_ids(tmp_path) == ["ok"]
