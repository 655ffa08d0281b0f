"""The same rows as PostgreSQL tables (Arrow, for ``adbc_ingest``) and as CSV export files."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa

from bpu_reports.data.contract import TABLES

_ARROW = {
    "code": pa.string(),
    "text": pa.string(),
    "email": pa.string(),
    "date": pa.date32(),
    "int": pa.int32(),
    "money": pa.int64(),
    "bool": pa.bool_(),
}


def arrow_tables(tables: dict[str, list[dict]], id_type: pa.DataType) -> dict[str, pa.Table]:
    """Row dicts (``tests/factories.py``) as Arrow tables of the contract's types; identifiers
    as ``id_type`` (``pa.int64()`` like a numeric export, ``pa.string()`` like a text one)."""
    out = {}
    for name, rows in tables.items():
        fields = [f for f in TABLES[name].contract_fields if any(f.name in row for row in rows)]
        schema = pa.schema(
            [pa.field(f.name, id_type if f.kind == "id" else _ARROW[f.kind]) for f in fields]
        )
        columns = {
            f.name: [_id(r.get(f.name), id_type) if f.kind == "id" else r.get(f.name) for r in rows]
            for f in fields
        }
        out[name] = pa.table(columns, schema=schema)
    return out


def _id(value: Any, id_type: pa.DataType) -> Any:
    if value is None:
        return None
    return str(value) if pa.types.is_string(id_type) else int(value)


def write_csv(folder: Path, tables: dict[str, list[dict]]) -> Path:
    """Row dicts as ``NAME.csv`` files in ``folder`` (dates ISO, booleans true/false)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = [c for c in TABLES[name].columns if any(c in row for row in rows)]
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_text(row.get(c)) for c in columns])
    return folder


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
