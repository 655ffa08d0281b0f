"""Indonesian (default) and English number, money, percent and date formats via Babel (CLDR).

``16.800``, ``60,0%``, ``Rp16.800``, ``Rp1,2 miliar``, ``Juli 2017`` in Indonesian;
``16,800``, ``60.0%``, ``Rp16,800``, ``Rp1.2 billion``, ``July 2017`` in English.
Missing values render as an em dash; suppressed small cells (strings) pass through.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from bpu_reports.period import Period

Lang = Literal["id", "en"]
LOCALES: dict[str, str] = {"id": "id_ID", "en": "en_US"}
MISSING = "—"

# Indonesian reports write large rupiah amounts in words (ribu / juta / miliar / triliun).
_SCALES: dict[str, tuple[tuple[float, str], ...]] = {
    "id": ((1e12, "triliun"), (1e9, "miliar"), (1e6, "juta")),
    "en": ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")),
}


def _locale(lang: str) -> str:
    try:
        return LOCALES[lang]
    except KeyError:
        raise ValueError(f"unknown language {lang!r}: use 'id' or 'en'") from None


def is_missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def number(value: Any, lang: Lang = "id", digits: int = 0) -> str:
    """``16.800`` / ``16,800``; ``digits`` decimals."""
    if isinstance(value, str):
        return value
    if is_missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(round(float(value), digits), format=pattern, locale=_locale(lang))


def signed(value: Any, lang: Lang = "id", digits: int = 0) -> str:
    """A change with its sign: ``+1.234``, ``−56``, ``0``."""
    if isinstance(value, str):
        return value
    if is_missing(value):
        return MISSING
    text = number(abs(value), lang, digits)
    if round(float(value), digits) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def percent(value: Any, lang: Lang = "id", digits: int = 1) -> str:
    """A share in 0…1 as ``60,0%`` / ``60.0%``."""
    if isinstance(value, str):
        return value
    if is_missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(float(value), format=pattern, locale=_locale(lang))


def points(value: Any, lang: Lang = "id", digits: int = 1) -> str:
    """A change of a rate in percentage points: ``+2,5 pp``."""
    if isinstance(value, str):
        return value
    if is_missing(value):
        return MISSING
    return f"{signed(float(value) * 100, lang, digits)} pp"


def rupiah(value: Any, lang: Lang = "id") -> str:
    """Whole rupiah, ``Rp16.800``; from a million up in words: ``Rp1,2 miliar``."""
    if isinstance(value, str):
        return value
    if is_missing(value):
        return MISSING
    amount = float(value)
    sign = "−" if amount < 0 else ""
    amount = abs(amount)
    for size, word in _SCALES[lang]:
        if amount >= size:
            return f"{sign}Rp{number(amount / size, lang, 1)} {word}"
    return f"{sign}Rp{number(amount, lang)}"


def month(period: Period | str, lang: Lang = "id", short: bool = False) -> str:
    """``Juli 2017`` (``Jul 2017`` when short) / ``July 2017``."""
    p = Period.parse(period) if isinstance(period, str) else period
    return format_date(p.first_day, "MMM y" if short else "MMMM y", locale=_locale(lang))


def month_abbr(period: Period | str, lang: Lang = "id") -> str:
    """``Agu`` / ``Aug`` (for chart axes)."""
    p = Period.parse(period) if isinstance(period, str) else period
    return format_date(p.first_day, "MMM", locale=_locale(lang))


def day(value: dt.date, lang: Lang = "id") -> str:
    """``30 Juli 2017`` / ``July 30, 2017``."""
    return format_date(value, "long", locale=_locale(lang))
