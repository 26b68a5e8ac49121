"""Hold a parser rewrite to today's output: record every table once, then compare table by table.

    python -m bench.parser_identity collect   # inputs: samples, generated, what tests/parsers parse
    python -m bench.parser_identity record    # today's parser → reference (outside git)
    python -m bench.parser_identity compare   # the working parser against the reference

A speed rewrite of the parser is only safe if its output is the same, and "the tests pass" is
weaker than that: the tests look at a few values, the lake stores all of them. So every input
the project knows is parsed twice, before and after, and compared column by column, row by
row: the five samples, generated releases of both layouts (元 bond tables, classified projects,
page-break fragments, budget years with sidecars), forty broken copies of each of 25 of those
(lines deleted, doubled, swapped, cut or spliced with noise), and every file the parser tests
hand to ``parse_release`` (captured by running tests/parsers with this module as a pytest
plugin, so the broken variants the tests build are compared too, with their error texts and
lines).

Each table is compared twice: as the frame the lake validates (values with their Python type,
nulls, dtypes) and as the Arrow table lake/writer.py writes (the Parquet content and schema).
The reference lives in /tmp/parser-ref (``PARSER_REF_DIR``), never in git.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import pickle
import random
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

REF_DIR = Path(os.environ.get("PARSER_REF_DIR", "/tmp/parser-ref"))
SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data_lake" / "raw"
_CAPTURE_ENV = "PARSER_IDENTITY_CAPTURE"


def _say(*parts: object) -> None:
    sys.stdout.write(" ".join(map(str, parts)) + "\n")


# --- inputs -----------------------------------------------------------------------------------


def _save_case(corpus: Path, name: str, data: bytes | None, sidecar: dict | None) -> None:
    """One input: the file under its own name (ids and messages use it) and its sidecar."""
    key = hashlib.sha1(
        name.encode() + (data or b"<missing>") + json.dumps(sidecar, sort_keys=True).encode()
    ).hexdigest()[:16]
    folder = corpus / key
    if folder.exists():
        return
    folder.mkdir(parents=True)
    if data is not None:
        (folder / name).write_bytes(data)
    (folder / "case.json").write_text(
        json.dumps({"name": name, "sidecar": sidecar, "missing": data is None}, ensure_ascii=False),
        encoding="utf-8",
    )


def pytest_configure(config: Any) -> None:
    """As a pytest plugin: record every file the tests hand to parse_release, then parse it."""
    corpus = os.environ.get(_CAPTURE_ENV)
    if not corpus:
        return
    import parsers.release

    original = parsers.release.parse_release

    def capturing(path: Path, sidecar: dict | None = None):  # noqa: ANN202
        path = Path(path)
        data = path.read_bytes() if path.is_file() else None
        _save_case(Path(corpus), path.name, data, sidecar)
        return original(path, sidecar)

    parsers.release.parse_release = capturing


def collect() -> int:
    """Gather the inputs: samples, generated releases of every kind, the tests' variants."""
    from bench.generate import generate_budget_years, write_releases

    corpus = REF_DIR / "inputs"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    for path in sorted(SAMPLES_DIR.glob("*.txt")):
        _save_case(corpus, path.name, path.read_bytes(), None)
    scratch = REF_DIR / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    # Two seeds × 20 releases: every slot of the layout cycle twice, sizes from 40 to 160 KB.
    for seed in (3, 7):
        for path in write_releases(scratch / f"seed{seed}", 20, seed=seed):
            _save_case(corpus, path.name, path.read_bytes(), None)
    years = generate_budget_years(seed=2, years=(2023, 2024, 2025), departments=4)
    for path in years.write(scratch / "years"):
        sidecar = json.loads(path.with_suffix(".meta.json").read_text(encoding="utf-8"))
        _save_case(corpus, path.name, path.read_bytes(), sidecar)
    _save_mutants(corpus, sorted(corpus.iterdir()))
    shutil.rmtree(scratch)
    env = {**os.environ, _CAPTURE_ENV: str(corpus), "PYTHONPATH": str(Path.cwd())}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/parsers",
            "-q",
            "-p",
            "bench.parser_identity",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
        ],
        env=env,
        check=False,
    )
    _say(f"{sum(1 for _ in corpus.iterdir())} inputs in {corpus}")
    return 0


NOISE = ("\t", "", " ", "合计", "1,2", "-", "\u3000", "<p>", "。", "１２", "x", "\r", "1、")
MUTATIONS = ("delete", "duplicate", "swap", "insert", "truncate", "splice")
_MUTATIONS_PER_INPUT = 40


def mutate(lines: list[str], seed: int, ops: list[tuple[str, str]]) -> list[str]:
    """Apply ``ops`` (mutation, noise) to a copy of ``lines``, at places drawn from ``seed``.

    Also what tests/parsers/test_properties.py breaks releases with (there hypothesis draws
    the ops), so both harnesses break files the same ways.
    """
    rng = random.Random(seed)
    out = list(lines)
    for op, noise in ops:
        if not out:
            break
        i = rng.randrange(len(out))
        if op == "delete":
            del out[i]
        elif op == "duplicate":
            out.insert(i, out[i])
        elif op == "swap" and len(out) > 1:
            j = rng.randrange(len(out))
            out[i], out[j] = out[j], out[i]
        elif op == "insert":
            out.insert(i, noise)
        elif op == "truncate":
            out[i] = out[i][: rng.randrange(len(out[i]) + 1)]
        elif op == "splice":
            k = rng.randrange(len(out[i]) + 1)
            out[i] = out[i][:k] + noise + out[i][k:]
    return out


def _save_mutants(corpus: Path, cases: list[Path]) -> None:
    """Forty broken copies of each of the first 25 inputs without a sidecar.

    A rewrite is most likely to differ where the input is odd (a fragment, a short row, a
    repeated header, a cell cut mid-item), and the tests reach only a few such files: these
    are broken the way tests/parsers/test_properties.py breaks them, but many and reproducible.
    """
    for folder in cases[:25]:
        case = json.loads((folder / "case.json").read_text(encoding="utf-8"))
        if case["missing"] or case["sidecar"]:
            continue
        lines = (folder / case["name"]).read_text(encoding="utf-8").split("\n")
        for number in range(_MUTATIONS_PER_INPUT):
            draw = random.Random(f"{case['name']}-{number}")
            ops = [(draw.choice(MUTATIONS), draw.choice(NOISE)) for _ in range(draw.randint(1, 6))]
            out = mutate(lines, draw.randrange(1 << 30), ops)
            name = f"mutant-{number:02d}-{case['name']}"
            _save_case(corpus, name, "\n".join(out).encode("utf-8"), None)


# --- canonical output -------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A cell as a comparable Python value: NaN/NA → None, numpy scalars → Python."""
    if value is None:
        return None
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, Decimal):
        value = value.item()
    return value


def _frame_form(frame: Any) -> dict[str, Any]:
    """Column order, dtypes and every value with its type.

    A Decimal compares by value: the frame's target numbers now carry the scale of their
    Arrow column (``95`` reads ``95.0`` beside a ``99.5``), the same number; the Arrow form
    below, which is what the Parquet holds, is compared exactly.
    """
    columns = {}
    for name in frame.columns:
        values = [_plain(v) for v in frame[name].tolist()]
        columns[str(name)] = [(type(v).__name__, v) for v in values]
    return {
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "values": columns,
    }


def _arrow_form(frame: Any, table: str) -> Any:
    from lake.writer import to_arrow_table

    try:
        return to_arrow_table(frame, table)
    except Exception as error:  # noqa: BLE001 - the refusal is part of the output
        return f"{type(error).__name__}: {error}"


def parse_case(folder: Path) -> dict[str, Any]:
    """The parser's whole output for one input: each table twice, or the error's text."""
    from lake.frames import release_frames
    from parsers.errors import ParseError
    from parsers.release import parse_release

    case = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    path = folder / case["name"]
    try:
        release = parse_release(path, case["sidecar"])
    except ParseError as error:
        return {"error": (type(error).__name__, str(error), error.line_no, error.reason)}
    # The reference is recorded from the parser before the rewrite, which returned frames.
    is_frames = all(hasattr(table, "dtypes") for table in release.tables.values())
    frames = dict(release.tables) if is_frames else release_frames(release)
    return {
        "release_id": release.release_id,
        "tables": {
            table: {"frame": _frame_form(frame), "arrow": _arrow_form(frame, table)}
            for table, frame in frames.items()
        },
    }


def record() -> int:
    """Parse every input with the parser as it is and keep the result as the reference."""
    out = REF_DIR / "expected"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    cases = sorted((REF_DIR / "inputs").iterdir())
    for folder in cases:
        with (out / f"{folder.name}.pickle").open("wb") as handle:
            pickle.dump(parse_case(folder), handle)
    _say(f"recorded {len(cases)} inputs in {out}")
    return 0


def _diff_arrow(expected: Any, actual: Any) -> list[str]:
    if isinstance(expected, str) or isinstance(actual, str):
        return [] if expected == actual else [f"arrow: {expected!r} → {actual!r}"]
    problems = []
    if expected.schema != actual.schema:
        problems.append(f"arrow schema: {expected.schema} → {actual.schema}")
    elif not expected.equals(actual):
        for name in expected.column_names:
            if not expected[name].equals(actual[name]):
                a, b = expected[name].to_pylist(), actual[name].to_pylist()
                problems.append(f"arrow {name} {_first_difference(a, b)}")
    return problems


def _first_difference(expected: list[Any], actual: list[Any]) -> str:
    """The first row where two columns differ, as ``row N: old → new`` (∅ past an end)."""
    row = next(
        (i for i, (x, y) in enumerate(zip(expected, actual, strict=False)) if x != y),
        min(len(expected), len(actual)),
    )
    old = expected[row] if row < len(expected) else "∅"
    new = actual[row] if row < len(actual) else "∅"
    return f"row {row}: {old!r} → {new!r}"


def _diff(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    if "error" in expected or "error" in actual:
        if expected.get("error") != actual.get("error"):
            return [f"error: {expected.get('error')} → {actual.get('error')}"]
        return []
    problems = []
    if sorted(expected["tables"]) != sorted(actual["tables"]):
        return [f"tables: {sorted(expected['tables'])} → {sorted(actual['tables'])}"]
    for table, want in expected["tables"].items():
        got = actual["tables"][table]
        ef, af = want["frame"], got["frame"]
        if ef["columns"] != af["columns"]:
            problems.append(f"{table} columns: {ef['columns']} → {af['columns']}")
            continue
        for name, e_type, a_type in zip(ef["columns"], ef["dtypes"], af["dtypes"], strict=True):
            if e_type != a_type:
                problems.append(f"{table}.{name} dtype: {e_type} → {a_type}")
        for name in ef["columns"]:
            e_values, a_values = ef["values"][name], af["values"][name]
            if e_values != a_values:
                problems.append(
                    f"{table}.{name} ({len(e_values)} → {len(a_values)} rows) "
                    f"{_first_difference(e_values, a_values)}"
                )
        problems.extend(f"{table} {p}" for p in _diff_arrow(want["arrow"], got["arrow"]))
    return problems


def compare() -> int:
    """Parse every input with the working parser; list every difference from the reference."""
    cases = sorted((REF_DIR / "inputs").iterdir())
    differing = 0
    tables = errors = 0
    for folder in cases:
        with (REF_DIR / "expected" / f"{folder.name}.pickle").open("rb") as handle:
            expected = pickle.load(handle)
        actual = parse_case(folder)
        problems = _diff(expected, actual)
        tables += len(expected.get("tables", {}))
        errors += "error" in expected
        if problems:
            differing += 1
            name = json.loads((folder / "case.json").read_text(encoding="utf-8"))["name"]
            _say(f"{folder.name} ({name}):")
            for problem in problems[:12]:
                _say(f"    {problem}")
    _say(
        f"{len(cases)} inputs ({len(cases) - errors} parsed, {tables} tables; {errors} errors): "
        f"{differing} differ"
    )
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    """Command line: collect, record or compare."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=("collect", "record", "compare"))
    args = parser.parse_args(argv)
    return {"collect": collect, "record": record, "compare": compare}[args.step]()


if __name__ == "__main__":
    sys.exit(main())
