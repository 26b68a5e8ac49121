"""Assets, one module per layer: the lake (raw files → Parquet) and dbt.

Shared asset attributes live here so every layer states them the same way: who owns
the assets, and which version of the parsing code produced a materialisation (bumping
``parsers.release.PARSER_VERSION`` marks every lake partition stale).
"""

from parsers.release import PARSER_VERSION

OWNERS = ["team:data-platform"]
PARSER_CODE_VERSION = f"parser-{PARSER_VERSION}"
