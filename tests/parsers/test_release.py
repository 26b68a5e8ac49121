import pytest

from lake.frames import release_frames
from parsers.errors import ParseError
from parsers.release import parse_release


def test_parse_release_takes_release_facts_from_the_sidecar(raw_dir):
    sidecar = {"budget_year": 2026, "publisher_zh": "广州市财政局", "published_on": "2026-02-01"}
    release = release_frames(parse_release(raw_dir / "guangzhou-huadu-police-branch.txt", sidecar))[
        "releases"
    ]
    assert release["budget_year"].item() == 2026
    assert release["published_on"].item() == "2026-02-01"
    assert release["department_zh"].item() == "广州市公安局花都区分局"  # the document's own


def test_parse_release_leaves_unknown_facts_null_without_a_sidecar(raw_dir):
    release = release_frames(parse_release(raw_dir / "guangzhou-huadu-police-branch.txt"))[
        "releases"
    ]
    assert (
        release[["budget_year", "publisher_zh", "source_url", "published_on"]].isna().all(axis=None)
    )


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        ({"budget_year": "明年"}, "is not a year"),
        ({"published_on": "01/02/2026"}, "is not a date"),
        ({"author": "x"}, "unknown sidecar keys"),
    ],
)
def test_parse_release_refuses_a_sidecar_value_it_cannot_trust(raw_dir, sidecar, message):
    with pytest.raises(
        ParseError, match=rf"guangzhou-huadu-police-branch\.meta\.json: .*{message}"
    ):
        parse_release(raw_dir / "guangzhou-huadu-police-branch.txt", sidecar)
