"""The ``make run`` summary table: columns line up in a terminal, where 万元 takes four columns."""

from decimal import Decimal

from rich.cells import cell_len

from orchestration.run_all import RunOutcome, format_runs, format_summary

# Every figure distinct, so each is found in its own column.
ROWS = [
    (
        "guangzhou-government-services-data-bureau",
        None,
        4,
        70,
        Decimal("86246.66"),
        Decimal("86246.64"),
        84,
        10,
        0,
    ),
    ("tianjin-public-security-bureau", 2024, 14, 121, Decimal("47466.91"), None, 121, 0, 0),
]


def _end_column(line: str, text: str) -> int:
    """Display column where ``text`` ends in ``line`` (a CJK character counts two)."""
    return cell_len(line[: line.index(text) + len(text)])


def _start_column(line: str, text: str) -> int:
    return cell_len(line[: line.index(text)])


def test_summary_right_aligns_numbers_under_their_chinese_headers():
    header, rule, bureau, tianjin = format_summary(ROWS).split("\n\n")[0].splitlines()

    assert set(rule) == {"-"}
    for column, bureau_value, tianjin_value in (
        ("year", "?", "2024"),
        ("units", " 4", "14"),
        ("projects", "70", "121"),
        ("Σ total 万元", "86,246.66", "47,466.91"),
        ("合计 万元", "86,246.64", "—"),
    ):
        assert (
            _end_column(header, column)
            == _end_column(bureau, bureau_value)
            == _end_column(tianjin, tianjin_value)
        ), column
    assert (
        _start_column(header, "reconciliation")
        == _start_column(bureau, "84 exact, 10 rounding, 0 mismatch")
        == _start_column(tianjin, "121 exact, 0 rounding, 0 mismatch")
    )


def test_summary_warns_about_the_releases_without_a_budget_year_only():
    warning = format_summary(ROWS).split("\n\n")[1]

    assert warning.startswith("warning: 1 release(s) without a budget year")
    assert warning.endswith("marts: guangzhou-government-services-data-bureau")


def test_run_lines_keep_status_and_seconds_in_line_when_a_span_label_is_long():
    span = RunOutcome(
        "release_job",
        "guangzhou-baiyun-political-legal-committee..tianjin-public-security-bureau",
        True,
        8.94,
    )
    marts = RunOutcome("marts_job", None, False, 71.5)

    span_line, marts_line = format_runs([span, marts]).splitlines()

    assert span_line.startswith(f"{span.label}  ")
    assert span_line.endswith("    ok   8.9s")
    assert marts_line.startswith("marts_job ")
    assert marts_line.endswith("FAILED  71.5s")
    assert len(span_line) == len(marts_line)
