"""bench.profile_parser profiles cold passes of the whole parser, one per pass asked."""

import shutil

import pytest

from bench.profile_parser import main, profile_passes, report
from bench.run import SAMPLES_DIR


def test_each_pass_parses_every_release_once_with_its_caches_cleared():
    paths = sorted(SAMPLES_DIR.glob("*.txt"))[:2]

    stats = profile_passes(paths, passes=3)

    by_name = {function[2]: counts for function, counts in stats.stats.items()}
    assert by_name["build_tables"][1] == 3 * len(paths)  # primitive calls of build_tables
    # Cleared caches: parse_target's function (behind its C-level cache, so profiled only on a
    # miss) runs as often in every pass as in the first.
    once = profile_passes(paths, passes=1)
    once_by_name = {function[2]: counts for function, counts in once.stats.items()}
    assert by_name["parse_target"][1] == 3 * once_by_name["parse_target"][1] > 0
    text = report(stats, passes=3, top=5)
    assert text.startswith("3 passes: ")
    assert "tottime" in text


def test_a_directory_without_releases_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as refused:
        main([str(tmp_path)])
    assert refused.value.code == 2
    assert "no .txt releases" in capsys.readouterr().err


def test_profiles_the_releases_of_a_directory(tmp_path, capsys):
    shutil.copy(sorted(SAMPLES_DIR.glob("*.txt"))[0], tmp_path)

    main([str(tmp_path), "--passes", "2", "--top", "3"])

    out = capsys.readouterr().out
    assert out.startswith("2 passes: ")
    assert "restriction <3>" in out
