"""Helpers of the hardening tests (docs/reliability.md lists every case they prove)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from bpu_reports.cli import main
from cli_outcome import refused

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "hardening"
LIGHT_NB = FIXTURES / "light_report.ipynb"
BRANCH_NB = ROOT / "notebooks" / "branch_monthly.ipynb"
REGION_NB = ROOT / "notebooks" / "region_monthly.ipynb"
MONTHLY = ROOT / "parameters" / "monthly.yaml"


class Cli:
    """``main(argv)`` in-process, with what it printed."""

    def __init__(self, capsys: pytest.CaptureFixture[str]):
        self.capsys = capsys

    def __call__(self, *argv: object) -> tuple[int, str, str]:
        self.capsys.readouterr()  # drop what earlier steps printed
        code = main([str(a) for a in argv])
        out, err = self.capsys.readouterr()
        return code, out, err

    def refused(self, *argv: object, message: str) -> str:
        """Run ``argv``; assert exit 2, nothing on stdout, one ``error:`` line holding
        ``message`` and no traceback. Returns the line."""
        return refused(*self(*argv), message)


def manifest(out: Path, period: str = "2017-07") -> dict[str, dict]:
    """The manifest's entries by report key."""
    data = json.loads((out / period / "manifest.json").read_text(encoding="utf-8"))
    return {entry["key"]: entry for entry in data["reports"]}


def leftovers(out: Path) -> list[Path]:
    """Temporary files a run must never leave behind."""
    return [
        p
        for p in out.rglob("*")
        if p.name.endswith((".tmp", ".building"))
        or p.name == ".work"
        or (p.name.startswith(".") and p.suffix == ".ipynb")
    ]


def fixtures_import() -> ModuleType:
    """``tests/data/fixtures_import.py`` (the small valid export folder of the import tests),
    the same module object ``tests/data`` uses when both are collected."""
    name = "fixtures_import"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, ROOT / "tests" / "data" / "fixtures_import.py"
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
