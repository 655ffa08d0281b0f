"""Reading one contract table from a CSV or Parquet file; every file problem is a ``Violation``.

Frames come back indexed by the 1-based data row number of the source file (the header is not a
row), so a problem found later names the row a person sees in the file. CSV values are all text at
this stage (an empty field is null); types are decided by the rules, which can then say which rows
hold a value that does not parse.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from bpu_reports.errors import Violation

SUFFIXES = (".csv", ".parquet")
_SNIFF_BYTES = 64 * 1024


def locate(folder: Path, table: str) -> tuple[Path | None, Violation | None]:
    """The one file holding ``table`` in ``folder``, or the problem that prevents choosing it."""
    found = [folder / f"{table}{suffix}" for suffix in SUFFIXES]
    found = [p for p in found if p.is_file()]
    if not found:
        return None, Violation(
            table, None, f"missing file: expected {table}.csv or {table}.parquet"
        )
    if len(found) > 1:
        return None, Violation(
            table, None, f"both {table}.csv and {table}.parquet are present: keep only one"
        )
    return found[0], None


def read_table(path: Path, table: str) -> tuple[pd.DataFrame | None, list[Violation]]:
    """Read ``path`` (CSV or Parquet) as ``table``; the frame is None if the file is unusable."""
    if path.suffix == ".parquet":
        if path.stat().st_size == 0:
            return None, [Violation(table, None, f"empty file {path.name}")]
        return _read_parquet(path, table)
    return _read_csv(path, table)


def _read_parquet(path: Path, table: str) -> tuple[pd.DataFrame | None, list[Violation]]:
    try:
        arrow = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, [
            Violation(table, None, f"{path.name} is not a readable Parquet file ({reason})")
        ]
    duplicated = _duplicates(arrow.column_names)
    if duplicated:
        return None, [_duplicate_column(table, duplicated[0])]
    frame = arrow.to_pandas(date_as_object=False)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame, []


def _read_csv(path: Path, table: str) -> tuple[pd.DataFrame | None, list[Violation]]:
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if b"\x00" in head:
        return None, [
            Violation(table, None, f"{path.name} is not a CSV text file (binary content)")
        ]
    try:
        first_line = head.split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:
        return None, [_not_utf8(table, path)]
    names = [n.strip() for n in next(csv.reader([first_line]), [])]
    if not any(names):
        return None, [Violation(table, None, f"empty file {path.name}: no header row")]
    duplicated = _duplicates(names)
    if duplicated:
        return None, [_duplicate_column(table, duplicated[0])]

    skipped: list[int] = []

    def on_bad_row(row: pa_csv.InvalidRow) -> str:
        skipped.append(row.number - 1)  # row.number counts the header as row 1
        return "skip"

    try:
        arrow = pa_csv.read_csv(
            path,
            # one thread: pyarrow only knows the row number of a bad row when reading serially
            read_options=pa_csv.ReadOptions(use_threads=False, column_names=names, skip_rows=1),
            parse_options=pa_csv.ParseOptions(
                invalid_row_handler=on_bad_row, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc):
            return None, [_not_utf8(table, path)]
        reason = str(exc).strip().splitlines()[0]
        return None, [Violation(table, None, f"{path.name} is not a readable CSV file ({reason})")]

    frame = arrow.to_pandas(self_destruct=True)
    del arrow
    rows = np.arange(1, len(frame) + len(skipped) + 1)
    frame.index = pd.Index(np.setdiff1d(rows, skipped, assume_unique=True))
    # a blank line is no row at all; dropping it keeps the numbering of the rows after it
    frame = frame[frame.notna().any(axis=1)] if len(frame) else frame
    problems = []
    if skipped:
        problems.append(
            Violation(
                table,
                None,
                f"wrong number of fields: expected {len(names)} like the header "
                "(a stray delimiter or an unquoted comma?)",
                tuple(skipped[:20]),
                len(skipped),
            )
        )
    return frame, problems


def _duplicates(names: list[str]) -> list[str]:
    return [name for name, n in Counter(names).items() if n > 1]


def _duplicate_column(table: str, name: str) -> Violation:
    return Violation(table, name, "column appears more than once in the header")


def _not_utf8(table: str, path: Path) -> Violation:
    return Violation(table, None, f"{path.name} is not UTF-8 text: export it as CSV UTF-8")
