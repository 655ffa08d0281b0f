"""Run specs (``parameters/*.yaml``): which notebooks, per branch, per region or one for the
whole country, which formats and languages. Validated with pydantic; any mistake is one line
naming the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bpu_reports.config import checked_path
from bpu_reports.errors import BpuReportsError
from bpu_reports.run import parameters as report_parameters


class SpecError(BpuReportsError):
    """A run spec that cannot be read or does not validate."""


class ReportSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    notebook: Path
    per: Literal["branch", "region", "national"]
    """One report per branch or per region of the scope, or one national report (code
    ``NATIONAL``; only when the batch's scope is ``all``)."""
    formats: tuple[Literal["html", "pdf", "pdfa", "xlsx"], ...] = ("html", "pdf")
    """Files each report writes: ``html``, ``pdf``, ``pdfa`` (the archival PDF/A-3b,
    ``NAME.archive.pdf``, with its figures embedded) and ``xlsx`` (an Excel workbook)."""
    languages: tuple[Literal["id", "en"], ...] = ("id",)
    parameters: dict[str, Any] = Field(default_factory=dict)
    title: str | None = Field(default=None, min_length=1, max_length=200)
    """How the portal names this report beside an office's others (default: its cover's
    title, recorded with the KPIs)."""

    @field_validator("formats", "languages")
    @classmethod
    def _not_empty(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("must list at least one")
        return tuple(dict.fromkeys(value))


class RunSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reports: tuple[ReportSpec, ...] = Field(min_length=1)
    cell_timeout: int = Field(default=600, gt=0)


def load(path: Path) -> RunSpec:
    """Read and validate a run spec; notebook paths are relative to the spec's own folder."""
    checked_path(path, "--spec")
    if path.exists() and not path.is_file() and not path.is_dir():  # reading a FIFO blocks
        raise SpecError(
            f"run spec {path} is not a regular file (a FIFO or a device): pass --spec with a "
            "YAML file"
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"run spec {path} not found: pass --spec with an existing file") from None
    except IsADirectoryError:
        raise SpecError(
            f"run spec {path} is a folder: pass --spec with a YAML file, "
            "e.g. parameters/monthly.yaml"
        ) from None
    except UnicodeDecodeError:
        raise SpecError(f"run spec {path} is not UTF-8 text: save it as a YAML text file") from None
    except PermissionError:
        raise SpecError(
            f"cannot read run spec {path}: permission denied: give yourself read access to it"
        ) from None
    except OSError as exc:
        raise SpecError(f"cannot read run spec {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise SpecError(
            f"{path}{where} is not valid YAML: {getattr(exc, 'problem', exc)}"
        ) from None
    if not isinstance(raw, dict):
        raise SpecError(f"{path} must be a mapping with a 'reports' list")
    try:
        spec = RunSpec.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise SpecError(f"{path}: {key}: {err['msg']}") from None
    project = path.resolve().parent
    reports = []
    for i, report in enumerate(spec.reports):
        notebook = report.notebook if report.notebook.is_absolute() else project / report.notebook
        if not notebook.exists():
            raise SpecError(f"{path}: notebook {report.notebook} not found (looked in {project})")
        if not notebook.is_file():
            raise SpecError(f"{path}: reports.{i}.notebook {report.notebook} is not a file")
        typed = _check_parameters(path, i, report, notebook)
        reports.append(report.model_copy(update={"notebook": notebook, "parameters": typed}))
    _check_outputs(path, reports)
    return spec.model_copy(update={"reports": tuple(reports)})


def output_stems(report: ReportSpec) -> list[str]:
    """The file stems a report writes in each office's folder: the notebook's name for its
    first language, ``NAME.LANG`` for the others (as ``plan`` keys its jobs)."""
    stem = report.notebook.stem
    return [stem if i == 0 else f"{stem}.{lang}" for i, lang in enumerate(report.languages)]


def _check_outputs(path: Path, reports: list[ReportSpec]) -> None:
    """Two reports of the same ``per`` writing the same stem would overwrite each other's
    files (and share one manifest entry): refused before anything runs."""
    seen: dict[tuple[str, str], int] = {}
    for i, report in enumerate(reports):
        for stem in output_stems(report):
            first = seen.setdefault((report.per, stem), i)
            if first != i:
                raise SpecError(
                    f"{path}: reports.{first} and reports.{i} both write the {report.per} "
                    f"report {stem} ({report.notebook.name}): they would overwrite each "
                    "other's files; remove one, or give them different languages"
                )


SET_BY_THE_BATCH = ("branch", "region", "national", "period", "lang", "metrics_file", "db")
"""Parameters every batch job receives from the plan, never from a spec's ``parameters``
(``db`` too: the batch checks the scope and period against ``--db``, so a report must read
that warehouse and no other)."""


def _check_parameters(path: Path, i: int, report: ReportSpec, notebook: Path) -> dict[str, Any]:
    """Validate a report's notebook and ``parameters`` before any kernel starts: the notebook
    must be readable, declare the ``per`` parameter, and accept every extra parameter's name
    and type (the same checks as ``bpu-reports run -p``)."""
    where = f"{path}: reports.{i}"
    try:
        declared = report_parameters.declared(notebook)
    except BpuReportsError as exc:
        raise SpecError(f"{where}.notebook: {exc}") from None
    if report.per not in declared:
        raise SpecError(
            f"{where}: {notebook.name} has no '{report.per}' parameter, so it is not a "
            f"{report.per} report: fix 'per' or the notebook's parameters cell"
        )
    clash = sorted(set(report.parameters) & set(SET_BY_THE_BATCH))
    if clash:
        raise SpecError(
            f"{where}.parameters.{clash[0]}: set by the batch (per, --period, languages, --db), "
            "remove it from the spec"
        )
    try:
        return report_parameters.validate(notebook, dict(report.parameters))
    except BpuReportsError as exc:
        raise SpecError(f"{where}.parameters: {exc}") from None
