"""Notebooks are committed without outputs or execution counts, so a review shows only what
an analyst changed (``make strip`` or the nbstripout pre-commit hook clean them)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    [*ROOT.glob("notebooks/**/*.ipynb"), *ROOT.glob("tests/fixtures/**/*.ipynb")],
    key=lambda p: str(p),
)


def test_there_are_notebooks_to_check():
    assert any(p.parts[-2] == "notebooks" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; run `make strip`"
