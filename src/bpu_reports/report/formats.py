"""Indonesian (default) and English number, money, percent and date formats via Babel (CLDR).

``16.800``, ``60,0%``, ``Rp16.800``, ``Rp1,2 miliar``, ``+2,5 poin persentase``,
``Juli 2017`` in Indonesian; ``16,800``, ``60.0%``, ``Rp16,800``, ``Rp1.2 billion``,
``+2.5 percentage points``, ``July 2017`` in English. Large amounts are written in words by
Babel's compact long format (ribu / juta / miliar / triliun). Missing values render as an
em dash; suppressed small cells (strings) pass through.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from typing import Any

from babel.dates import format_date
from babel.numbers import format_compact_decimal, format_decimal, format_percent
from babel.units import format_unit

from bpu_reports.period import Period
from bpu_reports.report.words import Lang, locale, word

MISSING = "—"
IN_WORDS = 1e6
"""Rupiah amounts from a million up are written in words (``Rp1,2 miliar``)."""


def is_missing(value: Any) -> bool:
    """``None``, NaN, and pandas' ``NA`` and ``NaT``. pandas is not imported for it: a
    pandas missing value exists only once pandas is loaded, and the batch's workers, which
    format titles and dates, never load it."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    pandas = sys.modules.get("pandas")
    return pandas is not None and bool(pandas.isna(value))


def number(value: Any, lang: Lang = "id", digits: int = 0) -> str:
    """``16.800`` / ``16,800``; ``digits`` decimals."""
    if isinstance(value, str):
        return value
    if is_missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(round(float(value), digits), format=pattern, locale=locale(lang))


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
    return format_percent(float(value), format=pattern, locale=locale(lang))


def points(value: Any, lang: Lang = "id", digits: int = 1) -> str:
    """A change of a rate (0…1) in percentage points: ``+2,5 poin persentase`` /
    ``+2.5 percentage points``."""
    if isinstance(value, str):
        return value
    if is_missing(value):
        return MISSING
    return f"{signed(float(value) * 100, lang, digits)} {word('percentage_points', lang)}"


def in_words(amount: float, lang: Lang = "id") -> str:
    """A positive amount in the words of its scale, at most one decimal: ``1,2 miliar``,
    ``2,5 juta``, ``3 triliun`` / ``1.2 billion`` (Babel's compact long format)."""
    # Babel picks the scale before it rounds: 999,96 miliar would read "1000 miliar"
    scale = 1000.0 ** (math.floor(math.log10(amount)) // 3)
    if round(amount / scale, 1) >= 1000:
        amount = scale * 1000
    return format_compact_decimal(
        amount, format_type="long", locale=locale(lang), fraction_digits=1
    )


def scale_word(scale: float, lang: Lang = "id") -> str:
    """The word of a scale (1e3, 1e6, 1e9, 1e12): ``ribu``, ``juta``, ``miliar``,
    ``triliun`` / ``thousand`` … ``trillion``; Babel's compact format of the scale itself,
    without its number."""
    return in_words(scale, lang).replace("1", "", 1).strip()


def rupiah(value: Any, lang: Lang = "id") -> str:
    """Whole rupiah, ``Rp16.800``; from a million up in words: ``Rp1,2 miliar``."""
    if isinstance(value, str):
        return value
    if is_missing(value):
        return MISSING
    amount = float(value)
    sign = "−" if amount < 0 else ""
    amount = abs(amount)
    if amount >= IN_WORDS:
        return f"{sign}Rp{in_words(amount, lang)}"
    return f"{sign}Rp{number(amount, lang)}"


def months(n: float, lang: Lang = "id") -> str:
    """A number of months in words: ``3 bulan`` / ``1 month``, ``3 months``."""
    return format_unit(n, "duration-month", length="long", locale=locale(lang))


def month(period: Period | str, lang: Lang = "id", short: bool = False) -> str:
    """``Juli 2017`` (``Jul 2017`` when short) / ``July 2017``."""
    p = Period.parse(period) if isinstance(period, str) else period
    return format_date(p.first_day, "MMM y" if short else "MMMM y", locale=locale(lang))


def month_abbr(period: Period | str, lang: Lang = "id") -> str:
    """``Agu`` / ``Aug`` (for chart axes)."""
    p = Period.parse(period) if isinstance(period, str) else period
    return format_date(p.first_day, "MMM", locale=locale(lang))


def day(value: dt.date, lang: Lang = "id") -> str:
    """``30 Juli 2017`` / ``July 30, 2017``."""
    return format_date(value, "long", locale=locale(lang))
