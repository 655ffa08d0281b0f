"""Numbers on the charts' y axes: member counts, percentages and rupiah in ribu / juta /
miliar / triliun (the scale's word from Babel, as ``formats.rupiah`` writes amounts), each a
:class:`Scale` from 0 with tick labels in the report's language; :func:`num` reads a cell as
a float."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from bpu_reports.report import formats
from bpu_reports.report.words import Lang


def num(value: Any) -> float:
    """A float; NaN for missing values (None, pd.NA, NaN)."""
    try:
        return float("nan") if value is None or pd.isna(value) else float(value)
    except (TypeError, ValueError):
        return float("nan")


@dataclass(frozen=True)
class Scale:
    top: float
    ticks: tuple[float, ...]
    labels: tuple[str, ...]
    unit: str = ""

    def apply(self, ax: Axes) -> None:
        ax.set_ylim(0, self.top)
        ax.set_yticks(self.ticks, self.labels)


def nice_ticks(value: float, integer: bool, nbins: int = 4) -> list[float]:
    """Ticks from 0 that reach ``value``."""
    value = value if math.isfinite(value) and value > 0 else 0.0
    if value == 0:
        return [0.0, 1.0] if integer else [0.0, 0.5, 1.0]
    locator = MaxNLocator(nbins=nbins, integer=integer, steps=[1, 2, 2.5, 5, 10])
    return [float(v) for v in locator.tick_values(0, value) if v >= 0]


def count_scale(peak: float, lang: Lang, headroom: float = 1.0, nbins: int = 4) -> Scale:
    """Member counts from 0, with room above ``peak`` for value labels."""
    peak = peak if math.isfinite(peak) and peak > 0 else 0.0
    ticks = nice_ticks(peak, integer=True, nbins=nbins)
    top = max(ticks[-1], peak * headroom)
    return Scale(top, tuple(ticks), tuple(formats.number(v, lang) for v in ticks))


def percent_scale(lang: Lang) -> Scale:
    ticks = (0.0, 0.25, 0.5, 0.75, 1.0)
    return Scale(1.0, ticks, tuple(formats.percent(v, lang, 0) for v in ticks))


def rupiah_scale(peak: float, lang: Lang, headroom: float = 1.0) -> Scale:
    """Rupiah in ribu / juta / miliar / triliun; ``unit`` names the scale for the axis
    (``Rp miliar`` / ``Rp billion``, plain ``Rp`` under a thousand)."""
    peak = peak if math.isfinite(peak) and peak > 0 else 0.0
    scale = next((s for s in (1e12, 1e9, 1e6, 1e3) if peak >= s), 1.0)
    ticks = nice_ticks(peak / scale, integer=False)
    step = ticks[1] - ticks[0]
    digits = 0 if step >= 1 else (1 if step >= 0.1 else 2)
    top = max(ticks[-1], peak * headroom / scale) * scale
    unit = f"Rp {formats.scale_word(scale, lang)}" if scale > 1 else "Rp"
    return Scale(
        top,
        tuple(v * scale for v in ticks),
        tuple(formats.number(v, lang, digits) for v in ticks),
        unit,
    )
