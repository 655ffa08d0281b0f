"""Shared fixtures of the data tests: one Bali demo warehouse per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from bpu_reports.data import store


@pytest.fixture(scope="session")
def bali_demo(bali_db: Path) -> Path:
    """Path of the session's Bali demo warehouse (default seed; see tests/conftest.py)."""
    return bali_db


@pytest.fixture(scope="session")
def bali_con(bali_demo: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-only connection to the session's Bali demo warehouse."""
    con = store.connect(bali_demo)
    yield con
    con.close()
