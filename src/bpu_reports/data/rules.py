"""The rules of the data contract, applied to whole columns, each broken rule a ``Violation``.

Three layers, all vectorised:

1. parsing (``parsing``): every contract column is turned into its type, strictly (ISO dates
   only, whole numbers only); a value that does not parse is reported with its rows and
   becomes null.
2. the pandera schema of each table (``contract.schema``): nulls, uniqueness, ranges, value lists,
   code pattern, required columns.
3. cross-table rules, on the rows that passed 1 and 2: foreign keys, date order, and the scope
   of each recipient.

Row numbers are the frame's index (``readers`` indexes frames by 1-based data row number). A
violation names table, column, rule and rows, never a value: values can be personal data (a
recipient's address or name), and the rows say where to look. This module holds layers 2
and 3 and turns what layer 1 found into violations.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pandera.errors as pa_errors

from bpu_reports.data.contract import INT32_MAX, NATIONAL, TABLES, Field, Table, schema
from bpu_reports.data.parsing import UNPARSEABLE, Problems
from bpu_reports.errors import Violation

Rows = pd.Index | np.ndarray | Sequence[int]
MAX_ROWS = 20
"""Row numbers kept per violation; the count is always the full one."""


def violation(table: str, column: str | None, rule: str, rows: Rows) -> Violation:
    """One ``Violation`` for the rows that break ``rule``: the first ``MAX_ROWS``, and the count."""
    numbers = np.unique(np.asarray(rows, dtype="int64"))
    return Violation(table, column, rule, tuple(int(r) for r in numbers[:MAX_ROWS]), len(numbers))


# -- 2. per-table schema ----------------------------------------------------------------------


def schema_violations(
    table: Table, typed: pd.DataFrame, unparsed: Problems
) -> tuple[list[Violation], pd.Index]:
    """Violations of ``table``'s pandera schema and of ``unparsed`` (what ``parse_table`` found),
    and every row that broke one."""
    # (column, rule) -> rows; several checks can read as one rule (">= 1", "<= 12": "between")
    broken: dict[tuple[str | None, str], list[pd.Index]] = {
        key: [rows] for key, rows in unparsed.items()
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
            if check == "not_nullable":  # a value that could not be used is reported already
                rows = rows.difference(_union([r for (c, _), r in unparsed.items() if c == column]))
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
        if f.max_value == INT32_MAX:  # the type's limit, not a range of the business
            too_large = f"too large (at most {INT32_MAX})"
            return f"must be ≥ {f.min_value}" if check.startswith(">=") else too_large
        if f.min_value is not None and f.max_value is not None:
            return f"must be between {f.min_value} and {f.max_value}"
        return f"must be ≥ {f.min_value}" if check.startswith(">=") else f"must be ≤ {f.max_value}"
    if check.startswith(("dtype(", "coerce_dtype(")):
        return UNPARSEABLE.get(f.kind, f"not of type {f.kind}")
    return f"must be {check}"


# -- 3. cross-table ---------------------------------------------------------------------------


def cross_table_violations(
    typed: dict[str, pd.DataFrame], passed: dict[str, pd.Series]
) -> list[Violation]:
    """Foreign keys, date order and recipients' scopes, checked on the rows ``passed`` marks
    as good so far.

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
    if pays is not None and {"paid_on", "first_month"} <= set(pays.columns):
        # prepaying is allowed, for at most a year ahead: month 13 onwards is a typing error
        ahead = _month_index(pays["first_month"]) - _month_index(pays["paid_on"])
        rule = "more than 12 months after the month of paid_on"
        found.append(_where(pays, "contributions", "first_month", rule, ahead > 12))
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
    found += _recipient_scopes(typed, rows.get("recipients"))
    return [v for v in found if v.count]


def _recipient_scopes(
    typed: dict[str, pd.DataFrame], recipients: pd.DataFrame | None
) -> list[Violation]:
    """A recipient's ``scope_code`` is a branch code, a region code or ``NATIONAL``: unchecked
    when the branches or regions could not be read (every scope would look unknown)."""
    branches, regions = typed.get("branches"), typed.get("regions")
    if (
        recipients is None
        or "scope_code" not in recipients
        or branches is None
        or regions is None
        or "branch_code" not in branches
        or "region_code" not in regions
    ):
        return []
    known = pd.concat([branches["branch_code"], regions["region_code"]]).dropna()
    scope = recipients["scope_code"]
    unknown = scope.notna() & ~scope.isin(known) & (scope != NATIONAL)
    rule = f"unknown scope_code (not a branch_code, a region_code or {NATIONAL})"
    return [_where(recipients, "recipients", "scope_code", rule, unknown)]


def _month_index(dates: pd.Series) -> pd.Series:
    return dates.dt.year * 12 + dates.dt.month


def _where(frame: pd.DataFrame, table: str, column: str, rule: str, mask: pd.Series) -> Violation:
    return violation(table, column, rule, frame.index[mask.fillna(False).to_numpy(dtype=bool)])
