"""Benchmarks: a generator of synthetic releases and the runner behind ``make bench``.

Plain Python. Not part of the installed packages and imported by nothing but tests/bench.
"""
