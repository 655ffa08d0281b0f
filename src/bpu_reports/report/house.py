"""House-style charts and tables of an analyst's own, to sit beside the report's::

    from bpu_reports.report import house

    with house.style():
        fig, ax = house.figure("half")
        sns.barplot(data=df, y="value", x="registered", ax=ax)  # categories down the side
        house.number_axis(ax, lang, axis="x")
        ax.set_title("Peserta per segmen")
    house.show(fig)          # or, as a cell's last line: r.figure(fig)

    house.table(df, lang=lang, suppress=["registered"])

:func:`figure` sizes a figure for the A4 text width (``"full"``: 6.7 in, ``"half"``: 3.2 in)
in the report's chart style (``report/charts/style.py``); :func:`style` applies that style to
everything drawn inside its ``with`` block, seaborn included, and leaves the analyst's own
settings alone afterwards. :func:`show` displays a figure as the report's charts are
displayed: SVG with its text kept as text (sharp and searchable in the PDF). :func:`table`
formats any DataFrame as the report's tables. :func:`configure_display` is what
``open_report`` does to the kernel so that a plain ``df`` also prints decently.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bpu_reports.report import formats as f
from bpu_reports.report.charts.base import Chart, render
from bpu_reports.report.charts.style import FULL, HALF, chart_style, color
from bpu_reports.report.frames import from_frame
from bpu_reports.report.table import Table
from bpu_reports.report.words import Lang

__all__ = [
    "color",
    "configure_display",
    "figure",
    "frame_html",
    "number_axis",
    "show",
    "style",
    "table",
    "to_chart",
]

color = color
"""The colour of a named role of the house palette: ``house.color("active")``; roles:
``active``, ``in_arrears``, ``inactive``, ``target``, ``accent``, ``muted``, ``JKK`` …"""

Width = Literal["full", "half"]
WIDTHS: dict[str, tuple[float, float]] = {"full": FULL, "half": HALF}
"""Figure (width, default height) in inches: full text width, or half (two side by side)."""


def style() -> AbstractContextManager[None]:
    """The report's chart style (seaborn theme, palette, fonts) for a ``with`` block: draw
    inside it and every text, line and colour of the figure is house style."""
    return chart_style()


def figure(
    width: Width = "full", height: float | None = None, *, nrows: int = 1, ncols: int = 1
) -> tuple[Figure, Any]:
    """A new figure sized for the A4 page and its axes, in the house style.

    ``width`` is ``"full"`` (6.7 in, the text width) or ``"half"`` (3.2 in); ``height`` in
    inches (default 2.6 full, 2.4 half). With ``nrows``/``ncols`` the second value is an
    array of axes, as ``plt.subplots`` gives. The figure is not a pyplot figure: it appears
    only where :func:`show` or ``r.figure(fig)`` puts it, never twice. Draw inside
    ``with house.style():`` so that what seaborn adds later is house style too.

    Example: ``fig, ax = house.figure("half", height=2.2)``
    """
    if width not in WIDTHS:
        raise ValueError(f"unknown width {width!r}; use 'full' or 'half'")
    w, h = WIDTHS[width]
    with chart_style():
        fig = Figure(figsize=(w, height or h), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=True)
    return fig, axes


Kind = Literal["int", "dec", "pct", "rp"]
_TICKS: dict[str, Callable[[float, Lang], str]] = {
    "int": lambda v, lang: f.number(v, lang),
    "dec": lambda v, lang: f.number(v, lang, 1),
    "pct": lambda v, lang: f.percent(v, lang, 0),
    "rp": lambda v, lang: f.rupiah(v, lang),
}


def number_axis(ax: Axes, lang: Lang = "id", kind: Kind = "int", axis: str = "y") -> Axes:
    """Tick labels of ``axis`` (``"x"``, ``"y"`` or ``"both"``) in the report language's
    number format: ``int`` ``16.800``, ``dec`` ``2,5``, ``pct`` ``60%`` (values 0…1),
    ``rp`` ``Rp1,2 miliar``. Returns ``ax``.

    Example: ``house.number_axis(ax, "id", kind="pct")``
    """
    if kind not in _TICKS:
        raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(_TICKS)}")
    fmt = FuncFormatter(lambda v, _pos: _TICKS[kind](v, lang))
    for name in ("x", "y") if axis == "both" else (axis,):
        getattr(ax, f"{name}axis").set_major_formatter(fmt)
    return ax


def _title_of(fig: Figure) -> str:
    for ax in fig.axes:
        for loc in ("left", "center", "right"):
            if ax.get_title(loc=loc):
                return ax.get_title(loc=loc)
    suptitle = getattr(fig, "_suptitle", None)
    return suptitle.get_text() if suptitle is not None else ""


def _close(fig: Figure) -> None:
    """Forget a pyplot figure (``plt.subplots``, seaborn's figure-level plots), so the inline
    backend does not show it a second time, as a PNG, at the end of the cell."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)


def to_chart(fig: Figure | Any, title: str = "", name: str = "") -> Chart:
    """The figure as a report :class:`Chart` (SVG, text kept as text, ``title`` as its
    accessible name; default: the first axes title). Accepts a seaborn grid (``.figure``)."""
    fig = getattr(fig, "figure", fig)  # seaborn FacetGrid / JointGrid / PairGrid
    if not isinstance(fig, Figure):
        raise TypeError(f"expected a matplotlib Figure, got {type(fig).__name__}")
    title = title or _title_of(fig)
    key = name or re.sub(r"\W+", "_", title.lower()).strip("_") or "figure"
    with chart_style():  # SVG settings: text as text, reproducible ids
        chart = render(fig, key, title)
    _close(fig)
    return chart


def show(fig: Figure | Any, title: str = "") -> None:
    """Display the figure now, as the report's charts are displayed (SVG in the HTML and
    the PDF, at most the text width). Works anywhere in a cell, in loops too.

    Example: ``house.show(fig)``
    """
    from IPython.display import display

    display(to_chart(fig, title))


def table(
    frame: pd.DataFrame,
    lang: Lang = "id",
    *,
    suppress: Sequence[str] = (),
    withhold: Mapping[str, Sequence[str]] | None = None,
    kinds: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    caption: str = "",
    footnote: str = "",
) -> Table:
    """``frame`` as a report table: numbers in the report language (``16.800``,
    ``60,0%``, ``Rp1,2 miliar``) right-aligned, no index, the report's table look.

    Privacy: list in ``suppress`` the count columns of any breakdown below branch level; a
    count under 5 shows "< 5" (and the footnote says why), and a rate in ``withhold``
    (``{"rate": ["count", …]}``) computed from a suppressed count shows "–". A frame from
    ``r.data(...)`` is already suppressed: its ``suppressed`` flag is read, not shown.
    Column formats follow the names (``…rate``/``…share`` → percent, ``amount`` → rupiah,
    whole numbers → ``int``); ``kinds`` overrides them, ``labels`` renames headers.

    Example: ``house.table(r.data("segments"), lang, labels={"value": "Segmen"})``
    """
    return from_frame(
        frame,
        lang,
        kinds=kinds,
        labels=labels,
        suppress=suppress,
        withhold=withhold,
        caption=caption,
        footnote=footnote,
    )


def _float(lang: Lang) -> Callable[[float], str]:
    """Floats for pandas' display: grouped in the report language, whole numbers without
    decimals (``121.720.000``), others with two (``0,62``)."""

    def fmt(value: float) -> str:
        if f.is_missing(value):
            return "NaN"
        return f.number(value, lang, 0 if float(value).is_integer() else 2)

    return fmt


def frame_html(frame: pd.DataFrame, lang: Lang = "id") -> str:
    """A DataFrame's HTML as a report kernel shows it: numbers grouped in the report
    language and right-aligned, and no index when it is the default 0, 1, 2 … or a slice of
    it (a meaningful index, such as a groupby's keys, is kept)."""
    whole = {
        str(c): (lambda v, _l=lang: f.number(v, _l))
        for c in frame.columns
        if pd.api.types.is_integer_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    }
    # 0, 1, 2 … (or a slice of it, as .head() and .tail() give) says nothing: leave it out
    default_index = (
        isinstance(frame.index, pd.RangeIndex)
        and frame.index.step == 1
        and frame.index.name is None
    )
    if frame.columns.nlevels > 1:  # formatters are keyed by plain column names
        whole = {}
    max_rows = pd.get_option("display.max_rows")
    return frame.to_html(
        index=not default_index,
        formatters=whole or None,
        float_format=_float(lang),
        classes="bpu-frame",
        border=0,
        max_rows=max_rows,
        max_cols=pd.get_option("display.max_columns"),
        na_rep=f.MISSING,
    )


def configure_display(lang: Lang = "id") -> bool:
    """What ``open_report`` does to a report kernel, so a plain DataFrame reads well in the
    notebook, the HTML and the PDF: inside IPython, a DataFrame's HTML is :func:`frame_html`
    and pandas' floats are grouped in the report language (``display.float_format``, which
    the plain-text repr uses). Outside IPython (a script, the tests) nothing changes.
    Returns whether the kernel was configured. Undo with
    ``pd.reset_option("display.float_format")`` and
    ``get_ipython().display_formatter.formatters["text/html"].pop(pd.DataFrame)``.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebook stack
        return False
    shell = get_ipython()
    if shell is None:
        return False
    pd.set_option("display.float_format", _float(lang))
    html = shell.display_formatter.formatters["text/html"]
    html.for_type(pd.DataFrame, lambda frame: frame_html(frame, lang))
    return True
