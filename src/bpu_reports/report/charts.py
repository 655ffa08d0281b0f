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

This module is the charts' public face and their catalogue (:data:`CHARTS`); the charts
live by topic in ``charts_membership``, ``charts_target``, ``charts_payments``,
``charts_outreach`` and ``charts_branches``, on the shared pieces of ``chart_base`` (the
Chart, SVG), ``chart_layout`` (placement in points), ``chart_scales`` (y axes) and
``chart_text`` (the words, id / en). The constants this module had when it held every chart
(``TEXTS``, ``PROGRAMMES``, …) are still reachable here.
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
from bpu_reports.report.registry import Entry, catalogue

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

CHARTS: dict[str, Entry[Chart]] = catalogue(
    [
        Entry(
            "membership",
            membership,
            {
                "en": "Registered members at each month-end (13 months), stacked by status",
                "id": "Peserta terdaftar per akhir bulan (13 bulan), menurut status",
            },
        ),
        Entry(
            "target",
            target,
            {
                "en": "Registered this year, projection to December and the year's target",
                "id": "Terdaftar tahun ini, proyeksi sampai Desember dan target tahunan",
            },
        ),
        Entry(
            "on_time",
            on_time,
            {
                "en": "Share of active members paying by the due date (13 months)",
                "id": "Porsi peserta aktif yang membayar tepat waktu (13 bulan)",
            },
        ),
        Entry(
            "ageing",
            ageing,
            {
                "en": "Members by months behind with their contributions",
                "id": "Peserta menurut lama tunggakan iuran",
            },
        ),
        Entry(
            "collections",
            collections,
            {
                "en": "Contributions collected per month, by programme (JKK, JKM, JHT)",
                "id": "Iuran terkumpul per bulan menurut program (JKK, JKM, JHT)",
            },
        ),
        Entry(
            "prepayment",
            prepayment,
            {
                "en": "Each month's payments by the number of months they cover",
                "id": "Pembayaran per bulan menurut jumlah bulan yang dibayar",
            },
        ),
        Entry(
            "funnel",
            funnel,
            {
                "en": "Outreach events this year: potential, registered, paid, active",
                "id": "Sosialisasi tahun ini: potensi, mendaftar, membayar, aktif",
            },
        ),
        Entry(
            "cohorts",
            cohorts,
            {
                "en": "Cohort retention: share still active k months after registering",
                "id": "Retensi kohort: porsi masih aktif k bulan setelah mendaftar",
            },
        ),
        Entry(
            "small_multiples",
            small_multiples,
            {
                "en": "Active members per branch, one small panel each (region reports)",
                "id": "Peserta aktif per kantor cabang, satu panel kecil per cabang",
            },
        ),
    ]
)
"""Every chart by name, in report order: ``CHARTS[name](unit, lang)`` draws it and
``CHARTS[name].about[lang]`` says in one line what it shows."""
