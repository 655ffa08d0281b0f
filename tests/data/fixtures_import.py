"""A small valid export folder, as rows of text, that a test breaks one rule at a time.

Row numbers in tests are data rows: the first row under the header is row 1.
"""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from bpu_reports.data.contract import TABLES

Rows = list[dict[str, str]]

_HEADERS = {
    "regions": "region_code,region_name",
    "branches": "branch_code,branch_name,region_code,office_type",
    "outreach_events": "event_id,branch_code,held_on,title,venue,segment,potential",
    "participants": (
        "participant_id,branch_code,registered_on,segment,channel,declared_income,has_jht,"
        "event_id,exited_on,nik,full_name,phone"
    ),
    "contributions": (
        "payment_id,participant_id,paid_on,first_month,months,amount_jkk,amount_jkm,amount_jht"
    ),
    "targets": "branch_code,year,target_registered",
}
_ROWS = {
    "regions": ["BANUSPA|Bali, Nusa Tenggara, Papua"],
    "branches": ["DPS|KC Bali Denpasar|BANUSPA|KC", "SGR|KCP Singaraja|BANUSPA|KCP"],
    "outreach_events": [
        "1|DPS|2017-03-10|Sosialisasi Pasar Badung|Pasar Badung|pedagang_pasar|40",
        "2|SGR|2017-04-12|Sosialisasi nelayan|Pelabuhan Sangsit|nelayan|25",
    ],
    "participants": [
        "1|DPS|2017-01-05|ojek_online|kantor|2500000|true||||||",
        "2|DPS|2017-03-10|pedagang_pasar|sosialisasi|2000000|false|1||||",
        "3|SGR|2017-04-12|nelayan|sosialisasi|1500000|true|2|2017-06-30|||",
        "4|SGR|2017-02-01|petani|wadah|1000000|false||||",
        "5|DPS|2017-05-20|seniman|online|3000000|true|||5171010101800001|Made Wirawan|081234567890",
    ],
    "contributions": [
        "1|1|2017-01-05|2017-01-01|1|25000|6800|50000",
        "2|1|2017-02-10|2017-02-01|3|75000|20400|150000",
        "3|2|2017-03-10|2017-03-01|6|120000|40800|240000",
        "4|3|2017-04-12|2017-04-01|1|15000|6800|30000",
        "5|4|2017-02-15|2017-02-01|12|120000|81600|240000",
        "6|5|2017-05-20|2017-05-01|1|30000|6800|60000",
    ],
    "targets": ["DPS|2017|1000", "SGR|2017|500"],
}


def valid_tables() -> dict[str, Rows]:
    """A fresh copy of the valid dataset: table -> rows (column -> text; "" is empty)."""
    tables = {}
    for name, lines in _ROWS.items():
        header = _HEADERS[name].split(",")
        tables[name] = [dict(zip(header, line.split("|"), strict=False)) for line in lines]
        for row in tables[name]:
            for column in header:
                row.setdefault(column, "")
    return copy.deepcopy(tables)


def write_csv(folder: Path, tables: dict[str, Rows]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        header = list(rows[0]) if rows else _HEADERS[name].split(",")
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder


def write_parquet(folder: Path, tables: dict[str, Rows]) -> Path:
    """The same tables as typed Parquet (dates as ``date32``, numbers as integers)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        arrays, names = [], []
        for column in rows[0]:
            values = [row[column] or None for row in rows]
            kind = TABLES[name].field(column).kind
            if kind == "date":
                array = pa.array(
                    [None if v is None else pd.Timestamp(v).date() for v in values], pa.date32()
                )
            elif kind in ("id", "int", "money"):
                array = pa.array([None if v is None else int(v) for v in values], pa.int64())
            elif kind == "bool":
                array = pa.array([None if v is None else v == "true" for v in values], pa.bool_())
            else:
                array = pa.array(values, pa.string())
            arrays.append(array)
            names.append(column)
        pq.write_table(pa.table(arrays, names=names), folder / f"{name}.parquet")
    return folder


def valid_folder(folder: Path) -> Path:
    return write_csv(folder, valid_tables())
