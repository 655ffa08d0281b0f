"""What the command line prints for a person (rich tables); ``--json`` prints the data as it is.

Every string from the warehouse or the user is printed as ``Text``, never as Rich markup,
whatever the console's own setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text


def print_status(console: Console, db: Path, data: dict[str, Any]) -> None:
    """``bpu-reports db status``: the warehouse's facts, then its regions and branches."""
    console.print(Text(f"{'warehouse':<14}{db}"))
    facts = (
        ("source", data["source"]),
        ("data version", data["data_version"]),
        ("data range", f"{data['first_period']} … {data['last_period']}"),
        ("complete to", f"{data['complete_through']} (--period latest)"),
        ("built", data["built_at"]),
        ("rows", ", ".join(f"{k} {v:,}".replace(",", ".") for k, v in data["rows"].items())),
        ("recipients", _recipients(data.get("recipients"))),
    )
    for label, value in facts:
        console.print(Text(f"{label:<14}{value}"))
    table = Table(show_header=True, header_style="bold", title="Regions and branches")
    for column in ("region", "branch", "name", "type"):
        table.add_column(column)
    for region in data["regions"]:
        for i, branch in enumerate(region["branches"]):
            first = f"{region['code']} ({region['name']})" if i == 0 else ""
            table.add_row(
                Text(first), Text(branch["code"]), Text(branch["name"]), Text(branch["office_type"])
            )
    console.print(table)


def print_metrics(console: Console, data: dict[str, Any]) -> None:
    """``bpu-reports metrics`` without ``--json``: one table of the month's figures."""
    from bpu_reports.report import formats as f

    scope = data["scope"]
    title = Text(f"{scope['name']} ({scope['code']}) — {f.month(data['period'])}")
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("metric")
    table.add_column("value", justify="right")
    t = data["target"]
    rows = [
        ("Registered (peserta terdaftar)", f.number(data["registered"])),
        ("New (peserta baru)", f.number(data["new_registrations"])),
        ("Active (aktif)", f.number(data["active"])),
        ("In arrears (menunggak)", f.number(data["in_arrears"])),
        ("Non-active (nonaktif)", f.number(data["inactive"])),
        ("On time (tepat waktu)", f.number(data["on_time"])),
        ("On-time rate", f.percent(data["on_time_rate"])),
        ("Collected (iuran)", f.rupiah(data["collected_amount"])),
        ("Target", f.number(t["target"])),
        ("Target progress", f.percent(t["target_progress"])),
        ("Projection for December", f.number(t["projection_december"])),
        ("Net additions needed / month", f.number(t["required_monthly"])),
    ]
    for label, value in rows:
        table.add_row(Text(label), Text(value))
    console.print(table)


def _recipients(counts: dict[str, int] | None) -> str:
    """How many people receive reports by e-mail (counts only: never who)."""
    if counts is None:
        return "— (a warehouse built before recipients existed)"
    return f"{counts['active']} active of {counts['total']}"
