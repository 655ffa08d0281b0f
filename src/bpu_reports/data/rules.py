"""The rules of the data contract, applied to whole columns, each broken rule a ``Violation``.

Three layers, all vectorised:

1. parsing: every contract column is turned into its type here, strictly (ISO dates only, whole
   numbers only); a value that does not parse is reported with its rows and becomes null.
   pandera's own coercion is not used for this: it accepts ``01/07/2017`` (as 7 January) and
   ``2017-7-1``, and when one value of a column fails to coerce it skips every other check of
   that column, so ranges and uniqueness would go unreported.
2. the pandera schema of each table (``contract.schema``): nulls, uniqueness, ranges, value lists,
   code pattern, required columns.
3. cross-table rules, on the rows that passed 1 and 2: foreign keys, date order, and the scope
   of each recipient.

Row numbers are the frame's index (``readers`` indexes frames by 1-based data row number). A
violation names table, column, rule and rows, never a value: values can be personal data (a
recipient's address or name), and the rows say where to look.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pandera.errors as pa_errors
from email_validator import EmailNotValidError, validate_email

from bpu_reports.data.contract import (
    FIRST_DATE,
    INT32_MAX,
    INT64_MAX,
    LAST_DATE,
    NATIONAL,
    NO_DATE,
    TABLES,
    Field,
    Table,
    schema,
)
from bpu_reports.errors import Violation

Rows = pd.Index | np.ndarray | Sequence[int]
Problems = dict[tuple[str, str], pd.Index]
"""(column, rule) -> rows whose value could not be used: what parsing found (layer 1)."""
MAX_ROWS = 20
"""Row numbers kept per violation; the count is always the full one."""

_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_BOOLEANS = {  # "ya"/"tidak": Indonesian exports
    **dict.fromkeys(("true", "t", "yes", "y", "ya", "1"), True),
    **dict.fromkeys(("false", "f", "no", "n", "tidak", "0"), False),
}
_UNPARSEABLE = {
    "date": "not a date (YYYY-MM-DD)",
    "id": "not an identifier (text of 1–64 characters, or a whole number)",
    "int": "not a whole number",
    "money": "not a whole number (rupiah, no separators)",
    "bool": "not true/false",
    "email": "not an e-mail address (one address alone: no name, list or spaces)",
}
EXAMPLE_DOMAINS = ("invalid", "test")
"""Top-level domains reserved for examples and tests (RFC 2606): an address under them passes
the syntax rules as any other, so the demo and tests can use ``…@example.invalid``; mail to
them never leaves the sending machine."""
_TOO_LARGE = f"too large (at most {INT64_MAX})"
_BEFORE_FIRST = f"before {FIRST_DATE.year} (a placeholder date such as 1900-01-01?)"
_AFTER_LAST = f"after {LAST_DATE.year} (a placeholder date such as 9999-12-31?)"


def violation(table: str, column: str | None, rule: str, rows: Rows) -> Violation:
    """One ``Violation`` for the rows that break ``rule``: the first ``MAX_ROWS``, and the count."""
    numbers = np.unique(np.asarray(rows, dtype="int64"))
    return Violation(table, column, rule, tuple(int(r) for r in numbers[:MAX_ROWS]), len(numbers))


# -- 1. parsing -------------------------------------------------------------------------------


def parse_table(table: Table, frame: pd.DataFrame) -> tuple[pd.DataFrame, Problems]:
    """The contract columns of ``frame``, typed; and, per (column, rule), the rows whose value
    cannot be used (it does not parse, does not fit the column's type, or is a date out of
    range). Such values are null in the typed frame."""
    typed: dict[str, pd.Series] = {}
    problems: Problems = {}
    for f in table.contract_fields:
        if f.name in frame.columns:
            typed[f.name], found = _parse(frame[f.name], f)
            for rule, mask in found.items():
                if mask.any():
                    problems[(f.name, rule)] = frame.index[mask.to_numpy(dtype=bool)]
    return pd.DataFrame(typed, index=frame.index), problems


def _parse(raw: pd.Series, f: Field) -> tuple[pd.Series, dict[str, pd.Series]]:
    """``raw`` as the type of ``f`` (null where it cannot be used), and rule -> rows breaking it."""
    if f.kind in ("code", "text"):
        return raw.astype("str").mask(raw.isna()), {}
    if f.kind == "id":
        out = _identifier(raw)
        return out, {_UNPARSEABLE["id"]: raw.notna() & out.isna()}
    if f.kind == "date":
        return _date(raw, f)
    if f.kind == "email":
        text = _stripped(raw)
        out = text.map(normal_address, na_action="ignore").astype("str").mask(text.isna())
        return out, {_UNPARSEABLE["email"]: text.notna() & out.isna()}
    if _is_text(raw):
        text = _stripped(raw)
        if f.kind == "bool":
            out = text.str.lower().map(_BOOLEANS).astype("boolean")
            return out, {_UNPARSEABLE["bool"]: text.notna() & out.isna()}
        return _whole_from_text(text, f)
    if f.kind == "bool":
        out = raw.astype("boolean") if pd.api.types.is_bool_dtype(raw) else _bool_from_numbers(raw)
        return out, {_UNPARSEABLE["bool"]: raw.notna() & out.isna()}
    return _whole_from_numbers(raw, f)


def normal_address(text: str) -> str | None:
    """``text`` as one e-mail address in its normal form (the domain in lower case), or None if
    it is not one: syntax only, no DNS (``email-validator``, ``check_deliverability=False``);
    a display name (``Budi <budi@…>``), a list or spaces are refused.

    >>> normal_address("Kepala.DPS@Example.INVALID"), normal_address("kepala dps@example.com")
    ('Kepala.DPS@example.invalid', None)
    """
    local, at, domain = text.rpartition("@")
    head, dot, tld = domain.rpartition(".")
    reserved = bool(at and dot) and tld.lower() in EXAMPLE_DOMAINS
    # the library refuses the reserved names outright: check the rest under a neutral one
    checked = f"{local}@{head}.example" if reserved else text
    try:
        normal = validate_email(checked, check_deliverability=False).normalized
    except EmailNotValidError:
        return None
    return f"{normal.removesuffix('.example')}.{tld.lower()}" if reserved else normal


def _is_text(raw: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(raw) or raw.dtype == object


def _stripped(raw: pd.Series) -> pd.Series:
    text = raw.astype("str").str.strip().mask(raw.isna())
    return text.mask(text == "")


def _identifier(raw: pd.Series) -> pd.Series:
    """Identifiers as text, exactly as exported (``00123`` stays ``00123``; spaces around it are
    trimmed). A numeric column (a Parquet integer column) becomes the number's digits; a float
    column only where the value is whole (``123.0`` → ``123``)."""
    if _is_text(raw):
        # infer_dtype scans in C: no Python call per row for the usual all-text column
        if raw.dtype == object and pd.api.types.infer_dtype(raw, skipna=True) not in (
            "string",
            "empty",
        ):
            return raw.map(_one_identifier, na_action="ignore").astype("str").mask(raw.isna())
        return _stripped(raw)
    if pd.api.types.is_bool_dtype(raw) or not pd.api.types.is_numeric_dtype(raw):
        return pd.Series(pd.NA, index=raw.index, dtype="str").mask(raw.isna())
    return _identifier_numbers(raw)


def _one_identifier(value: object) -> str | None:
    """One value of a column mixing text and numbers (a caller's frame, never a file's)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return str(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        whole = np.isfinite(number) and number.is_integer() and abs(number) < 2**53
        return str(int(number)) if whole else None
    return None


def _identifier_numbers(raw: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(raw, errors="coerce")
    if pd.api.types.is_integer_dtype(numbers):  # int64 or uint64: every value has its digits
        return numbers.astype("str").mask(numbers.isna())
    # 2**53: beyond it a float no longer holds every whole number, so digits would be invented
    whole = numbers.where(
        np.isfinite(numbers) & (numbers.round() == numbers) & (numbers.abs() < 2**53)
    )
    return whole.astype("Int64").astype("str").mask(whole.isna())


def _whole_from_text(text: pd.Series, f: Field) -> tuple[pd.Series, dict[str, pd.Series]]:
    digits = text.where(text.str.fullmatch(r"[+-]?\d+"))
    magnitude = digits.str.lstrip("+-").str.lstrip("0")
    length = magnitude.str.len()
    # compared as text: the value itself may not fit any integer type
    too_large = (length > 19) | ((length == 19) & (magnitude > str(INT64_MAX)))
    too_large = too_large.fillna(False).astype(bool)
    out = digits.str.lstrip("+").mask(too_large).astype("Int64")
    return out, {_UNPARSEABLE[f.kind]: digits.isna() & text.notna(), _TOO_LARGE: too_large}


def _whole_from_numbers(raw: pd.Series, f: Field) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Parquet (or a caller's frame) already carries numbers: keep the whole ones that fit."""
    if not pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        none = pd.Series(pd.NA, index=raw.index, dtype="Int64")
        return none, {_UNPARSEABLE[f.kind]: raw.notna()}
    numbers = pd.to_numeric(raw, errors="coerce")
    if pd.api.types.is_integer_dtype(numbers):
        too_large = (numbers > INT64_MAX).fillna(False).astype(bool)  # only uint64 can be
        fitting = numbers.clip(upper=INT64_MAX) if too_large.any() else numbers
        out = fitting.astype("Int64").mask(too_large)
        return out, {_TOO_LARGE: too_large}
    finite = pd.Series(np.isfinite(numbers.to_numpy(dtype="float64", na_value=np.nan)), raw.index)
    # 2**63 as a float is the first value beyond int64; every float below it converts exactly
    too_large = finite & (numbers.abs() >= 2.0**63)
    whole = finite & ~too_large & (numbers.round() == numbers)
    out = numbers.where(whole).astype("Int64")
    return out, {
        _UNPARSEABLE[f.kind]: numbers.notna() & ~whole & ~too_large,
        _TOO_LARGE: too_large,
    }


def _bool_from_numbers(raw: pd.Series) -> pd.Series:
    return raw.map({1: True, 0: False}).astype("boolean")


def _date(raw: pd.Series, f: Field) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Dates, checked against the contract's range before they become ``datetime64[ns]`` (which
    ends in 2262): the ``NO_DATE`` sentinel is empty in a nullable column, a date before
    ``FIRST_DATE`` or after the import day (``LAST_DATE`` where the future is allowed) is a
    violation, and only the dates in range are kept."""
    if _is_text(raw):
        when = _iso_dates(_stripped(raw))
    elif pd.api.types.is_datetime64_any_dtype(raw):
        if isinstance(raw.dtype, pd.DatetimeTZDtype):
            raw = raw.dt.tz_localize(None)
        # Arrow dates arrive as datetime64[ms], years up to 9999 included; [s] holds them all
        when = raw.where(raw == raw.dt.normalize()).astype("datetime64[s]")  # no time of day
    else:
        when = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[s]")
    unparsed = raw.notna() & when.isna()
    if pd.api.types.is_string_dtype(raw) or raw.dtype == object:
        unparsed &= _stripped(raw).notna()
    no_date = (when == _day(NO_DATE)) if f.nullable else pd.Series(False, raw.index)
    early = when < _day(FIRST_DATE)
    if f.may_be_future:
        late, late_rule = when > _day(LAST_DATE), _AFTER_LAST
    else:
        today = dt.date.today()
        late, late_rule = when > _day(today), f"in the future (after {today}, the import day)"
    late &= ~no_date
    out = when.mask(no_date | early | late).astype("datetime64[ns]")
    return out, {_UNPARSEABLE["date"]: unparsed, _BEFORE_FIRST: early, late_rule: late}


def _day(day: dt.date) -> np.datetime64:
    return np.datetime64(day.isoformat(), "s")


def _iso_dates(text: pd.Series) -> pd.Series:
    """``YYYY-MM-DD`` text as ``datetime64[s]`` (NaT where it is not that form, or not a day of
    the calendar), years 0001–9999: month arithmetic in numpy, so the sentinel ``9999-12-31``
    and ``1900-01-01`` parse like any date and the range rules can name them."""
    iso = text.where(text.str.fullmatch(_ISO_DATE))
    parts = pd.DataFrame(
        {
            "y": iso.str.slice(0, 4),
            "m": iso.str.slice(5, 7),
            "d": iso.str.slice(8, 10),
        }
    ).astype("Int64")
    year = parts["y"].fillna(1970).to_numpy(dtype="int64")
    month = parts["m"].fillna(1).to_numpy(dtype="int64")
    day = parts["d"].fillna(1).to_numpy(dtype="int64")
    months = ((year - 1970) * 12 + (month - 1)).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + (day - 1)
    real = (
        iso.notna().to_numpy()
        & (year >= 1)
        & (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (days.astype("datetime64[M]") == months)  # the 30th of February falls in March
    )
    return pd.Series(np.where(real, days, np.datetime64("NaT")), text.index).astype("datetime64[s]")


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
        return _UNPARSEABLE.get(f.kind, f"not of type {f.kind}")
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
