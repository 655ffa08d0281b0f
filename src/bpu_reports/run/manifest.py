"""``reports/PERIOD/manifest.json``: one entry per report (SPEC §4), rewritten atomically
after every finished report so a killed batch loses nothing it had finished."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from bpu_reports import publish
from bpu_reports._version import __version__
from bpu_reports.data.store import WarehouseInfo

NAME = "manifest.json"


def load(folder: Path) -> dict[str, dict[str, Any]]:
    """Entries by key; a missing or unreadable manifest is an empty one (it is rebuilt)."""
    try:
        data = json.loads((folder / NAME).read_text(encoding="utf-8"))
        return {entry["key"]: entry for entry in data.get("reports", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def save(
    folder: Path, period: str, info: WarehouseInfo, entries: dict[str, dict[str, Any]]
) -> None:
    body = {
        "period": period,
        "source": info.source,
        "package_version": __version__,
        "data_version": info.data_version,
        "updated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "reports": sorted(entries.values(), key=lambda e: (e["kind"] != "region", e["key"])),
    }
    publish.write_text(folder / NAME, json.dumps(body, ensure_ascii=False, indent=1, default=str))


def is_current(entry: dict[str, Any] | None, fingerprint: str, out: Path) -> bool:
    """A finished report with the same fingerprint whose files are all still there."""
    if not entry or entry.get("status") != "ok" or entry.get("fingerprint") != fingerprint:
        return False
    return all((out / rel).is_file() for rel in entry.get("outputs", {}).values())
