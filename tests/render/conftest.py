"""Fixtures of the render tests: the hand-written reports folder of ``portal_months`` (the
hand-made warehouse's ``metrics`` come from tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from portal_months import manifests, write_manifests


@pytest.fixture(scope="module")
def reports_folder(tmp_path_factory) -> Path:
    """The hand-written reports folder (manifests only: the portal reads nothing else)."""
    return write_manifests(tmp_path_factory.mktemp("reports"), manifests())
