"""Reading one contract table from a CSV or Parquet file; every file problem is a ``Violation``.

Frames come back indexed by the 1-based data row number of the source file (the header is not a
row), so a problem found later names the row a person sees in the file. CSV values are all text at
this stage (an empty field is null); types are decided by the rules, which can then say which rows
hold a value that does not parse.

What real exports carry is accepted here: UTF-8 with or without a BOM; LF, CRLF or CR-only (old
Mac Excel) line ends; ``,`` or, when the header leaves no doubt, ``;`` between values; blank
lines; unnamed columns that are empty throughout (Excel's trailing ``,,``). See
``docs/data-contract.md``.
"""

from __future__ import annotations

import csv
import errno
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from bpu_reports.data.contract import OPTIONAL_TABLES, TABLES
from bpu_reports.errors import Violation

SUFFIXES = (".csv", ".parquet")
_SNIFF_BYTES = 64 * 1024
_LINE_END = re.compile(rb"\r\n|\r|\n")
_UNNAMED = " column {}"
"""Read name of an unnamed column (position from 1); a header name is stripped, so a name with a
leading space cannot clash with it."""


def locate(folder: Path, table: str) -> tuple[Path | None, Violation | None]:
    """The one file holding ``table`` in ``folder``, or the problem that prevents choosing it;
    ``(None, None)`` when an optional table (``OPTIONAL_TABLES``) has no file: it is empty."""
    found: list[Path] = []
    for path in (folder / f"{table}{suffix}" for suffix in SUFFIXES):
        try:
            if path.is_file():
                found.append(path)
        except OSError as exc:  # the folder can be listed but not searched (mode r--)
            return None, cannot_read(table, path, exc)
    if not found:
        if table in OPTIONAL_TABLES:
            return None, None
        return None, Violation(
            table, None, f"missing file: expected {table}.csv or {table}.parquet"
        )
    if len(found) > 1:
        return None, Violation(
            table, None, f"both {table}.csv and {table}.parquet are present: keep only one"
        )
    return found[0], None


def empty(table: str) -> pd.DataFrame:
    """``table`` without rows, as a header-only CSV file reads: what an absent optional table
    holds."""
    columns = {name: pd.Series([], dtype=object) for name in TABLES[table].columns}
    return pd.DataFrame(columns, index=pd.RangeIndex(1, 1))


def cannot_read(table: str, path: Path, exc: OSError) -> Violation:
    """The file system refused ``path``: one violation in words (``permission denied``)."""
    return Violation(table, None, f"cannot read {path.name}: {os_reason(exc)}")


def os_reason(exc: OSError) -> str:
    """What an ``OSError`` means, in a few lower-case words."""
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return (exc.strerror or type(exc).__name__).lower()


def read_table(path: Path, table: str) -> tuple[pd.DataFrame | None, list[Violation]]:
    """Read ``path`` (CSV or Parquet) as ``table``; the frame is None if the file is unusable."""
    try:
        if path.suffix == ".parquet":
            if path.stat().st_size == 0:
                return None, [Violation(table, None, f"empty file {path.name}")]
            return _read_parquet(path, table)
        return _read_csv(path, table)
    except OSError as exc:  # mode 000, a file removed meanwhile, an I/O error
        return None, [cannot_read(table, path, exc)]


def _read_parquet(path: Path, table: str) -> tuple[pd.DataFrame | None, list[Violation]]:
    try:
        arrow = pq.read_table(path)
    except PermissionError:
        raise  # read_table names it; the caller says it in words
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
        first_line = _LINE_END.split(head, maxsplit=1)[0].decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [_not_utf8(table, path)]
    delimiter, problem = _delimiter(first_line, table, path)
    if problem is not None:
        return None, [problem]
    names = [n.strip() for n in next(csv.reader([first_line], delimiter=delimiter), [])]
    if not any(names):
        return None, [Violation(table, None, f"empty file {path.name}: no header row")]
    duplicated = _duplicates([n for n in names if n])
    if duplicated:
        return None, [_duplicate_column(table, duplicated[0])]
    unnamed = [i for i, name in enumerate(names) if not name]
    names = [name or _UNNAMED.format(i + 1) for i, name in enumerate(names)]

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
                delimiter=delimiter,
                invalid_row_handler=on_bad_row,
                newlines_in_values=True,
                ignore_empty_lines=False,
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
    problems: list[Violation] = []
    for position in unnamed:
        filled = _unnamed_column(table, frame, names, position)
        if filled is not None:
            problems.append(filled)
    frame = frame.drop(columns=[names[i] for i in unnamed])
    # a blank line is no row at all; dropping it keeps the numbering of the rows after it
    frame = frame[frame.notna().any(axis=1)] if len(frame) else frame
    if skipped:
        separator = "comma" if delimiter == "," else "semicolon"
        problems.append(
            Violation(
                table,
                None,
                f"wrong number of fields: expected {len(names)} like the header "
                f"(a stray delimiter or an unquoted {separator}?)",
                tuple(skipped[:20]),
                len(skipped),
            )
        )
    return frame, problems


def _delimiter(header: str, table: str, path: Path) -> tuple[str, Violation | None]:
    """``,``; or ``;`` when the header has no ``,`` and, split by ``;``, names a contract column
    (Excel in an Indonesian locale writes ``;``). A header that looks ``;``-separated but is
    not clearly so is refused, saying so, rather than read as one long column name."""
    if ";" not in header:
        return ",", None
    known = set(TABLES[table].columns)
    by_semicolon = {n.strip() for n in next(csv.reader([header], delimiter=";"), [])}
    if "," not in header and known & by_semicolon:
        return ";", None
    by_comma = {n.strip() for n in next(csv.reader([header]), [])}
    if known & by_comma:
        return ",", None
    return ",", Violation(
        table,
        None,
        f"{path.name} looks ;-separated, but its header does not name the columns clearly: "
        "export it as CSV UTF-8 with , between values",
    )


def _unnamed_column(
    table: str, frame: pd.DataFrame, names: list[str], position: int
) -> Violation | None:
    """None if the unnamed column at ``position`` (from 0) is empty throughout (Excel writes such
    columns); otherwise one violation naming where it is and the rows that fill it."""
    values = frame[names[position]]
    filled = values.notna() & (values.str.strip() != "")
    if not filled.any():
        return None
    named = [n for n in names[:position] if not n.startswith(" ")]
    where = f"after {named[-1]}" if named else "the first column"
    return Violation(
        table,
        None,
        f"column {position + 1} ({where}) has no name: name it in the header, or delete it",
        tuple(int(r) for r in frame.index[filled.to_numpy(dtype=bool)][:20]),
        int(filled.sum()),
    )


def _duplicates(names: list[str]) -> list[str]:
    return [name for name, n in Counter(names).items() if n > 1]


def _duplicate_column(table: str, name: str) -> Violation:
    return Violation(table, name, "column appears more than once in the header")


def _not_utf8(table: str, path: Path) -> Violation:
    return Violation(table, None, f"{path.name} is not UTF-8 text: export it as CSV UTF-8")
