"""``reports/index.html``: periods → regions → branches with headline KPIs and links to every
report. Built from the manifests alone; one self-contained file with relative links, so it
works from the file system and from any static web server. No script, and every value from
the data is escaped."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from bpu_reports import publish
from bpu_reports._version import __version__
from bpu_reports.period import Period
from bpu_reports.report import formats as f

NAME = "index.html"


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bpu_reports.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("portal.html.j2")


def _href(value: Any) -> str | None:
    """A link from a manifest, kept only if it is a plain relative path inside the output
    folder (no scheme such as ``javascript:``, no absolute path, no ``..``)."""
    if not isinstance(value, str) or not value or ":" in value or "\\" in value:
        return None
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts:
        return None
    return value


def _row(entry: dict[str, Any]) -> dict[str, Any]:
    k = entry.get("kpis")
    k = k if isinstance(k, dict) else {}
    outputs = entry.get("outputs")
    outputs = outputs if isinstance(outputs, dict) else {}
    error = entry.get("error")
    error = error if isinstance(error, dict) else {}
    links = [(label.upper(), outputs.get(label)) for label in ("html", "pdf") if label in outputs]
    if entry.get("status") != "ok" and error.get("notebook"):
        links.append(("IPYNB", error["notebook"]))
    return {
        "kind": entry["kind"],
        "code": entry["code"],
        "name": str(entry.get("name", entry["code"])),
        "title": _title(entry, k),
        "lang": str(entry.get("lang", "id")),
        "status": entry.get("status"),
        "error": str(error.get("type") or "error"),
        "registered": _format(f.number, k.get("registered")),
        "active": _format(f.number, k.get("active")),
        "on_time_rate": _format(f.percent, k.get("on_time_rate")),
        "target_progress": _format(f.percent, k.get("target_progress")),
        "links": [(label, href) for label, href in links if _href(href)],
        "stale": _stale(entry) if entry.get("status") != "ok" else None,
    }


def _stale(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The previous version of a report that failed to re-render, when its files are still
    there: offered under "versi lama" with the day it was made, never as the current one."""
    stale = entry.get("stale")
    if not isinstance(stale, dict) or not isinstance(stale.get("outputs"), dict):
        return None
    outputs = stale["outputs"]
    links = [
        (label.upper(), outputs[label])
        for label in ("html", "pdf")
        if label in outputs and _href(outputs[label])
    ]
    if not links:
        return None
    try:
        made = dt.datetime.fromisoformat(str(stale.get("finished_at"))).strftime("%Y-%m-%d")
    except ValueError:
        made = ""
    return {"links": links, "made": made}


def _title(entry: dict[str, Any], kpis: dict[str, Any]) -> str:
    """What the report is called: the run spec's ``title``, else the title its cover
    recorded with the KPIs, else its notebook's name (``custom_section.ipynb`` → "custom
    section")."""
    for value in (entry.get("title"), kpis.get("title")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    notebook = str(entry.get("notebook") or str(entry.get("key", "")).rpartition("/")[2])
    return PurePosixPath(notebook).stem.replace("_", " ") or str(entry.get("key", ""))


def _report_of(entry: dict[str, Any]) -> str:
    """Which report of its office an entry is (one per notebook; languages are the same
    report): the key's file name without a language suffix."""
    stem = str(entry.get("key", "")).rpartition("/")[2]
    return stem.split(".", 1)[0]


def _format(formatter: Any, value: Any) -> str:
    """A KPI for display; a value a manifest should not hold shows as missing."""
    try:
        return str(formatter(value))
    except (TypeError, ValueError, ArithmeticError):
        return f.MISSING


def _entries(data: Any) -> list[dict[str, Any]]:
    """The report entries of a manifest that the portal can show; anything else (a manifest
    edited by hand, or of another layout) is left out rather than breaking the portal."""
    reports = data.get("reports") if isinstance(data, dict) else None
    if not isinstance(reports, list):
        return []
    return [
        e
        for e in reports
        if isinstance(e, dict)
        and e.get("kind") in ("branch", "region")
        and isinstance(e.get("code"), str)
        and isinstance(e.get("region_code"), str)
    ]


def _period_view(period: str, data: dict[str, Any]) -> dict[str, Any]:
    entries = _entries(data)
    # an office with several reports names each by its title; one report needs no name
    reports: dict[tuple[str, str], set[str]] = {}
    for e in entries:
        reports.setdefault((e["kind"], e["code"]), set()).add(_report_of(e))
    regions: dict[str, dict[str, Any]] = {}
    for e in entries:
        region = regions.setdefault(
            e["region_code"], {"code": e["region_code"], "name": e["region_code"], "rows": []}
        )
        if e["kind"] == "region":
            region["name"] = str(e.get("name", e["region_code"]))
        row = _row(e)
        row["report"] = _report_of(e)
        if len(reports[(e["kind"], e["code"])]) < 2:
            row["title"] = ""
        row["links"] = _under(period, row["links"])
        if row["stale"]:
            row["stale"]["links"] = _under(period, row["stale"]["links"])
        region["rows"].append(row)
    for region in regions.values():
        region["rows"].sort(
            key=lambda r: (r["kind"] != "region", r["name"], r["code"], r["report"], r["lang"])
        )
    return {
        "period": period,
        "label": f.month(Period.parse(period), "id"),
        "ok": sum(e.get("status") == "ok" for e in entries),
        "failed": sum(e.get("status") != "ok" for e in entries),
        "demo": str(data.get("source", "")).startswith("demo:")
        if isinstance(data, dict)
        else False,
        "regions": [regions[k] for k in sorted(regions)],
    }


def _under(period: str, links: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Links relative to the portal (manifests hold them relative to the output folder)."""
    return [
        (label, href if href.startswith(period) else f"{period}/{href}") for label, href in links
    ]


def render_portal(out: Path) -> str:
    periods = []
    for path in sorted(out.glob("*/manifest.json"), reverse=True):
        try:
            Period.parse(path.parent.name)
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
        periods.append(_period_view(path.parent.name, data))
    return _template().render(
        periods=periods,
        updated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        version=__version__,
    )


def write_portal(out: Path) -> Path:
    target = out / NAME
    publish.write_text(target, render_portal(out), root=out)  # not through a link at target
    return target
