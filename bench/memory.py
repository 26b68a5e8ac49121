"""Peak memory of a process tree: a sampling thread plus ``getrusage`` as a floor.

``ru_maxrss`` of the process and of its waited-for children is exact but per process: two
worker processes at 600 MB each report 600 MB, not 1.2 GB. The sampler sums the resident set
of the whole tree (this process and every descendant, read from /proc) every few hundred
milliseconds, so concurrent workers and dbt subprocesses are counted together. The peak is the
larger of the two.
"""

from __future__ import annotations

import os
import resource
import threading
from pathlib import Path

_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: fields start after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def tree_rss_mb(root: int | None = None) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    root = root or os.getpid()
    children = _children_map()
    stack, total_kb = [root], 0
    while stack:
        pid = stack.pop()
        try:
            pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            pages = 0
        total_kb += pages * _PAGE_KB
        stack.extend(children.get(pid, []))
    return total_kb / 1024


class PeakMemory:
    """Context manager: ``peak_mb`` of the process tree while the block ran."""

    def __init__(self, interval_s: float = 0.25) -> None:
        self.interval_s = interval_s
        self.sampled_peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sampled_peak_mb = max(self.sampled_peak_mb, tree_rss_mb())
            self._stop.wait(self.interval_s)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sampled_peak_mb = max(self.sampled_peak_mb, tree_rss_mb())

    @property
    def peak_mb(self) -> float:
        """Sampled tree peak, never below the largest single process's ``ru_maxrss``."""
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return max(self.sampled_peak_mb, own, children)
