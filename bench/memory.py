"""Peak memory of a process tree: a sampling thread (psutil) plus ``getrusage`` as a floor.

``ru_maxrss`` of the process and of its waited-for children is exact but per process: two
worker processes at 600 MB each report 600 MB, not 1.2 GB. The sampler sums the resident set
of the whole tree (this process and every descendant, as psutil finds them) every few hundred
milliseconds, so concurrent workers and dbt subprocesses are counted together. The peak is the
larger of the two.
"""

from __future__ import annotations

import resource
import threading

import psutil

_MB = 1024 * 1024


def tree_rss_mb(root: int | None = None) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    try:
        parent = psutil.Process(root)
        processes = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue  # a child that exited between the listing and the read
    return total / _MB


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
