"""The one chart style of the product: a seaborn theme tuned for an A4 page, a palette with
named roles, and figure sizes for the 17 cm content width (and the width of the narrow
drawing for phones).

The theme is an rc dict applied with :func:`chart_style` (a context manager), so rendering a
report chart never changes the analyst's own matplotlib settings::

    with chart_style():
        fig = Figure(figsize=HALF)
        ...

Colours are chosen to print well and to stay apart in greyscale: the status colours run dark
(active) → middle (in arrears) → light (non-active).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, cast

import matplotlib as mpl
import seaborn as sns
from cycler import cycler
from matplotlib.colors import LinearSegmentedColormap

# Figure sizes in inches for a 17 cm (6.7 in) content width.
FULL = (6.7, 2.6)
HALF = (3.2, 2.4)
# Width in inches of a chart's narrow drawing for phones (``base.NARROW_SVG``): 384 CSS px,
# which a 412 px phone shows unscaled, so 7 pt text is 9.3 px (8.3 px at 360 px); the A4
# drawing scaled to that column shows it at 5.5 px.
NARROW = 4.0

FONT = "DejaVu Sans"
FONT_SIZE = 8.0  # body text, ticks, legends
TITLE_SIZE = 9.0
NOTE_SIZE = 7.0  # annotations inside dense charts (heatmap cells, bar values)

TEXT = "#2B2B2B"
GRID = "#E3E5E8"

PALETTE: dict[str, str] = {
    # membership status: dark → middle → light in greyscale
    "active": "#1F4E79",
    "in_arrears": "#D9901A",
    "inactive": "#C3C8CF",
    # targets
    "registered": "#1F4E79",
    "target": "#B3332B",
    "projection": "#5D8FC4",
    # programmes, stacked: dark → middle → light
    "JKK": "#2E5E8C",
    "JKM": "#6FB1A8",
    "JHT": "#EAD08A",
    # emphasis and de-emphasis
    "accent": "#0F7B5F",
    "muted": "#8C939C",
    "light": "#E9ECEF",
    "text": TEXT,
}

# Ordered light → dark, for ordinal data (months prepaid, funnel stages).
SEQUENTIAL: tuple[str, ...] = ("#C6DBEF", "#8DB4D9", "#4F86BD", "#1F4E79")

# Share active (0…1) in the cohort heatmap: near-white → the "active" colour.
HEATMAP = LinearSegmentedColormap.from_list("bpu_share", ["#F4F8FB", "#9CC0DE", "#1F4E79"])


def color(role: str) -> str:
    """The colour of a named role (``active``, ``target``, ``JKK``, …)."""
    return PALETTE[role]


@cache
def _rc() -> dict[str, Any]:
    rc: dict[str, Any] = {}
    # seaborn's "whitegrid" look at "paper" scale, then ours on top
    rc.update(sns.axes_style("whitegrid"))
    rc.update(sns.plotting_context("paper"))
    rc.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [FONT],
            "font.size": FONT_SIZE,
            "axes.titlesize": TITLE_SIZE,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.titlepad": 6.0,
            "axes.labelsize": FONT_SIZE,
            "axes.labelcolor": TEXT,
            "axes.edgecolor": "#9DA3AA",
            "axes.linewidth": 0.6,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.spines.left": False,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "axes.axisbelow": True,
            "axes.prop_cycle": cycler(
                color=[PALETTE[k] for k in ("active", "in_arrears", "accent", "muted")]
            ),
            "grid.color": GRID,
            "grid.linewidth": 0.6,
            "xtick.labelsize": FONT_SIZE,
            "ytick.labelsize": FONT_SIZE,
            "xtick.color": TEXT,
            "ytick.color": TEXT,
            "xtick.major.size": 0,
            "ytick.major.size": 0,
            "xtick.major.pad": 3,
            "ytick.major.pad": 3,
            "legend.fontsize": FONT_SIZE,
            "legend.title_fontsize": FONT_SIZE,
            "legend.frameon": False,
            "legend.handlelength": 1.0,
            "legend.handleheight": 0.8,
            "legend.handletextpad": 0.4,
            "legend.columnspacing": 1.2,
            "legend.borderaxespad": 0.0,
            "lines.linewidth": 1.6,
            "lines.markersize": 3.5,
            "patch.linewidth": 0.0,
            "text.color": TEXT,
            "figure.facecolor": "white",
            "figure.dpi": 100,
            "savefig.facecolor": "white",
            # SVG for print and for the notebook: text stays text, output is reproducible
            "svg.fonttype": "none",
            "svg.hashsalt": "bpu-reports",
        }
    )
    return rc


def rc() -> dict[str, Any]:
    """A copy of the product's matplotlib rc settings."""
    return dict(_rc())


@contextmanager
def chart_style() -> Iterator[None]:
    """Apply the product's chart style for the duration of a ``with`` block only."""
    with mpl.rc_context(cast(Any, _rc())):
        yield
