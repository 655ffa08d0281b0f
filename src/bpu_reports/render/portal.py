"""``reports/index.html``: periods → the national report, then regions → branches, with
headline KPIs, their change from the previous month, and links to every report. Built from
the manifests alone; one self-contained file with relative links, so it works from the file
system and from any static web server. No script, and every value from the data is escaped.
On a phone each office's row becomes a card (``portal.html.j2``)."""

from __future__ import annotations

import builtins
import datetime as dt
import json
import math
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from bpu_reports import publish
from bpu_reports._version import __version__
from bpu_reports.period import Period
from bpu_reports.report import formats as f

NAME = "index.html"
LINKS = {"html": "HTML", "pdf": "PDF", "pdfa": "PDF/A", "xlsx": "Excel"}
"""The report files the portal links, by format, with their button labels."""
KPIS_BOOK = "kpis.xlsx"
"""Every report's KPIs of a month in one workbook (``OUT/PERIOD/kpis.xlsx``)."""
KINDS = ("national", "region", "branch")  # also the order of rows within a group
NATIONAL = "Nasional"

# the headline KPIs: manifest key, column label, kind of value
KPIS = (
    ("registered", "Terdaftar", "count"),
    ("active", "Aktif", "count"),
    ("on_time_rate", "Tepat waktu", "rate"),
    ("target_progress", "Capaian target", "rate"),
)

# why a report failed, by the error type its manifest entry records (run/job.py: the
# exception's class name, from the kernel or from our own code)
FAILURES = {
    "CellTimeoutError": "batas waktu sel terlampaui",
    "DeadKernelError": "kernel Python berhenti mendadak",
    "ParameterError": "parameter laporan tidak valid",
    "OutputLinkError": "folder laporan tidak dapat dipakai",
    "BpuReportsError": "folder laporan tidak dapat dipakai",
    "PermissionError": "tidak ada izin menulis di folder laporan",
}


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bpu_reports.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
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


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _row(entry: dict[str, Any], before: dict[str, Any] | None, then: Period) -> dict[str, Any]:
    k = _dict(entry.get("kpis"))
    outputs = _dict(entry.get("outputs"))
    error = _dict(entry.get("error"))
    links = [(label, outputs.get(fmt)) for fmt, label in LINKS.items() if fmt in outputs]
    if entry.get("status") != "ok" and error.get("notebook"):
        links.append(("Notebook", error["notebook"]))
    national = entry["kind"] == "national"
    return {
        "kind": entry["kind"],
        "code": entry["code"],
        "name": str(entry.get("name") or (NATIONAL if national else entry["code"])),
        "title": _title(entry, k),
        "lang": str(entry.get("lang", "id")),
        "status": entry.get("status"),
        "error": str(error.get("type") or ""),
        "failure": failure(error),
        "kpis": [_kpi(key, label, kind, k, before, then) for key, label, kind in KPIS],
        "links": [(label, href) for label, href in links if _href(href)],
        "stale": _stale(entry) if entry.get("status") != "ok" else None,
    }


def _kpi(
    key: str,
    label: str,
    kind: str,
    kpis: dict[str, Any],
    before: dict[str, Any] | None,
    then: Period,
) -> dict[str, str]:
    """One KPI for display, and its change from the same report a month earlier (empty when
    there is none: no previous manifest, the report failed then, or a value is missing).
    Target progress counts towards each year's own target, so January's is not compared
    with December's."""
    shown = _format(f.percent if kind == "rate" else f.number, kpis.get(key))
    change, trend = "", ""
    now, prev = _number(kpis.get(key)), _number(_dict(before).get(key))
    comparable = key != "target_progress" or then.month != 12
    if before is not None and now is not None and prev is not None and comparable:
        delta = now - prev
        change = f.points(delta) if kind == "rate" else f.signed(delta)
        shown_delta = round(delta * 100, 1) if kind == "rate" else round(delta)  # as written
        trend = "up" if shown_delta > 0 else "down" if shown_delta < 0 else "same"
    return {"label": label, "value": shown, "change": change, "trend": trend}


def _number(value: Any) -> float | None:
    """A KPI value the manifest holds as a finite number; anything else is no value."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer no float holds
        return None
    return number if math.isfinite(number) else None


def failure(error: dict[str, Any]) -> str:
    """Why a report failed, in Indonesian, from its manifest entry's ``error``: the type of
    the exception (``CellTimeoutError`` …), the notebook cell that raised, or the kind of
    file error; never only an English exception name."""
    kind = str(error.get("type") or "")
    if kind in FAILURES:
        return FAILURES[kind]
    cell = error.get("cell")
    if isinstance(cell, int) and not isinstance(cell, bool):
        return f"kesalahan di notebook (sel {cell})"
    found = getattr(builtins, kind, None) if kind.isidentifier() else None
    if isinstance(found, type) and issubclass(found, OSError):
        if "No space left" in str(error.get("message") or ""):
            return "disk penuh"
        return "berkas laporan tidak dapat ditulis"
    if error.get("notebook"):
        return "notebook tidak dapat dijalankan"
    return "kesalahan saat membuat berkas laporan"


def _stale(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The previous version of a report that failed to re-render, when its files are still
    there: offered under "versi lama" with the day it was made, never as the current one."""
    stale = entry.get("stale")
    if not isinstance(stale, dict) or not isinstance(stale.get("outputs"), dict):
        return None
    outputs = stale["outputs"]
    links = [
        (label, outputs[fmt])
        for fmt, label in LINKS.items()
        if fmt in outputs and _href(outputs[fmt])
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
        and e.get("kind") in KINDS
        and isinstance(e.get("code"), str)
        and (e["kind"] == "national" or isinstance(e.get("region_code"), str))
    ]


def _previous(data: Any) -> dict[str, dict[str, Any]]:
    """The KPIs of last month's finished reports, by manifest key."""
    return {
        e["key"]: _dict(e.get("kpis"))
        for e in _entries(data)
        if isinstance(e.get("key"), str) and e.get("status") == "ok"
    }


def _period_view(
    period: str, data: Any, previous: Any = None, workbook: bool = False
) -> dict[str, Any]:
    """One month of the portal: the national group first, then the regions by code, each
    with its rows; ``previous`` is last month's manifest (``None`` when there is none);
    ``workbook``: the month's ``kpis.xlsx`` exists (linked beside the month's title)."""
    then = Period.parse(period).shift(-1)
    entries = _entries(data)
    before = _previous(previous) if previous is not None else {}
    # an office with several reports names each by its title; one report needs no name
    reports: dict[tuple[str, str], set[str]] = {}
    for e in entries:
        reports.setdefault((e["kind"], e["code"]), set()).add(_report_of(e))
    # the national report is a group of its own, above the regions
    groups: dict[tuple[bool, str], dict[str, Any]] = {}
    for e in entries:
        national = e["kind"] == "national"
        code = "" if national else e["region_code"]
        group = groups.setdefault(
            (not national, code),
            {"code": code, "name": NATIONAL if national else code, "rows": []},
        )
        key = e.get("key")
        last = before.get(key) if previous is not None and isinstance(key, str) else None
        row = _row(e, last, then)
        if e["kind"] in ("region", "national"):
            group["name"] = row["name"]
        row["report"] = _report_of(e)
        if len(reports[(e["kind"], e["code"])]) < 2:
            row["title"] = ""
        row["links"] = _under(period, row["links"])
        if row["stale"]:
            row["stale"]["links"] = _under(period, row["stale"]["links"])
        group["rows"].append(row)
    for group in groups.values():
        group["rows"].sort(
            key=lambda r: (KINDS.index(r["kind"]), r["name"], r["code"], r["report"], r["lang"])
        )
    return {
        "period": period,
        "label": f.month(Period.parse(period), "id"),
        "previous": f.month(then, "id") if previous is not None else "",
        "ok": sum(e.get("status") == "ok" for e in entries),
        "failed": sum(e.get("status") != "ok" for e in entries),
        "demo": str(data.get("source", "")).startswith("demo:")
        if isinstance(data, dict)
        else False,
        "regions": [groups[k] for k in sorted(groups)],
        "workbook": f"{period}/{KPIS_BOOK}" if workbook else "",
    }


def _under(period: str, links: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Links relative to the portal (manifests hold them relative to the output folder)."""
    return [
        (label, href if href.startswith(period) else f"{period}/{href}") for label, href in links
    ]


def updated_text(now: dt.datetime) -> str:
    """When the portal was written, with its time zone: "26 November 2026 03:40 UTC".

    UTC, not the machine's zone: readers sit in three Indonesian zones (WIB, WITA, WIT), the
    batch may run on a server set to any zone, and the manifests record their times in UTC,
    so a time without its zone would be read wrongly by most of them."""
    utc = now.astimezone(dt.UTC)
    return f"{f.day(utc.date())} {utc:%H:%M} UTC"


def render_portal(out: Path, now: dt.datetime | None = None) -> str:
    """The portal of the output folder ``out`` from its ``PERIOD/manifest.json`` files,
    newest month first; ``now`` (default: the present moment) is the time it shows."""
    manifests: dict[str, Any] = {}
    for path in sorted(out.glob("*/manifest.json"), reverse=True):
        try:
            Period.parse(path.parent.name)
            manifests[path.parent.name] = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
    periods = [
        _period_view(
            period,
            data,
            manifests.get(str(Period.parse(period).shift(-1))),
            workbook=(out / period / KPIS_BOOK).is_file(),
        )
        for period, data in manifests.items()
    ]
    return _template().render(
        periods=periods,
        updated=updated_text(now or dt.datetime.now(dt.UTC)),
        version=__version__,
    )


def write_portal(out: Path) -> Path:
    target = out / NAME
    publish.write_text(target, render_portal(out), root=out)  # not through a link at target
    return target
