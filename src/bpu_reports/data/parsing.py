"""Layer 1 of the data contract's rules: every contract column turned into its type, strictly
(ISO dates only, whole numbers only), on whole columns; a value that does not parse is
reported with its rows and becomes null.

pandera's own coercion is not used for this: it accepts ``01/07/2017`` (as 7 January) and
``2017-7-1``, and when one value of a column fails to coerce it skips every other check of that
column, so ranges and uniqueness would go unreported. What parsing found (``Problems``) goes on
to ``rules``, which reports it beside the schema's and the cross-table rules' violations.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from email_validator import EmailNotValidError, validate_email

from bpu_reports.data.contract import FIRST_DATE, INT64_MAX, LAST_DATE, NO_DATE, Field, Table

Problems = dict[tuple[str, str], pd.Index]
"""(column, rule) -> rows whose value could not be used: what parsing found (layer 1)."""

_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_BOOLEANS = {  # "ya"/"tidak": Indonesian exports
    **dict.fromkeys(("true", "t", "yes", "y", "ya", "1"), True),
    **dict.fromkeys(("false", "f", "no", "n", "tidak", "0"), False),
}
UNPARSEABLE = {
    "date": "not a date (YYYY-MM-DD)",
    "id": "not an identifier (text of 1–64 characters, or a whole number)",
    "int": "not a whole number",
    "money": "not a whole number (rupiah, no separators)",
    "bool": "not true/false",
    "email": "not an e-mail address (one address alone: no name, list or spaces)",
}
"""Rule per column kind for a value that cannot be used (``rules`` names the schema's type
checks with it too)."""
EXAMPLE_DOMAINS = ("invalid", "test")
"""Top-level domains reserved for examples and tests (RFC 2606): an address under them passes
the syntax rules as any other, so the demo and tests can use ``…@example.invalid``; mail to
them never leaves the sending machine."""
_TOO_LARGE = f"too large (at most {INT64_MAX})"
_BEFORE_FIRST = f"before {FIRST_DATE.year} (a placeholder date such as 1900-01-01?)"
_AFTER_LAST = f"after {LAST_DATE.year} (a placeholder date such as 9999-12-31?)"


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
        return out, {UNPARSEABLE["id"]: raw.notna() & out.isna()}
    if f.kind == "date":
        return _date(raw, f)
    if f.kind == "email":
        text = _stripped(raw)
        out = text.map(normal_address, na_action="ignore").astype("str").mask(text.isna())
        return out, {UNPARSEABLE["email"]: text.notna() & out.isna()}
    if _is_text(raw):
        text = _stripped(raw)
        if f.kind == "bool":
            out = text.str.lower().map(_BOOLEANS).astype("boolean")
            return out, {UNPARSEABLE["bool"]: text.notna() & out.isna()}
        return _whole_from_text(text, f)
    if f.kind == "bool":
        out = raw.astype("boolean") if pd.api.types.is_bool_dtype(raw) else _bool_from_numbers(raw)
        return out, {UNPARSEABLE["bool"]: raw.notna() & out.isna()}
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
    return out, {UNPARSEABLE[f.kind]: digits.isna() & text.notna(), _TOO_LARGE: too_large}


def _whole_from_numbers(raw: pd.Series, f: Field) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Parquet (or a caller's frame) already carries numbers: keep the whole ones that fit."""
    if not pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        none = pd.Series(pd.NA, index=raw.index, dtype="Int64")
        return none, {UNPARSEABLE[f.kind]: raw.notna()}
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
        UNPARSEABLE[f.kind]: numbers.notna() & ~whole & ~too_large,
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
    return out, {UNPARSEABLE["date"]: unparsed, _BEFORE_FIRST: early, late_rule: late}


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
