"""Parameters are validated against a typed model before any kernel starts."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from bpu_reports.errors import ParameterError, PeriodError, ScopeError
from bpu_reports.run import parameters
from bpu_reports.run.oneshot import parse_formats

BRANCH_NB = Path(__file__).resolve().parents[2] / "notebooks" / "branch_monthly.ipynb"


def test_branch_notebook_declares_its_parameters():
    assert set(parameters.declared(BRANCH_NB)) == {"branch", "period", "lang", "db", "metrics_file"}


def test_valid_values_are_typed():
    typed = parameters.validate(BRANCH_NB, {"branch": "DPS", "period": "2017-07", "lang": "en"})
    assert typed == {"branch": "DPS", "period": "2017-07", "lang": "en"}


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        ({"colour": "red"}, ParameterError, "has no parameter 'colour'"),
        ({"lang": "fr"}, ParameterError, "parameter lang='fr'"),
        ({"period": "2017-13"}, PeriodError, "not a month in the form YYYY-MM"),
        ({"branch": "../../etc"}, ScopeError, "not a valid code"),
    ],
)
def test_bad_values_are_refused(values, error, message):
    with pytest.raises(error, match=message):
        parameters.validate(BRANCH_NB, values)


def test_inferred_types_for_analyst_parameters(tmp_path):
    nb = new_notebook(
        cells=[
            new_code_cell("top_n = 5\nshare = 0.5\nlabel = 'x'", metadata={"tags": ["parameters"]})
        ]
    )
    path = tmp_path / "custom.ipynb"
    nbformat.write(nb, path)
    assert parameters.validate(path, {"top_n": "7"}) == {"top_n": 7}
    with pytest.raises(ParameterError, match="parameter top_n='seven'"):
        parameters.validate(path, {"top_n": "seven"})


def test_notebook_without_parameters_cell(tmp_path):
    path = tmp_path / "bare.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), path)
    with pytest.raises(ParameterError, match="exactly one cell tagged 'parameters' \\(found 0\\)"):
        parameters.declared(path)


def test_missing_notebook(tmp_path):
    with pytest.raises(ParameterError, match="does not exist"):
        parameters.declared(tmp_path / "nope.ipynb")


@pytest.mark.parametrize("pair", ["lang", "=x", "a b=c"])
def test_assignment_syntax(pair):
    with pytest.raises(ParameterError, match="is not NAME=VALUE"):
        parameters.parse_assignments([pair])


def test_formats():
    assert parse_formats("pdf, html") == ("pdf", "html")
    with pytest.raises(ParameterError, match="choose from html, pdf"):
        parse_formats("docx")
