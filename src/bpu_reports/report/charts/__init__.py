"""The report's charts: one function per chart, each ``f(unit, lang="id") -> Chart``, and
their catalogue :data:`CHARTS`, which ``Report.chart``, its docstring and the tests read.

A :class:`Chart` holds inline-ready SVG (no XML prolog, text kept as text so it stays
selectable and searchable in the PDF) and shows itself in Jupyter. The full-width charts
``membership``, ``cohorts``, ``funnel`` and ``small_multiples`` carry a second drawing about
4 in wide (:data:`NARROW_SVG`, ``Chart.narrow_svg``) that the screen HTML shows on a phone,
where the A4 drawing would shrink its text to about 5 px; :func:`a4_only` draws without it.

Charts are drawn with matplotlib's object API, not pyplot, so rendering never leaves an open
figure behind and never touches the analyst's own figures; the style of :mod:`.style`
applies only while a chart renders. Output is deterministic: the same unit gives the same
SVG strings.

Every chart copes with an all-zero unit (a window that starts before the data), a branch
without outreach events and undefined rates (no active members). Nothing here returns
``None``: ``funnel`` of a unit without events is a one-line Chart saying so.

The charts live by family in :mod:`.membership` (status, ageing, cohorts), :mod:`.target`,
:mod:`.payments` (on time, collections, prepayment), :mod:`.outreach` (funnel, with its
events' labels in :mod:`.venues` and its bars' values in :mod:`.bar_values`) and
:mod:`.branches` (small multiples), on the shared parts :mod:`.base` (the Chart, SVG),
:mod:`.layout` (placement in points), :mod:`.scales` (y axes) and :mod:`.style` (the one
chart style); their words come from ``report/words.py``.
"""

from __future__ import annotations

from bpu_reports.report.charts.base import NARROW_SVG, Chart, a4_only
from bpu_reports.report.charts.branches import small_multiples
from bpu_reports.report.charts.membership import ageing, cohorts, membership
from bpu_reports.report.charts.outreach import funnel
from bpu_reports.report.charts.payments import collections, on_time, prepayment
from bpu_reports.report.charts.target import target
from bpu_reports.report.registry import Entry, catalogue

__all__ = [
    "CHARTS",
    "NARROW_SVG",
    "Chart",
    "a4_only",
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
                "en": "Cohort retention: share still active 1–12 months after registering",
                "id": "Retensi kohort: porsi masih aktif 1–12 bulan setelah mendaftar",
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
