"""Run specs (``parameters/*.yaml``): which notebooks, per branch or per region, which formats
and languages. Validated with pydantic; any mistake is one line naming the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bpu_reports.errors import BpuReportsError


class SpecError(BpuReportsError):
    """A run spec that cannot be read or does not validate."""


class ReportSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    notebook: Path
    per: Literal["branch", "region"]
    formats: tuple[Literal["html", "pdf"], ...] = ("html", "pdf")
    languages: tuple[Literal["id", "en"], ...] = ("id",)
    parameters: dict[str, Any] = Field(default_factory=dict)

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
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"run spec {path} not found: pass --spec with an existing file") from None
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
    for report in spec.reports:
        notebook = report.notebook if report.notebook.is_absolute() else project / report.notebook
        if not notebook.exists():
            raise SpecError(f"{path}: notebook {report.notebook} not found (looked in {project})")
        reports.append(report.model_copy(update={"notebook": notebook}))
    return spec.model_copy(update={"reports": tuple(reports)})
