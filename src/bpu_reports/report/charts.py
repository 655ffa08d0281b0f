"""The report's charts: one function per chart, each ``f(unit, lang="id") -> Chart``.

A :class:`Chart` holds inline-ready SVG (no XML prolog, text kept as text so it stays
selectable and searchable in the PDF) and shows itself in Jupyter. Charts are drawn with
matplotlib's object API, not pyplot, so rendering never leaves an open figure behind and never
touches the analyst's own figures; the style of :mod:`bpu_reports.report.style` applies only
while a chart renders. Output is deterministic: the same unit gives the same SVG string.

Plot areas are placed from measured label widths rather than by a layout engine: twice as
fast (a national run draws thousands of charts) and the axes of stacked charts line up.

Every chart copes with an all-zero unit (a window that starts before the data), a branch
without outreach events and undefined rates (no active members). Nothing here returns
``None``: ``funnel`` of a unit without events is a one-line Chart saying so.

This module is the charts' public face; the charts live by topic in ``charts_membership``,
``charts_target``, ``charts_payments``, ``charts_outreach`` and ``charts_branches``, on the
shared pieces of ``chart_base`` (the Chart, SVG), ``chart_layout`` (placement in points),
``chart_scales`` (y axes) and ``chart_text`` (the words, id / en). The constants this module
had when it held every chart (``TEXTS``, ``PROGRAMMES``, …) are still reachable here.
"""

from __future__ import annotations

from bpu_reports.report.chart_base import Chart
from bpu_reports.report.chart_layout import LEGEND_ROW as LEGEND_ROW
from bpu_reports.report.chart_layout import TITLE_H as TITLE_H
from bpu_reports.report.chart_layout import TITLE_PAD as TITLE_PAD
from bpu_reports.report.chart_text import TEXTS as TEXTS
from bpu_reports.report.charts_branches import small_multiples
from bpu_reports.report.charts_membership import BUCKETS as BUCKETS
from bpu_reports.report.charts_membership import STATUSES as STATUSES
from bpu_reports.report.charts_membership import ageing, cohorts, membership
from bpu_reports.report.charts_outreach import LABEL_SIZE as LABEL_SIZE
from bpu_reports.report.charts_outreach import MAX_EVENTS as MAX_EVENTS
from bpu_reports.report.charts_outreach import funnel
from bpu_reports.report.charts_payments import MIX as MIX
from bpu_reports.report.charts_payments import PROGRAMMES as PROGRAMMES
from bpu_reports.report.charts_payments import collections, on_time, prepayment
from bpu_reports.report.charts_target import DASH as DASH
from bpu_reports.report.charts_target import target

__all__ = [
    "CHARTS",
    "Chart",
    "ageing",
    "cohorts",
    "collections",
    "funnel",
    "membership",
    "on_time",
    "prepayment",
    "small_multiples",
    "target",
]

CHARTS = {
    f.__name__: f
    for f in (
        membership,
        target,
        on_time,
        ageing,
        collections,
        prepayment,
        funnel,
        cohorts,
        small_multiples,
    )
}
"""Every chart function by name, in report order."""
