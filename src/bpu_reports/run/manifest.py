"""``reports/PERIOD/manifest.json``: one entry per report (SPEC §4), rewritten atomically
after every finished report so a killed batch loses nothing it had finished."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from bpu_reports import publish
from bpu_reports._version import __version__
from bpu_reports.data.store import WarehouseInfo

NAME = "manifest.json"
_ORDER = ("national", "region")  # then branches, and any other kind


def kind_order(kind: str) -> int:
    """Where a report of ``kind`` comes in a manifest and a plan: the national report
    first, then regions, then branches."""
    return _ORDER.index(kind) if kind in _ORDER else len(_ORDER)


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
        "reports": sorted(entries.values(), key=lambda e: (kind_order(e["kind"]), e["key"])),
    }
    publish.write_text(folder / NAME, json.dumps(body, ensure_ascii=False, indent=1, default=str))


def is_current(entry: dict[str, Any] | None, fingerprint: str, out: Path) -> bool:
    """A finished report with the same fingerprint whose files are on disk as the batch
    wrote them (same sha256): one another command rewrote since (``bpu-reports run`` into the
    same folder, in another language or from another warehouse) is not current."""
    if not entry or entry.get("status") != "ok" or entry.get("fingerprint") != fingerprint:
        return False
    outputs, digests = entry.get("outputs"), entry.get("digests")
    if not isinstance(outputs, dict) or not isinstance(digests, dict) or not outputs:
        return False
    return all(_digest(out / rel) == digests.get(kind) for kind, rel in outputs.items())


def stale(previous: dict[str, Any] | None, out: Path) -> dict[str, Any] | None:
    """When a report fails to re-render, what of its previous version is still on disk: its
    files and when they were made, for the portal to offer as stale (never as current)."""
    if not previous:
        return None
    if previous.get("status") != "ok":
        return previous.get("stale")  # failed again: the same older version
    outputs = previous.get("outputs")
    if not isinstance(outputs, dict):
        return None
    kept = {kind: rel for kind, rel in outputs.items() if (out / rel).is_file()}
    if not kept:
        return None
    return {"outputs": kept, "finished_at": previous.get("finished_at")}


def _digest(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None
