"""Where the parser's time goes: cProfile over cold passes, as `make bench` times them.

    python -m bench.profile_parser                      # the five samples, 20 passes, top 25
    python -m bench.profile_parser DIR --passes 5       # the .txt releases in DIR instead

Each pass starts with the parser's caches cleared, as bench.run's throughput pass does, so the
profile is of what a first sight of each release costs, not of warm caches. cProfile adds a
fixed cost to every call, so small functions look heavier than they are: read the shares and
the call counts here, and take the times from ``python -m bench.run --parser-only``.
docs/benchmarks.md keeps the profiles of the parser rounds (issue 16).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

from bench.run import SAMPLES_DIR, clear_parser_caches


def profile_passes(paths: list[Path], passes: int) -> pstats.Stats:
    """Profile ``passes`` cold passes of parse_release over ``paths`` (one warm-up first)."""
    from parsers.release import parse_release

    # The warm-up pays the imports and pyarrow's one-time set-up, which are not the parser's.
    for path in paths:
        parse_release(path)
    profiler = cProfile.Profile()
    for _ in range(passes):
        clear_parser_caches()
        profiler.enable()
        for path in paths:
            parse_release(path)
        profiler.disable()
    return pstats.Stats(profiler, stream=io.StringIO())


def report(stats: pstats.Stats, passes: int, top: int) -> str:
    """Calls and profiled time per pass, then the ``top`` functions by their own time."""
    stream = io.StringIO()
    stats.stream = stream
    stream.write(
        f"{passes} passes: {stats.total_calls / passes:,.0f} calls and "
        f"{stats.total_tt / passes * 1000:.1f} ms (profiled) per pass\n"
    )
    stats.sort_stats("tottime").print_stats(top)
    return stream.getvalue()


def main(argv: list[str] | None = None) -> None:
    """The command line: profile the releases of a directory and write the report to stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=SAMPLES_DIR)
    parser.add_argument("--passes", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    paths = sorted(args.directory.glob("*.txt"))
    if not paths:
        parser.error(f"no .txt releases in {args.directory}")
    sys.stdout.write(report(profile_passes(paths, args.passes), args.passes, args.top))


if __name__ == "__main__":
    main()
