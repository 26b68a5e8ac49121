from decimal import Decimal

import pytest

from lake.frames import release_frames
from parsers.reconciliation import classify_gap, reconcile, summarise
from parsers.release import parse_release


@pytest.mark.parametrize(
    ("difference", "n", "status"),
    [
        ("0.00", 3, "exact"),
        ("0.01", 2, "rounding"),  # 2 figures may drift 0.01
        ("-0.03", 166, "rounding"),  # 广州市公安局 unit: 166 projects, gap 0.03
        ("0.02", 3, "mismatch"),  # 3 figures drift at most 0.015
        ("1.00", 70, "mismatch"),
        ("0.01", 0, "mismatch"),  # nothing summed: no rounding to explain a gap
    ],
)
def test_classify_gap_tells_rounding_from_mismatch(difference, n, status):
    assert classify_gap(Decimal(difference), n)[1] == status


def test_reconcile_reports_the_real_rounding_gaps_of_the_public_security_sample(raw_dir):
    tables = release_frames(parse_release(raw_dir / "guangzhou-public-security-bureau.txt"))
    result = reconcile(tables)
    assert summarise(result)["mismatch"] == 0
    rounding = result[result["status"] == "rounding"]
    # 合计 195,510.94 vs Σ projects 195,510.97; unit 194,510.26 vs Σ its 166 projects 194,510.29
    assert set(
        zip(
            rounding["subject"], rounding["entity_name_zh"], rounding["funding_source"], strict=True
        )
    ) == {
        ("合计 vs projects", "合计", "total"),
        ("合计 vs projects", "合计", "fiscal"),
        ("unit subtotal vs projects", "广州市公安局", "total"),
        ("unit subtotal vs projects", "广州市公安局", "fiscal"),
    }
    unit_rows = rounding[rounding["level"] == "unit"]
    assert set(zip(unit_rows["n_summed"], unit_rows["tolerance_wan"], strict=True)) == {
        (166, Decimal("0.830"))
    }
    assert set(rounding["difference_wan"]) == {Decimal("-0.03")}


def test_reconcile_fails_a_unit_whose_projects_are_off_by_one_line(raw_dir):
    tables = release_frames(
        parse_release(raw_dir / "guangzhou-baiyun-political-legal-committee.txt")
    )
    projects = tables["projects"].iloc[1:]  # drop 公费医疗超支及自付经费 (7.00)
    result = reconcile({**tables, "projects": projects})
    mismatch = result[result["status"] == "mismatch"]
    assert ("中共广州市白云区区委政法委员会", "total") in set(
        zip(mismatch["entity_name_zh"], mismatch["funding_source"], strict=True)
    )
    assert Decimal("7.00") in set(mismatch["difference_wan"])
