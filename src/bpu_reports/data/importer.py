"""``db import``: validate the contract tables completely, then load them, or load nothing.

An optional table (``recipients``) may be absent from the source: it is then loaded empty.
The tables come from a folder of files (``import_folder``) or from a PostgreSQL database
(``import_postgres``); both go through ``import_frames``, so the same rules apply to both and
a violation reads the same whichever the source. Every problem of every table is collected
before anything is decided, so one run of ``bpu-reports db import`` tells the data team
everything to fix. The warehouse is only touched when everything is valid, and then rebuilt
atomically (``store.build``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

from bpu_reports.data import parsing, pgsource, readers, rules, store
from bpu_reports.data.contract import LOAD_ORDER, OPTIONAL_TABLES, TABLES
from bpu_reports.errors import BpuReportsError, ContractError, Violation

__all__ = ["import_folder", "import_frames", "import_postgres", "read_folder", "validate"]


def read_folder(folder: Path) -> dict[str, pd.DataFrame]:
    """The contract tables of ``folder`` (``NAME.csv`` or ``NAME.parquet``), values as read; an
    optional table without a file is left out (``validate`` and the import take it as empty).

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
    index values. A table absent from ``frames`` is one violation, not an error, unless it is
    optional (then it is empty).
    """
    missing = [
        Violation(n, None, "missing table")
        for n in LOAD_ORDER
        if n not in frames and n not in OPTIONAL_TABLES
    ]
    typed, violations = _check(_with_optional(frames, set()))
    return typed, _in_table_order(missing + violations)


def import_folder(folder: Path, db_path: Path) -> store.WarehouseInfo:
    """Validate ``folder`` and, only if it is entirely valid, rebuild the warehouse at ``db_path``.

    Raises ``ContractError`` with every violation, before ``db_path`` is touched in any way.
    """
    folder = Path(folder)
    frames, problems = _read_all(folder)
    return import_frames(frames, problems, db_path, source=f"import:{folder}")


def import_postgres(
    url: str, db_path: Path, schema: str = pgsource.DEFAULT_SCHEMA
) -> store.WarehouseInfo:
    """Read the contract tables of ``schema`` at ``url`` in one snapshot (``pgsource``), validate
    them like files and, only if all is valid, rebuild the warehouse at ``db_path``.

    The warehouse's ``source`` is the URL without its password. Raises ``ContractError`` with
    every violation, or ``BpuReportsError`` if the database cannot be read; in both cases
    before ``db_path`` is touched.
    """
    frames, problems = pgsource.read_tables(url, schema)
    return import_frames(frames, problems, db_path, source=pgsource.describe(url, schema))


def import_frames(
    frames: Mapping[str, pd.DataFrame],
    problems: list[Violation],
    db_path: Path,
    source: str,
) -> store.WarehouseInfo:
    """Validate ``frames`` (as read, indexed by row number) and load them, or load nothing.

    ``problems`` are what the reader already found (a missing or unreadable table); they are
    reported with the rule violations, in table order. Raises ``ContractError`` with all of
    them before ``db_path`` is touched; otherwise rebuilds the warehouse atomically, its
    metadata naming ``source``. A table absent from ``frames`` that ``problems`` does not
    mention is reported as missing, or loaded empty if it is optional.
    """
    reported = {v.table for v in problems}
    problems = problems + [
        Violation(n, None, "missing table")
        for n in LOAD_ORDER
        if n not in frames and n not in reported and n not in OPTIONAL_TABLES
    ]
    typed, violations = _check(_with_optional(frames, reported))
    violations = _in_table_order(problems + violations)
    if violations:
        raise ContractError(violations)
    with store.build(db_path, source=source) as con:
        for name in LOAD_ORDER:
            _load(con, name, typed[name])
    con = store.connect(db_path)
    try:
        return store.info(con)
    finally:
        con.close()


def _with_optional(
    frames: Mapping[str, pd.DataFrame], reported: set[str]
) -> Mapping[str, pd.DataFrame]:
    """``frames``, with each absent optional table added empty, unless ``reported`` names it
    (a file that exists but cannot be read is a problem, not an empty table)."""
    absent = [n for n in OPTIONAL_TABLES if n not in frames and n not in reported]
    return {**frames, **{n: readers.empty(n) for n in absent}} if absent else frames


def _read_all(folder: Path) -> tuple[dict[str, pd.DataFrame], list[Violation]]:
    try:
        # listing needs the folder's r permission, and reaching a file in it its x: try both
        first = next(folder.iterdir(), None)
        if first is not None:
            first.lstat()
    except (FileNotFoundError, NotADirectoryError):
        raise BpuReportsError(
            f"no folder {folder}: give the folder holding regions.csv, branches.csv, "
            "participants.csv, contributions.csv, outreach_events.csv and targets.csv "
            "(or .parquet), and recipients.csv if reports are sent by e-mail"
        ) from None
    except OSError as exc:  # mode 000, or a parent folder that may not be entered
        raise BpuReportsError(f"cannot read the folder {folder}: {readers.os_reason(exc)}") from exc
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Violation] = []
    for name in LOAD_ORDER:
        path, problem = readers.locate(folder, name)
        if path is None:
            if problem is not None:  # None: an optional table without a file, loaded empty
                problems.append(problem)
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
        typed[name], unparsed = parsing.parse_table(table, frames[name])
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
    store.insert(con, name, frame)
