"""The lake in plain Python: which raw files are releases, publishing them, the warehouse file.

No Dagster here (orchestration/ holds the Dagster definitions and calls into this package), so
the publisher's worker processes, the benchmark and the tests use it as it is.
"""
