"""Fixtures of the hardening tests; helpers live in ``hardening_support``."""

from __future__ import annotations

import pytest
from hardening_support import Cli


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """``main(argv)`` in-process: ``cli(*argv)`` and ``cli.refused(*argv, message=…)``."""
    return Cli(capsys)
