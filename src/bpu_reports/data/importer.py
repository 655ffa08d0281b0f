"""``db import``: validate a folder of contract files completely, then load it, or load nothing.

Every problem of every table is collected before anything is decided, so one run of
``bpu-reports db import DIR`` tells the data team everything to fix. The warehouse is only
touched when the whole folder is valid, and then rebuilt atomically (``store.build``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

from bpu_reports.data import readers, rules, store
from bpu_reports.data.contract import LOAD_ORDER, TABLES
from bpu_reports.errors import BpuReportsError, ContractError, Violation

__all__ = ["import_folder", "read_folder", "validate"]


def read_folder(folder: Path) -> dict[str, pd.DataFrame]:
    """The six contract tables of ``folder`` (``NAME.csv`` or ``NAME.parquet``), values as read.

    CSV columns are text (an empty field is null). Each frame is indexed by the 1-based data row
    number of its file, which ``validate`` uses to name rows. Raises ``ContractError`` listing
    every unusable file (missing, empty, not CSV/Parquet, rows with a stray delimiter, …).
    """
    frames, problems = _read_all(Path(folder))
    if problems:
        raise ContractError(problems)
    return frames


def validate(frames: Mapping[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], list[Violation]]:
    """Check ``frames`` against the whole contract; return them typed, and every violation.

    The typed frames hold the contract columns present (optional personal columns included);
    values that did not parse are null in them. Row numbers in the violations are the frames'
    index values. A table absent from ``frames`` is one violation, not an error.
    """
    missing = [Violation(n, None, "missing table") for n in LOAD_ORDER if n not in frames]
    typed, violations = _check(frames)
    return typed, _in_table_order(missing + violations)


def import_folder(folder: Path, db_path: Path) -> store.WarehouseInfo:
    """Validate ``folder`` and, only if it is entirely valid, rebuild the warehouse at ``db_path``.

    Raises ``ContractError`` with every violation, before ``db_path`` is touched in any way.
    """
    folder = Path(folder)
    frames, problems = _read_all(folder)
    typed, violations = _check(frames)
    violations = _in_table_order(problems + violations)
    if violations:
        raise ContractError(violations)
    with store.build(db_path, source=f"import:{folder}") as con:
        for name in LOAD_ORDER:
            _load(con, name, typed[name])
    con = store.connect(db_path)
    try:
        return store.info(con)
    finally:
        con.close()


def _read_all(folder: Path) -> tuple[dict[str, pd.DataFrame], list[Violation]]:
    if not folder.is_dir():
        raise BpuReportsError(
            f"no folder {folder}: give the folder holding regions.csv, branches.csv, "
            "participants.csv, contributions.csv, outreach_events.csv and targets.csv "
            "(or .parquet)"
        )
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Violation] = []
    for name in LOAD_ORDER:
        path, problem = readers.locate(folder, name)
        if path is None:
            problems.append(problem)  # type: ignore[arg-type]
            continue
        frame, found = readers.read_table(path, name)
        problems += found
        if frame is not None:
            frames[name] = frame
    return frames, problems


def _check(frames: Mapping[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], list[Violation]]:
    """Per-table rules on every table, then cross-table rules on the rows that passed them."""
    typed: dict[str, pd.DataFrame] = {}
    passed: dict[str, pd.Series] = {}
    violations: list[Violation] = []
    for name in LOAD_ORDER:
        if name not in frames:
            continue
        table = TABLES[name]
        typed[name], unparsed = rules.parse_table(table, frames[name])
        found, bad_rows = rules.schema_violations(table, typed[name], unparsed)
        violations += found
        passed[name] = pd.Series(~typed[name].index.isin(bad_rows), index=typed[name].index)
    violations += rules.cross_table_violations(typed, passed)
    return typed, violations


def _in_table_order(violations: list[Violation]) -> list[Violation]:
    """Grouped by table in load order; within a table, file problems first, then by column."""
    order = {name: i for i, name in enumerate(LOAD_ORDER)}

    def key(v: Violation) -> tuple[int, int]:
        table = TABLES.get(v.table)
        columns = table.columns if table else []
        column = columns.index(v.column) + 1 if v.column in columns else len(columns) + 1
        return order.get(v.table, len(order)), 0 if v.column is None else column

    return sorted(violations, key=key)


def _load(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    # Optional columns absent from the file are left out of the list, so they load as NULL.
    columns = ", ".join(c for c in TABLES[name].columns if c in frame.columns)
    con.register("_import_frame", frame)
    try:
        con.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM _import_frame")
    finally:
        con.unregister("_import_frame")
