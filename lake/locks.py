"""Locks between processes: one warehouse build at a time, and whole releases for its readers.

Two ``make run`` at once (or a Dagster marts run and the benchmark) used to build into the same
file, delete each other's build and swap an empty warehouse in. Every builder now holds
``<warehouse>.build.lock`` (``fcntl.flock``) for the whole build; the holder writes its pid,
command and start time into the file, so a second builder that gives up after its timeout
names who it waited for in one line. The kernel drops a flock when its process dies, so a
killed build never leaves a stale lock behind (the text in the file is only a description).

The lake lock (``<lake>/.lake.lock``) is shared by a reader that must see whole releases (the
dbt build, for as long as it reads the Parquet) and taken exclusively, for milliseconds, by a
publisher moving one release's tables into place (lake/journal.py).

A process may take a lock it already holds again (``make run`` holds the build lock and runs
the marts asset in-process, which takes it too): flock would otherwise make two descriptors
of one process wait for each other.
"""

from __future__ import annotations

import fcntl
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import settings

_POLL_SECONDS = 0.2
_held: dict[tuple[Path, int], list] = {}  # (path, mode) → [descriptor, depth]
_guard = threading.Lock()


class LockTimeoutError(RuntimeError):
    """Another process held the lock for longer than we were willing to wait (one line)."""


def describe_holder(lock_path: Path) -> str:
    """What the holder wrote into the lock file, on one line ('an unknown process' if nothing)."""
    try:
        text = lock_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    return " ".join(text.split()) or "an unknown process"


def _holder_line() -> str:
    command = " ".join([Path(sys.argv[0]).name if sys.argv else "python", *sys.argv[1:]])
    started = datetime.now(UTC).isoformat(timespec="seconds")
    return f"pid {os.getpid()} ({command[:200]}) since {started}\n"


def _acquire(descriptor: int, mode: int, timeout: float) -> bool:
    deadline = time.monotonic() + max(0.0, timeout)
    while True:
        try:
            fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_SECONDS)


@contextmanager
def file_lock(
    lock_path: Path, *, what: str, timeout: float, shared: bool = False
) -> Iterator[None]:
    """Hold ``lock_path`` (exclusive, or shared), waiting up to ``timeout`` seconds.

    Raises:
        LockTimeoutError: still held by another process after ``timeout``; the message is one
            line naming ``what`` was wanted, the holder and the lock file.
    """
    lock_path = Path(lock_path)
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    key = (lock_path.resolve(), mode)
    with _guard:
        reentry = _held.get(key) or (_held.get((key[0], fcntl.LOCK_EX)) if shared else None)
        if reentry is not None:
            reentry[1] += 1
    if reentry is not None:
        try:
            yield
        finally:
            with _guard:
                reentry[1] -= 1
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _acquire(descriptor, mode, timeout):
            raise LockTimeoutError(
                f"{what}: waited {timeout:g} s for {describe_holder(lock_path)} "
                f"(lock {lock_path}); try again when it has finished"
            )
        if not shared:
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, _holder_line().encode(), 0)
        with _guard:
            _held[key] = [descriptor, 1]
        try:
            yield
        finally:
            with _guard:
                del _held[key]
            if not shared:
                os.ftruncate(descriptor, 0)
    finally:
        os.close(descriptor)  # closing the last descriptor releases the flock


def build_lock(warehouse: Path, timeout: float | None = None) -> AbstractContextManager[None]:
    """The lock every warehouse builder holds for its whole build (timeout from settings)."""
    return file_lock(
        settings.build_lock_path(warehouse),
        what=f"cannot build {Path(warehouse).name}: another build is running",
        timeout=settings.build_lock_timeout_seconds() if timeout is None else timeout,
    )


def lake_lock(
    lake_dir: Path, *, shared: bool, timeout: float | None = None
) -> AbstractContextManager[None]:
    """Shared: read whole releases (a dbt build). Exclusive: move a release into place."""
    return file_lock(
        Path(lake_dir) / settings.LAKE_LOCK_NAME,
        what="cannot read the lake while a release is being moved into place"
        if shared
        else "cannot publish a release while a warehouse build reads the lake",
        timeout=settings.build_lock_timeout_seconds() if timeout is None else timeout,
        shared=shared,
    )
