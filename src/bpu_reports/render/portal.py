"""``reports/index.html``: periods → regions → branches with headline KPIs and links to every
report. Built from the manifests alone; one self-contained file with relative links, so it
works from the file system and from any static web server. No script, and every value from
the data is escaped."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
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


def _row(entry: dict[str, Any]) -> dict[str, Any]:
    k = entry.get("kpis") or {}
    links = [
        (label.upper(), entry["outputs"][label])
        for label in ("html", "pdf")
        if label in entry.get("outputs", {})
    ]
    if entry.get("status") != "ok" and (entry.get("error") or {}).get("notebook"):
        links.append(("IPYNB", entry["error"]["notebook"]))
    return {
        "kind": entry["kind"],
        "code": entry["code"],
        "name": entry.get("name", entry["code"]),
        "lang": entry.get("lang", "id"),
        "status": entry.get("status"),
        "error": ((entry.get("error") or {}).get("type") or "error"),
        "registered": f.number(k.get("registered")),
        "active": f.number(k.get("active")),
        "on_time_rate": f.percent(k.get("on_time_rate")),
        "target_progress": f.percent(k.get("target_progress")),
        "links": links,
    }


def _period_view(period: str, data: dict[str, Any]) -> dict[str, Any]:
    entries = data.get("reports", [])
    regions: dict[str, dict[str, Any]] = {}
    for e in entries:
        region = regions.setdefault(
            e["region_code"], {"code": e["region_code"], "name": e["region_code"], "rows": []}
        )
        if e["kind"] == "region":
            region["name"] = e.get("name", e["region_code"])
        row = _row(e)
        row["links"] = [
            (label, f"{period}/{href}" if not href.startswith(period) else href)
            for label, href in row["links"]
        ]
        region["rows"].append(row)
    for region in regions.values():
        region["rows"].sort(key=lambda r: (r["kind"] != "region", r["name"], r["lang"]))
    return {
        "period": period,
        "label": f.month(Period.parse(period), "id"),
        "ok": sum(e.get("status") == "ok" for e in entries),
        "failed": sum(e.get("status") != "ok" for e in entries),
        "demo": str(data.get("source", "")).startswith("demo:"),
        "regions": [regions[k] for k in sorted(regions)],
    }


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
    publish.write_text(target, render_portal(out))
    return target
