"""The batch plan: one job per (report spec × unit of the scope × language), each with the
fingerprint that decides whether an unchanged report can be skipped. A unit is a branch, a
region, or the whole country (``per: national``, code ``NATIONAL``)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import bpu_reports
from bpu_reports._version import __version__
from bpu_reports.data.contract import NATIONAL, NATIONAL_NAME
from bpu_reports.metrics.scope import Branch
from bpu_reports.run.manifest import kind_order
from bpu_reports.run.spec import RunSpec, output_stems

log = logging.getLogger("bpu_reports.generate")

NOT_FINGERPRINTED = ("db", "metrics_file")
"""Parameters that say where things are, not what the report shows."""


@dataclass(frozen=True)
class Job:
    key: str  # "DPS/branch_monthly" (unique within a period; ".en" for other languages)
    notebook: str
    kind: str  # "branch" | "region" | "national"
    code: str
    name: str
    region_code: str
    period: str
    lang: str
    formats: tuple[str, ...]
    parameters: dict[str, Any]
    fingerprint: str
    title: str | None = None  # the spec's optional title; the manifest entry's "title"

    @property
    def stem(self) -> str:
        return self.key.split("/", 1)[1]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@cache
def package_digest() -> str:
    """Hash of the package's code, templates and reference data (a change re-renders)."""
    root = Path(bpu_reports.__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(
    notebook: Path, parameters: dict[str, Any], formats: tuple[str, ...], data_version: str
) -> str:
    shown = {k: v for k, v in parameters.items() if k not in NOT_FINGERPRINTED}
    digest = hashlib.sha256()
    digest.update(notebook.read_bytes())
    digest.update(json.dumps(shown, sort_keys=True, default=str).encode())
    digest.update(",".join(formats).encode())
    digest.update(data_version.encode())
    digest.update(package_digest().encode())
    return digest.hexdigest()[:24]


def plan(
    spec: RunSpec,
    branches: Sequence[Branch],
    period: str,
    data_version: str,
    with_regions: bool,
    national: bool = False,
) -> list[Job]:
    """Jobs for every report spec over the scope's ``branches`` (and their regions when
    ``with_regions``; the one national report when ``national``, i.e. the scope is ``all``),
    in a stable order: the national report first, then regions (they are few and read
    first), then branches. National reports left out are logged once."""
    jobs: list[Job] = []
    regions = sorted({b.region_code: b for b in branches}.values(), key=lambda b: b.region_code)
    if not national and any(r.per == "national" for r in spec.reports):
        log.info("national report skipped: scope is not all")
    for report in spec.reports:
        if (report.per == "region" and not with_regions) or (
            report.per == "national" and not national
        ):
            continue
        if report.per == "branch":
            units = [(b.branch_code, b.branch_name, b.region_code) for b in branches]
        elif report.per == "region":
            units = [(r.region_code, r.region_name, r.region_code) for r in regions]
        else:
            units = [(NATIONAL, NATIONAL_NAME, NATIONAL)]
        for lang, stem in zip(report.languages, output_stems(report), strict=True):
            for code, name, region_code in units:
                params = {**report.parameters, report.per: code, "period": period, "lang": lang}
                jobs.append(
                    Job(
                        key=f"{code}/{stem}",
                        notebook=str(report.notebook),
                        kind=report.per,
                        code=str(code),
                        name=str(name),
                        region_code=str(region_code),
                        period=period,
                        lang=lang,
                        formats=report.formats,
                        parameters=params,
                        fingerprint=fingerprint(
                            report.notebook, params, report.formats, data_version
                        ),
                        title=report.title,
                    )
                )
    jobs.sort(key=lambda j: (kind_order(j.kind), j.key))
    return jobs
