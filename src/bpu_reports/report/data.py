"""The numbers behind each chart and table, as tidy pandas frames (``Report.data``).

One row per observation, one column per variable, numbers in numeric dtypes (never
formatted strings), periods as ``YYYY-MM`` strings. Every frame ends with a boolean
``suppressed`` column. Breakdowns below branch level (segments, channels, outreach events,
registration cohorts), and the active members of the movers table, follow the report's
privacy rule (SPEC §2, ``metrics/privacy.py``): a count under 5 and every rate (or change)
computed from it are missing (NaN) on a row flagged
``suppressed``; the same rule, the same cells as the report's "< 5". The raw counts come only
with ``unsuppressed=True``, for checking, never for publishing.

The frames are made in ``report/tidy.py``; this module is their catalogue, :data:`DATA`.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from bpu_reports.metrics import serialize
from bpu_reports.metrics.views import Unit
from bpu_reports.report.registry import Entry, catalogue
from bpu_reports.report.tidy import (
    ageing,
    behind_target,
    branches,
    breakdown_rows,
    cohorts,
    collections,
    events,
    membership,
    movers,
    on_time,
    outreach_by_office,
    prepayment,
    private,
    programs,
    regions,
    small_multiples,
    target,
)

Frame = Callable[[Unit], pd.DataFrame]


def _breakdown(dimension: str) -> Frame:
    def frame(unit: Unit, raw: bool = False) -> pd.DataFrame:
        rows = breakdown_rows(unit, dimension).drop(columns="dimension")
        return private(rows, serialize.safe_breakdowns, raw)

    return frame


def _about(name: str, what: str, en: str, idn: str) -> dict[str, str]:
    return {"en": f"{en} ({what} {name!r})", "id": f"{idn} ({what} {name!r})"}


DATA: dict[str, Entry[pd.DataFrame]] = catalogue(
    [
        Entry(
            "membership",
            membership,
            _about("membership", "chart", "period × members by status", "periode × status"),
        ),
        Entry(
            "target",
            target,
            _about(
                "target",
                "chart",
                "months of the year: registered, projection, target",
                "bulan tahun ini: terdaftar, proyeksi, target",
            ),
        ),
        Entry(
            "on_time",
            on_time,
            _about(
                "on_time",
                "chart",
                "period: active, on time, on-time rate",
                "periode: aktif, tepat waktu, tingkat kepatuhan",
            ),
        ),
        Entry(
            "ageing",
            ageing,
            _about(
                "ageing",
                "chart and table",
                "months behind: members, arrears value",
                "bulan tertunggak: peserta, nilai tunggakan",
            ),
        ),
        Entry(
            "collections",
            collections,
            _about(
                "collections",
                "chart",
                "period: rupiah collected by programme",
                "periode: iuran menurut program",
            ),
        ),
        Entry(
            "prepayment",
            prepayment,
            _about(
                "prepayment",
                "chart and table",
                "period × months covered: payments, share",
                "periode × bulan dibayar: pembayaran, porsi",
            ),
        ),
        Entry(
            "funnel",
            events,
            _about(
                "funnel",
                "chart",
                "the year's events: potential → active (< 5 suppressed)",
                "kegiatan tahun ini: potensi → aktif (< 5 disembunyikan)",
            ),
        ),
        Entry(
            "cohorts",
            cohorts,
            _about(
                "cohorts",
                "chart",
                "cohort × months after registering: size, active, share (< 5 suppressed)",
                "kohort × bulan setelah mendaftar: jumlah, aktif, porsi (< 5 disembunyikan)",
            ),
        ),
        Entry(
            "small_multiples",
            small_multiples,
            _about(
                "small_multiples",
                "chart",
                "branch × period: registered, active, on-time rate",
                "cabang × periode: terdaftar, aktif, kepatuhan",
            ),
        ),
        Entry(
            "programs",
            programs,
            _about(
                "programs",
                "table",
                "this month by programme: amount, share",
                "bulan ini per program: jumlah, porsi",
            ),
        ),
        Entry(
            "segments",
            _breakdown("segment"),
            _about(
                "segments",
                "table",
                "by segment: members, activity, rates (< 5 suppressed)",
                "per segmen: peserta, keaktifan, rasio (< 5 disembunyikan)",
            ),
        ),
        Entry(
            "channels",
            _breakdown("channel"),
            _about(
                "channels",
                "table",
                "by channel: members, activity, rates (< 5 suppressed)",
                "per kanal: peserta, keaktifan, rasio (< 5 disembunyikan)",
            ),
        ),
        Entry(
            "events",
            events,
            _about(
                "events",
                "table",
                "the year's events, in_month marks this month's",
                "kegiatan tahun ini; in_month: bulan ini",
            ),
        ),
        Entry(
            "outreach_by_office",
            outreach_by_office,
            _about(
                "outreach_by_office",
                "table",
                "the year's events per branch, or per region (national): potential → active",
                "kegiatan tahun ini per cabang, atau per wilayah: potensi → aktif",
            ),
        ),
        Entry(
            "branches",
            branches,
            _about(
                "branches",
                "table",
                "the region's branches with ranks (region reports)",
                "kantor cabang wilayah dengan peringkat",
            ),
        ),
        Entry(
            "regions",
            regions,
            _about(
                "regions",
                "table",
                "the country's regions with ranks (national report)",
                "kantor wilayah dengan peringkat (laporan nasional)",
            ),
        ),
        Entry(
            "behind_target",
            behind_target,
            _about(
                "behind_target",
                "table",
                "offices projected short of target, furthest behind first",
                "kantor cabang yang diproyeksikan di bawah target, terjauh dahulu",
            ),
        ),
        Entry(
            "movers",
            movers,
            _about(
                "movers",
                "table",
                "offices whose active members rose or fell most (< 5 suppressed)",
                "kenaikan/penurunan peserta aktif terbesar (< 5 disembunyikan)",
            ),
        ),
    ]
)
"""The numbers behind every chart and table, by the chart's or table's name:
``DATA[name](unit, raw=False)`` → tidy frame."""
