"""The report's tables of a unit: :data:`TABLES` is their catalogue (``Report.table`` reads
it, through :func:`build`, which names and titles each table for its figures), in report
order. This module holds the unit's own tables (ageing, programmes, prepayment, segments,
channels, events) and the KPI cards' figures (:func:`kpi_figures`); the tables that rank
and compare offices are in ``report/rankings.py``, and :class:`Table` itself (its look, its
figures, :data:`MIMETYPE`) in ``report/table.py``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from bpu_reports.metrics import serialize
from bpu_reports.metrics.privacy import SMALL, WITHHELD
from bpu_reports.metrics.views import Unit
from bpu_reports.report import formats as f
from bpu_reports.report import kpi, tidy
from bpu_reports.report.rankings import (
    behind_target,
    branches,
    movers,
    outreach_by_office,
    regions,
)
from bpu_reports.report.registry import Entry, catalogue
from bpu_reports.report.table import Column, Table, cols, named, privacy_note
from bpu_reports.report.words import Lang, value_word, word

__all__ = ["TABLES", "build", "events", "kpi_figures"]


def ageing(unit: Unit, lang: Lang = "id") -> Table:
    frame = unit.ageing.copy()
    frame["bucket"] = frame.bucket.astype(str).map(lambda b: b.replace("-", "–"))
    total_members = int(unit.ageing.members.sum())
    value = unit.ageing.arrears_value.sum(min_count=1)
    return Table(
        frame,
        cols(
            lang,
            ("bucket", "text", "months_behind"),
            ("members", "int"),
            ("arrears_value", "rp"),
        ),
        lang,
        css="ageing",
        total={"bucket": word("total", lang), "members": total_members, "arrears_value": value},
        footnote=word("ageing_note", lang),
    )


def programs(unit: Unit, lang: Lang = "id") -> Table:
    s = unit.summary
    rows = [
        {"program": "JKK", "amount": s["collected_jkk"]},
        {"program": "JKM", "amount": s["collected_jkm"]},
        {"program": "JHT", "amount": s["collected_jht"]},
    ]
    frame = pd.DataFrame(rows)
    total = s["collected_amount"]
    frame["share"] = frame.amount / total if total else float("nan")
    return Table(
        frame,
        cols(lang, ("program", "text"), ("amount", "rp"), ("share", "pct")),
        lang,
        total={"program": word("total", lang), "amount": total, "share": 1.0 if total else None},
    )


def prepayment(unit: Unit, lang: Lang = "id") -> Table:
    s = unit.summary
    labels = {"1": "1", "3": "3", "6": "6", "12": "12", "other": word("lainnya", lang)}
    frame = pd.DataFrame([{"months": labels[k], "payments": s[f"mix_{k}"]} for k in labels])
    count = s["payments"]
    frame["share"] = frame.payments / count if count else float("nan")
    return Table(
        frame,
        cols(lang, ("months", "text", "months_paid"), ("payments", "int"), ("share", "pct")),
        lang,
        total={"months": word("total", lang), "payments": count, "share": 1.0 if count else None},
    )


def breakdown(unit: Unit, dimension: str, lang: Lang = "id") -> Table:
    """One breakdown, largest first (``tidy.breakdown_rows``: a region in a branch's order)."""
    frame = serialize.safe_breakdowns(tidy.breakdown_rows(unit, dimension))
    frame["value"] = frame.value.map(lambda v: value_word(v, lang))
    columns = cols(
        lang,
        ("value", "text", dimension),
        ("registered", "int"),
        ("new_registrations", "int"),
        ("active", "int", "active_members"),
        ("active_share", "pct"),
        ("on_time_rate", "pct"),
    )
    return Table(frame, columns, lang, footnote=privacy_note(frame, columns, lang))


def segments(unit: Unit, lang: Lang = "id") -> Table:
    return breakdown(unit, "segment", lang)


def channels(unit: Unit, lang: Lang = "id") -> Table:
    return breakdown(unit, "channel", lang)


def events(unit: Unit, lang: Lang = "id", in_month: bool = True) -> Table:
    """Events of the month (``in_month``) or of the year to date, most recent first; in a
    region's or the country's report each names its branch."""
    frame = unit.outreach
    if in_month:
        frame = frame[frame.in_month]
    frame = serialize.safe_outreach(frame.sort_values("held_on", ascending=False))
    frame = frame.assign(event=frame.title + " — " + frame.venue)
    # a conversion withheld because fewer than 5 registered reads as that count does, and
    # a month not reached yet says so in words; the notes under the table explain both
    withheld = frame.conversion.eq(WITHHELD)
    frame["conversion"] = frame.conversion.mask(withheld, SMALL)
    later = ["active_3m", "active_6m"]
    not_yet = frame[later].isna()
    frame[later] = frame[later].astype(object).where(~not_yet, word("not_yet", lang))
    where: list[tuple[str, str, str]] = []
    if unit.kind != "branch":
        names = unit.branches.set_index("branch_code").branch_name
        office = frame.branch_code.map(names).fillna(frame.branch_code)
        frame = frame.assign(office=named(office, frame.branch_code))
        where = [("office", "text", "branch")]
    columns = cols(
        lang,
        ("held_on", "date"),
        *where,
        ("event", "text"),
        ("potential", "int"),
        ("registered", "int", "enrolled"),
        ("conversion", "pct"),
        ("paid", "int"),
        ("active_now", "int"),
    )
    if not in_month:
        columns += [
            Column(f"active_{n}m", word("active_after", lang, months=f.months(n, lang)), "int")
            for n in (3, 6)
        ]
    notes = [privacy_note(frame, columns, lang)]
    if withheld.any():
        notes.append(word("withheld_conversion_note", lang))
    if not in_month and bool(not_yet.to_numpy().any()):
        notes.append(word("not_yet_note", lang, month=f.month(unit.period, lang)))
    css = "events by-branch" if where else "events"  # print CSS: room for both names
    return Table(frame, columns, lang, css=css, footnote=" ".join(n for n in notes if n))


TABLES: dict[str, Entry[Table]] = catalogue(
    [
        Entry(
            "ageing",
            ageing,
            {
                "en": "Members by months behind, with the arrears value still payable",
                "id": "Peserta menurut lama tunggakan, dengan nilai tunggakan",
            },
        ),
        Entry(
            "programs",
            programs,
            {
                "en": "Contributions collected this month by programme, with shares",
                "id": "Iuran terkumpul bulan ini menurut program, dengan porsi",
            },
        ),
        Entry(
            "prepayment",
            prepayment,
            {
                "en": "This month's payments by the number of months paid at once",
                "id": "Pembayaran bulan ini menurut jumlah bulan yang dibayar sekaligus",
            },
        ),
        Entry(
            "segments",
            segments,
            {
                "en": "Members, activity and on-time rate by segment (small cells < 5)",
                "id": "Peserta, keaktifan dan kepatuhan menurut segmen (sel kecil < 5)",
            },
        ),
        Entry(
            "channels",
            channels,
            {
                "en": "Members, activity and on-time rate by channel (small cells < 5)",
                "id": "Peserta, keaktifan dan kepatuhan menurut kanal (sel kecil < 5)",
            },
        ),
        Entry(
            "events",
            events,
            {
                "en": "Outreach events, this month (in_month=True) or the year to date",
                "id": "Sosialisasi bulan ini (in_month=True) atau sejak awal tahun",
            },
        ),
        Entry(
            "outreach_by_office",
            outreach_by_office,
            {
                "en": "The year's outreach per branch (region) or per region (national)",
                "id": "Sosialisasi tahun ini per kantor cabang (wilayah) atau per wilayah",
            },
        ),
        Entry(
            "branches",
            branches,
            {
                "en": "The region's branches ranked by active members (region reports)",
                "id": "Kantor cabang wilayah menurut peringkat peserta aktif",
            },
        ),
        Entry(
            "regions",
            regions,
            {
                "en": "The regions ranked by active members, with the nation's total (national)",
                "id": "Kantor wilayah menurut peringkat peserta aktif, dengan total nasional",
            },
        ),
        Entry(
            "behind_target",
            behind_target,
            {
                "en": "The offices furthest behind their target (at most n=10)",
                "id": "Kantor cabang yang paling jauh di bawah target (paling banyak n=10)",
            },
        ),
        Entry(
            "movers",
            movers,
            {
                "en": "The offices whose active members rose and fell most (n=5 each way)",
                "id": "Kantor cabang dengan kenaikan dan penurunan peserta aktif terbesar (n=5)",
            },
        ),
    ]
)
"""Every report table by name, in report order: ``TABLES[name](unit, lang, **options)``
builds it and ``TABLES[name].about[lang]`` says in one line what it shows."""


TITLE_WORDS: dict[str, str] = {
    "ageing": "ageing",
    "programs": "chart_collections",
    "prepayment": "prepayment_mix",
    "segments": "segment",
    "channels": "channel",
    "outreach_by_office": "outreach_by_office",
    "branches": "branch",
    "regions": "region",
    "behind_target": "target_progress",
    "movers": "active_change",
}
"""The word that titles each catalogue table in its figures (``events`` is titled by its
month or year: "Sosialisasi Juli 2017", "Sosialisasi 2017")."""


def build(name: str, unit: Unit, lang: Lang = "id", **options: Any) -> Table:
    """The catalogue's table ``name`` of ``unit`` (``TABLES[name]``), named and titled in
    the report language for its figures; the year's events (``in_month=False``) are named
    ``events_year``. ``Report.table`` calls this."""
    table = TABLES[name](unit, lang, **options)
    if name != "events":
        return replace(table, name=name, title=word(TITLE_WORDS[name], lang))
    in_month = options.get("in_month", True)
    when = f.month(unit.period, lang) if in_month else str(unit.period.year)
    title = f"{word('sosialisasi', lang)} {when}"
    return replace(table, name="events" if in_month else "events_year", title=title)


KPI_KINDS = {"count": "int", "rate": "pct", "money": "rp"}


def kpi_figures(unit: Unit, lang: Lang = "id") -> Table:
    """The KPI cards' figures as a table (name ``kpi``): one column per card (its label as
    header), one row each for the report month, the month before and the same month a year
    before (the target's progress has no earlier value). The cover carries it beside the
    cards, so the Excel workbook can show each KPI's change."""
    cards = kpi.kpis(unit)
    rows = []
    for back, value_of in (
        (0, lambda k: k.value),
        (1, lambda k: k.prev),
        (12, lambda k: k.year_ago),
    ):
        rows.append(
            {"month": f.month(unit.period.shift(-back), lang)} | {k.key: value_of(k) for k in cards}
        )
    columns = [Column("month", word("period", lang), "text")] + [
        Column(k.key, word(k.label, lang), KPI_KINDS[k.kind]) for k in cards
    ]
    return Table(pd.DataFrame(rows), columns, lang, name="kpi", title="KPI")
