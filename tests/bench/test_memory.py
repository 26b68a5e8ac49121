"""bench.memory: the resident memory of a whole process tree, children included."""

from __future__ import annotations

import subprocess
import sys
import time

from bench.memory import PeakMemory, tree_rss_mb

CHILD_HOLDING_100_MB = (
    "import sys; block = bytearray(100 * 1024 * 1024); block[::4096] = b'x' * len(block[::4096]);"
    " print('ready', flush=True); sys.stdin.read()"
)


def test_tree_rss_counts_a_child_process_memory():
    before = tree_rss_mb()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_HOLDING_100_MB],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        with_child = tree_rss_mb()
    finally:
        child.stdin.close()
        child.wait(timeout=30)

    assert with_child - before >= 95


def test_tree_rss_of_a_finished_process_is_zero():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)

    assert tree_rss_mb(child.pid) == 0.0


def test_peak_memory_sampler_keeps_the_peak_after_the_memory_is_freed():
    before = tree_rss_mb()
    with PeakMemory(interval_s=0.02) as memory:
        block = bytearray(80 * 1024 * 1024)
        block[::4096] = b"x" * len(block[::4096])
        time.sleep(0.3)  # several samples while the block is resident
        del block

    assert memory.sampled_peak_mb - before >= 75
