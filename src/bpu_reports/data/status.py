"""What a warehouse holds (``bpu-reports db status``): where it came from, which months, how many
rows, how many recipients, and the region and branch codes a report can be asked for."""

from __future__ import annotations

from typing import Any

import duckdb

from bpu_reports.data import recipients, store
from bpu_reports.data.contract import DATA_TABLES


def status(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """A JSON-ready description of the warehouse on ``con``. No personal data: only counts,
    codes and names of offices.

    ``rows`` counts the six data tables; ``recipients`` is ``{"active": n, "total": m}``, or
    None when the warehouse has no recipients table (built by an older version)."""
    info = store.info(con)
    counts = {
        name: int(con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0])
        for name in DATA_TABLES
    }
    counted = None
    if recipients.has_table(con):
        ((active, total),) = con.execute(
            "SELECT count(*) FILTER (WHERE active), count(*) FROM recipients"
        ).fetchall()
        counted = {"active": int(active), "total": int(total)}
    rows = con.execute(
        """
        SELECT r.region_code, r.region_name, b.branch_code, b.branch_name, b.office_type
        FROM regions r LEFT JOIN branches b USING (region_code)
        ORDER BY r.region_code, b.branch_code
        """
    ).fetchall()
    regions: dict[str, dict[str, Any]] = {}
    for region_code, region_name, code, name, office_type in rows:
        region = regions.setdefault(
            region_code, {"code": region_code, "name": region_name, "branches": []}
        )
        if code is not None:
            region["branches"].append({"code": code, "name": name, "office_type": office_type})
    return {
        "source": info.source,
        "demo": info.is_demo,
        "data_version": info.data_version,
        "first_period": str(info.first_period),
        "last_period": str(info.last_period),
        "complete_through": str(info.complete_through),
        "data_cutoff": info.data_cutoff.isoformat(),
        "built_at": info.built_at,
        "rows": counts,
        "recipients": counted,
        "regions": list(regions.values()),
    }
