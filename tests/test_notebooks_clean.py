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


REPORT_NOTEBOOKS = sorted(ROOT.glob("notebooks/**/*.ipynb"), key=lambda p: str(p))


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in nb.cells]


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_has_a_paired_script_in_step(path):
    """Every report notebook is paired (jupytext, percent format) with a ``.py`` beside it that
    holds the same cells and tags, so a review reads a notebook change as a code diff.
    JupyterLab with jupytext (in ``make lab``) keeps the pair in step on save; from the
    command line: ``jupytext --sync notebooks/NAME.ipynb``."""
    import jupytext

    script = path.with_suffix(".py")
    assert script.is_file(), f"{path.name} has no paired {script.name}: jupytext --sync it"
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"
    paired = jupytext.read(script, fmt="py:percent")
    assert _cells(paired) == _cells(nb), f"{script.name} and {path.name} differ: jupytext --sync"
