"""The rules of the data contract, applied to whole columns, each broken rule a ``Violation``.

Three layers, all vectorised:

1. parsing: every contract column is turned into its type here, strictly (ISO dates only, whole
   numbers only); a value that does not parse is reported with its rows and becomes null.
   pandera's own coercion is not used for this: it accepts ``01/07/2017`` (as 7 January) and
   ``2017-7-1``, and when one value of a column fails to coerce it skips every other check of
   that column, so ranges and uniqueness would go unreported.
2. the pandera schema of each table (``contract.schema``): nulls, uniqueness, ranges, value lists,
   code pattern, required columns.
3. cross-table rules, on the rows that passed 1 and 2: foreign keys and date order.

Row numbers are the frame's index (``readers`` indexes frames by 1-based data row number).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pandera.errors as pa_errors

from bpu_reports.data.contract import TABLES, Field, Table, schema
from bpu_reports.errors import Violation

Rows = pd.Index | np.ndarray | Sequence[int]
MAX_ROWS = 20
"""Row numbers kept per violation; the count is always the full one."""

_WHOLE_NUMBER = r"[+-]?\d{1,18}"  # 18 digits always fit in a 64-bit integer
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_BOOLEANS = {  # "ya"/"tidak": Indonesian exports
    **dict.fromkeys(("true", "t", "yes", "y", "ya", "1"), True),
    **dict.fromkeys(("false", "f", "no", "n", "tidak", "0"), False),
}
_UNPARSEABLE = {
    "date": "not a date (YYYY-MM-DD)",
    "id": "not a whole number",
    "int": "not a whole number",
    "money": "not a whole number (rupiah, no separators)",
    "bool": "not true/false",
}


def violation(table: str, column: str | None, rule: str, rows: Rows) -> Violation:
    """One ``Violation`` for the rows that break ``rule``: the first ``MAX_ROWS``, and the count."""
    numbers = np.unique(np.asarray(rows, dtype="int64"))
    return Violation(table, column, rule, tuple(int(r) for r in numbers[:MAX_ROWS]), len(numbers))


# -- 1. parsing -------------------------------------------------------------------------------


def parse_table(table: Table, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, pd.Index]]:
    """The contract columns of ``frame``, typed; and per column the rows whose value is unusable."""
    typed: dict[str, pd.Series] = {}
    unparsed: dict[str, pd.Index] = {}
    for f in table.fields:
        if f.name in frame.columns:
            typed[f.name], bad = _parse(frame[f.name], f)
            if bad.any():
                unparsed[f.name] = frame.index[bad.to_numpy()]
    return pd.DataFrame(typed, index=frame.index), unparsed


def _parse(raw: pd.Series, f: Field) -> tuple[pd.Series, pd.Series]:
    """``raw`` as the type of ``f`` (nulls where it does not parse), and where it did not parse."""
    if f.kind in ("code", "text"):
        return raw.astype("str").mask(raw.isna()), pd.Series(False, index=raw.index)
    if pd.api.types.is_string_dtype(raw) or raw.dtype == object:
        text = raw.astype("str").str.strip()
        text = text.mask(text == "")
        out = _from_text(text, f)
        return out, text.notna() & out.isna()
    out = _from_typed(raw, f)
    return out, raw.notna() & out.isna()


def _from_text(text: pd.Series, f: Field) -> pd.Series:
    if f.kind == "date":
        iso = text.where(text.str.fullmatch(_ISO_DATE))
        return pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
    if f.kind == "bool":
        return text.str.lower().map(_BOOLEANS).astype("boolean")
    return text.where(text.str.fullmatch(_WHOLE_NUMBER)).astype("Int64")


def _from_typed(raw: pd.Series, f: Field) -> pd.Series:
    """Parquet (or a caller's frame) already carries types: keep the values that fit ``f``."""
    if f.kind == "date":
        if not pd.api.types.is_datetime64_any_dtype(raw):
            return pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
        if isinstance(raw.dtype, pd.DatetimeTZDtype):
            raw = raw.dt.tz_localize(None)
        return raw.where(raw == raw.dt.normalize()).astype("datetime64[ns]")  # no time of day
    if f.kind == "bool":
        if pd.api.types.is_bool_dtype(raw):
            return raw.astype("boolean")
        return raw.map({1: True, 0: False}).astype("boolean")
    if not pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        return pd.Series(pd.NA, index=raw.index, dtype="Int64")
    numbers = pd.to_numeric(raw, errors="coerce")
    return numbers.where(numbers.round() == numbers).astype("Int64")


# -- 2. per-table schema ----------------------------------------------------------------------


def schema_violations(
    table: Table, typed: pd.DataFrame, unparsed: dict[str, pd.Index]
) -> tuple[list[Violation], pd.Index]:
    """Violations of ``table``'s pandera schema, and every row that broke one (or did not parse)."""
    # (column, rule) -> rows; several checks can read as one rule (">= 1", "<= 12": "between")
    broken: dict[tuple[str | None, str], list[pd.Index]] = {
        (col, _UNPARSEABLE[table.field(col).kind]): [rows] for col, rows in unparsed.items()
    }
    missing: list[Violation] = []
    try:
        schema(table).validate(typed, lazy=True)
    except pa_errors.SchemaErrors as exc:
        for (column, check), group in exc.failure_cases.groupby(["column", "check"], sort=False):
            if check == "column_in_dataframe":
                missing += [
                    Violation(table.name, name, "required column is missing")
                    for name in group["failure_case"]
                ]
                continue
            rows = pd.Index(group["index"].dropna().astype("int64"))
            if check == "not_nullable" and column in unparsed:
                rows = rows.difference(unparsed[column])  # already reported as unparseable
                if rows.empty:
                    continue
            key: tuple[str | None, str]
            if check == "multiple_fields_uniqueness":
                key = (None, f"duplicate ({', '.join(table.key)})")
            else:
                key = (str(column), _rule(table.field(str(column)), str(check)))
            broken.setdefault(key, []).append(rows)  # no rows: a check failed as a whole
    found = [
        violation(table.name, column, rule, _union(parts))
        for (column, rule), parts in broken.items()
    ]
    bad_rows = _union([rows for parts in broken.values() for rows in parts])
    return missing + found, bad_rows


def _union(parts: list[pd.Index]) -> pd.Index:
    if not parts:
        return pd.Index([], dtype="int64")
    return parts[0].append(parts[1:]).unique()


def _rule(f: Field, check: str) -> str:
    """Plain-English rule for a pandera check of ``f`` (checks are named in ``contract``)."""
    if check in ("not_nullable", "not empty"):
        return "must not be empty"
    if check == "field_uniqueness":
        return "duplicate id" if f.kind == "id" else "duplicate code"
    if check.startswith((">=", "<=")):
        if f.min_value is not None and f.max_value is not None:
            return f"must be between {f.min_value} and {f.max_value}"
        return f"must be ≥ {f.min_value}" if check.startswith(">=") else f"must be ≤ {f.max_value}"
    if check.startswith(("dtype(", "coerce_dtype(")):
        return _UNPARSEABLE.get(f.kind, f"not of type {f.kind}")
    return f"must be {check}"


# -- 3. cross-table ---------------------------------------------------------------------------


def cross_table_violations(
    typed: dict[str, pd.DataFrame], passed: dict[str, pd.Series]
) -> list[Violation]:
    """Foreign keys and date order, checked on the rows ``passed`` marks as good so far.

    A referenced table counts every key value that parsed, even on a row that broke another
    rule, so one bad row is not also reported as the parent of orphans. A table absent from
    ``typed`` (its file was unusable) is not checked against: every row would be an orphan,
    which says nothing new.
    """
    rows = {name: frame[passed[name].to_numpy()] for name, frame in typed.items()}
    found: list[Violation] = []
    for name, child in rows.items():
        for fk in TABLES[name].foreign_keys:
            parent = typed.get(fk.table)
            if parent is None or fk.column not in child or fk.ref_column not in parent:
                continue
            values = child[fk.column]
            orphan = values.notna() & ~values.isin(parent[fk.ref_column].dropna())
            rule = f"unknown {fk.column} (not in {fk.table})"
            found.append(_where(child, name, fk.column, rule, orphan))

    people, pays = rows.get("participants"), rows.get("contributions")
    if people is not None and {"registered_on", "exited_on"} <= set(people.columns):
        early = people["exited_on"] < people["registered_on"]
        found.append(_where(people, "participants", "exited_on", "before registered_on", early))
    if pays is not None and "first_month" in pays:
        rule = "must be the first day of a month"
        found.append(
            _where(pays, "contributions", "first_month", rule, pays["first_month"].dt.day != 1)
        )
    everyone = typed.get("participants")
    if (
        everyone is not None
        and pays is not None
        and {"participant_id", "registered_on"} <= set(everyone.columns)
        and {"participant_id", "paid_on", "first_month"} <= set(pays.columns)
    ):
        # a duplicated participant_id is reported already; its registration date is ambiguous
        known = everyone.dropna(subset=["participant_id"])
        known = known.drop_duplicates("participant_id", keep=False)
        # reindex, not Series.map: map fails on an empty column (a header-only export)
        by_id = known.set_index("participant_id")["registered_on"]
        registered = pd.Series(
            by_id.reindex(pays["participant_id"]).to_numpy(), index=pays.index, dtype=by_id.dtype
        )
        month_start = registered.dt.to_period("M").dt.start_time
        rule = "covers a month before the member's registration month"
        found.append(
            _where(pays, "contributions", "first_month", rule, pays["first_month"] < month_start)
        )
        rule = "before the member's registered_on"
        found.append(_where(pays, "contributions", "paid_on", rule, pays["paid_on"] < registered))
    return [v for v in found if v.count]


def _where(frame: pd.DataFrame, table: str, column: str, rule: str, mask: pd.Series) -> Violation:
    return violation(table, column, rule, frame.index[mask.fillna(False).to_numpy(dtype=bool)])
