"""The lake package stays plain Python: worker processes, bench and tests use it without Dagster."""

import subprocess
import sys
from pathlib import Path

LAKE_MODULES = sorted(
    f"lake.{path.stem}"
    for path in (Path(__file__).resolve().parents[2] / "lake").glob("*.py")
    if path.stem != "__init__"
)


def test_importing_every_lake_module_never_imports_dagster():
    code = (
        "import importlib, sys\n"
        f"for name in {LAKE_MODULES!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dagster', 'dagster_dbt')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )

    assert len(LAKE_MODULES) >= 8
    assert done.stdout.strip() == "[]"
