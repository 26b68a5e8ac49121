from pathlib import Path

import pytest

RAW_DIR = Path(__file__).resolve().parents[2] / "data_lake" / "raw"


@pytest.fixture
def raw_dir() -> Path:
    return RAW_DIR


@pytest.fixture
def write_release(tmp_path):
    """Write a small release file (text typed from a real sample) and return its path."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write
