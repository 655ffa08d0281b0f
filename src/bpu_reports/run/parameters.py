"""Report parameters, validated against a typed model *before* a kernel starts.

The model of a notebook is built from its ``parameters`` cell (papermill's inspection): known
names get their product types (codes, periods, languages), any other name the type of its
default. An unknown name or a value of the wrong type is a ``ParameterError``.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import nbformat
from papermill.translators import papermill_translators
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, create_model

from bpu_reports.config import checked_path
from bpu_reports.data.contract import NATIONAL, check_code
from bpu_reports.errors import ParameterError
from bpu_reports.period import Period


def _period(value: str) -> str:
    return str(Period.parse(value))


def _code(what: str) -> Any:
    """A code type whose error names the parameter (``branch '../x' is not a valid code``)."""
    return Annotated[str, AfterValidator(lambda value: check_code(value, what))]


def _national(value: str) -> str:
    if value != NATIONAL:
        raise ValueError(f"the national report's code is {NATIONAL}")
    return value


PeriodText = Annotated[str, AfterValidator(_period)]

KNOWN: dict[str, Any] = {
    "branch": _code("branch"),
    "region": _code("region"),
    "national": Annotated[str, AfterValidator(_national)],
    "period": PeriodText,
    "lang": Literal["id", "en"],
    "db": str,
    "metrics_file": str,
}
_INFERRED: dict[str, Any] = {"int": int, "float": float, "bool": bool, "str": str}


def declared(notebook: Path) -> dict[str, dict[str, Any]]:
    """The notebook's parameters (name → papermill's inspection record)."""
    checked_path(notebook, "notebook")
    if not notebook.exists():
        raise ParameterError(f"notebook {notebook} does not exist: check the path")
    if not notebook.is_file() and not notebook.is_dir():  # reading a FIFO would block
        raise ParameterError(
            f"notebook {notebook} is not a regular file (a FIFO or a device): give an .ipynb file"
        )
    try:
        nb = nbformat.read(notebook, as_version=4)
    except PermissionError:
        raise ParameterError(
            f"cannot read notebook {notebook}: permission denied: give yourself read access to it"
        ) from None
    except Exception as exc:  # nbformat raises several unrelated types for bad files
        raise ParameterError(f"{notebook} is not a readable notebook: {exc}") from exc
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ParameterError(
            f"{notebook} must have exactly one cell tagged 'parameters' (found {len(tagged)}): "
            "tag the cell that sets the defaults"
        )
    # papermill's own parser of parameter cells (the one ``papermill --help-notebook`` uses)
    translator = papermill_translators.find_translator("python3", "python")
    return {p.name: p._asdict() for p in translator.inspect(tagged[0])}


@cache
def _model(names: tuple[tuple[str, str], ...]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name, inferred in names:
        typ = KNOWN.get(name) or _INFERRED.get(inferred, Any)
        fields[name] = (typ | None, None)
    return create_model(
        "ReportParameters", __config__=ConfigDict(extra="forbid", frozen=True), **fields
    )


def _type_name(record: dict[str, Any]) -> str:
    """papermill's inferred type (from an annotation), else the type of the default literal."""
    name = str(record.get("inferred_type_name"))
    if name in _INFERRED:
        return name
    try:
        return type(ast.literal_eval(str(record.get("default")))).__name__
    except (ValueError, SyntaxError):
        return "None"


def model_for(notebook: Path) -> type[BaseModel]:
    params = declared(notebook)
    return _model(tuple(sorted((n, _type_name(p)) for n, p in params.items())))


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """``-p NAME=VALUE`` options into a dict (values stay text until validated)."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip().isidentifier():
            raise ParameterError(f"-p {pair!r} is not NAME=VALUE (for example -p lang=en)")
        out[name.strip()] = value
    return out


def validate(notebook: Path, values: dict[str, Any]) -> dict[str, Any]:
    """Typed values for ``notebook``; only the names given are returned (the notebook keeps
    its own defaults for the rest)."""
    model = model_for(notebook)
    unknown = sorted(set(values) - set(model.model_fields))
    if unknown:
        known = ", ".join(sorted(model.model_fields))
        raise ParameterError(
            f"{notebook.name} has no parameter {unknown[0]!r}: its parameters are {known}"
        )
    try:
        typed = model(**values)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        raise ParameterError(f"parameter {name}={values.get(name)!r}: {message}".rstrip()) from None
    return {k: getattr(typed, k) for k in values}
