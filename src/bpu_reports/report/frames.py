"""Any DataFrame as a report table (:func:`from_frame`, behind ``house.table`` and
``Report.table_from``): the same look, formats and privacy rule as the report's own tables,
each column's format inferred from its name and values (:func:`infer_kind`) unless given."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pandas as pd

from bpu_reports.metrics.privacy import SMALL, WITHHELD, suppress_small_cells
from bpu_reports.report.table import KINDS, Column, Table, privacy_note
from bpu_reports.report.words import Lang

# Column names that hold shares (0…1) or rupiah, for tables made from any frame.
_PCT_SUFFIXES = ("rate", "share", "conversion", "progress")
_RP_NAMES = ("amount", "arrears_value")


def infer_kind(name: str, values: pd.Series) -> str:
    """How :func:`from_frame` formats a column it was not told about: ``pct`` for numbers
    in a column named ``…rate``, ``…share``, ``conversion`` or ``…progress``; ``rp`` for
    ``amount``, ``arrears_value`` and ``collected_…``; ``int`` for whole numbers, ``dec``
    (one decimal) for other numbers; ``date`` for dates; ``text`` for everything else."""
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        if pd.api.types.is_datetime64_any_dtype(values):
            return "date"
        present = values.dropna()
        first = present.iloc[0] if len(present) else None
        return "date" if isinstance(first, dt.date) else "text"
    if name.endswith(_PCT_SUFFIXES):
        return "pct"
    if name in _RP_NAMES or name.startswith("collected_") or name.endswith("_amount"):
        return "rp"
    numbers = pd.to_numeric(values, errors="coerce").dropna().astype(float)
    return "int" if (numbers == numbers.round()).all() else "dec"


def from_frame(
    frame: pd.DataFrame,
    lang: Lang = "id",
    *,
    kinds: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    suppress: Sequence[str] = (),
    withhold: Mapping[str, Sequence[str]] | None = None,
    caption: str = "",
    footnote: str = "",
) -> Table:
    """``frame`` as a report table: numbers in the report language's format and
    right-aligned, no index, small cells as "< 5".

    ``kinds`` overrides :func:`infer_kind` per column (``int``, ``dec``, ``pct``, ``rp``,
    ``signed``, ``date``, ``text``); ``labels`` renames column headers. ``suppress`` lists
    count columns whose values under 5 show as "< 5"; ``withhold`` maps rate columns to the
    counts they are computed from (a rate of a suppressed count shows as "–"). A frame from
    ``Report.data`` needs neither: its ``suppressed`` flag column is read (a missing count in
    a flagged row shows "< 5", a missing rate "–") and not shown. When any cell shows "< 5",
    the privacy note is the table's footnote (unless ``footnote`` is given).
    """
    data = frame.reset_index(drop=True)
    flagged = pd.Series(False, index=data.index)
    if "suppressed" in data.columns:
        flagged = data.pop("suppressed").fillna(False).astype(bool)
    kinds = {str(c): infer_kind(str(c), data[c]) for c in data.columns} | dict(kinds or {})
    unknown = sorted(set(kinds.values()) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown column kind {unknown[0]!r}; choose from {', '.join(KINDS)}")
    data.columns = [str(c) for c in data.columns]
    shown = data.astype(object)
    if suppress or withhold:
        shown = suppress_small_cells(data, list(suppress), withhold).astype(object)
    for col, kind in kinds.items():
        if kind == "text" or col not in shown:
            continue
        # a cell Report.data suppressed: missing there, "< 5" (a count) or "–" (a rate) here
        hidden = flagged & data[col].isna()
        shown.loc[hidden, col] = WITHHELD if kind == "pct" else SMALL
    columns = [Column(c, str((labels or {}).get(c, c)), kinds[c]) for c in data.columns]
    note = footnote or privacy_note(shown, columns, lang)
    return Table(shown, columns, lang, caption=caption, footnote=note, css="house")
