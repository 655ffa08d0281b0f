"""Report tables: formatted in the report language, small cells suppressed (with the privacy
note under a table only when it has such a cell), "Tidak ada" (or the table's own sentence)
when empty. Every value is escaped: names and venues come from the data. Offices are named
with their code beside the name ("KC Bali Denpasar (DPS)"), whole: a long name wraps.

:data:`TABLES` is the catalogue of the report's tables (``Report.table`` reads it, through
:func:`build`); :func:`from_frame` makes a table of the same look from any DataFrame
(``house.table``). Every table displays as HTML and carries its figures as JSON
(:data:`MIMETYPE`, :meth:`Table.figures`), which the runner reads from the executed notebook
for the Excel workbook and the archival PDF."""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from bpu_reports.metrics import serialize
from bpu_reports.metrics.privacy import SMALL, WITHHELD, suppress_small_cells
from bpu_reports.metrics.views import Unit
from bpu_reports.report import data as report_data
from bpu_reports.report import formats as f
from bpu_reports.report import kpi, mimetypes
from bpu_reports.report.registry import Entry, catalogue
from bpu_reports.report.words import Lang, value_word, word

Formatter = Callable[[Any, Lang], str]


def _points(value: Any, lang: Lang) -> str:
    """A change of a rate (0…1) in percentage points, one decimal: ``+2,5`` / ``−0.8``."""
    if isinstance(value, str) or f.is_missing(value):
        return f.signed(value, lang)
    return f.signed(float(value) * 100, lang, 1)


KINDS: dict[str, Formatter] = {
    "int": f.number,
    "dec": lambda v, lang: f.number(v, lang, 1),
    "pct": f.percent,
    "rp": f.rupiah,
    "signed": f.signed,
    "points": _points,
    "text": lambda v, lang: "" if v is None else str(v),
    "date": lambda v, lang: f.day(v, lang) if not f.is_missing(v) else f.MISSING,
}


LONG_TABLE = 12
"""Rows above which a table may start on the current page and continue on the next."""

MIMETYPE = mimetypes.TABLE
"""The mimetype of a table's figures (:meth:`Table.figures`), displayed beside its HTML."""

FIGURE_KINDS: dict[str, str] = {
    "int": "int",
    "signed": "signed",
    "dec": "decimal",
    "pct": "percent",
    "points": "points",
    "rp": "money",
    "date": "date",
    "text": "text",
}
"""The kind of number each column kind's figures are: ``int`` and ``signed`` (a change)
counts, ``decimal``, ``percent`` (a share 0…1), ``points`` (a change of a share, 0.025 is
2.5 points), ``money`` (rupiah), ``date`` (``YYYY-MM-DD``), ``text``."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"


@dataclass(frozen=True)
class Table:
    """An HTML table (``_repr_html_``) with a caption; empty tables say so in words
    (``empty``, default "Tidak ada")."""

    frame: pd.DataFrame
    columns: Sequence[Column]
    lang: Lang = "id"
    caption: str = ""
    css: str = ""
    footnote: str = ""
    total: dict[str, Any] = field(default_factory=dict)
    empty: str = ""
    name: str = ""
    """The table's name in its figures (``ageing``, ``events_year``; ``table`` if none)."""
    title: str = ""
    """Its title in the report language, for its figures (default: ``caption``)."""

    def to_html(self) -> str:
        cap = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        if self.frame.empty:
            said = self.empty or word("none", self.lang)
            body = f'<p class="bpu-none">{html.escape(said)}</p>'
            return f'<div class="bpu-table-wrap">{body}</div>'
        head = "".join(
            f'<th class="{"num" if c.kind != "text" else "txt"}">{html.escape(c.label)}</th>'
            for c in self.columns
        )
        records = self.frame.to_dict(orient="records")
        rows = [self._row({str(k): v for k, v in rec.items()}) for rec in records]
        if self.total:
            rows.append(self._row(self.total, css="total"))
        note = f'<p class="bpu-note">{html.escape(self.footnote)}</p>' if self.footnote else ""
        long = " long" if len(rows) > LONG_TABLE else ""  # may break across pages
        return (
            f'<div class="bpu-table-wrap{long}"><table class="bpu-table {self.css}">{cap}'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{note}</div>"
        )

    def _row(self, rec: dict[str, Any], css: str = "") -> str:
        cells = []
        for c in self.columns:
            value = rec.get(c.key)
            text = KINDS[c.kind](value, self.lang) if c.key in rec else ""
            cells.append(
                f'<td class="{"num" if c.kind != "text" else "txt"}">{html.escape(text)}</td>'
            )
        return f'<tr class="{css}">{"".join(cells)}</tr>' if css else f"<tr>{''.join(cells)}</tr>"

    def _repr_html_(self) -> str:
        return self.to_html()

    def figures(self) -> dict[str, Any]:
        """The table's figures as JSON-ready data, exactly the cells it shows, unformatted:
        ``name``, ``title`` and ``lang``; ``columns`` (``key``, ``label`` as the header
        shows it, ``kind`` from :data:`FIGURE_KINDS`); ``rows`` of values in column order,
        numbers as numbers, a suppressed cell as the text it shows ("< 5", "–"), a missing
        value as null; ``total`` (the total row, or null); ``note`` (the footnote) and
        ``empty`` (what an empty table says instead, or "")."""
        records = self.frame.to_dict(orient="records") if not self.frame.empty else []
        rows = [self._figures({str(k): v for k, v in rec.items()}) for rec in records]
        return {
            "name": self.name or "table",
            "title": self.title or self.caption,
            "lang": self.lang,
            "columns": [
                {"key": c.key, "label": c.label, "kind": FIGURE_KINDS[c.kind]} for c in self.columns
            ],
            "rows": rows,
            "total": self._figures(self.total) if self.total else None,
            "note": self.footnote,
            "empty": "" if rows else (self.empty or word("none", self.lang)),
        }

    def _figures(self, rec: Mapping[str, Any]) -> list[Any]:
        return [_figure(rec.get(c.key), c.kind) for c in self.columns]

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """HTML as :meth:`to_html`, and the figures (:data:`MIMETYPE`) beside it."""
        return {"text/html": self.to_html(), MIMETYPE: self.figures(), "text/plain": repr(self)}

    def __repr__(self) -> str:
        """Short, like ``Chart``: an executed notebook keeps this as the table's text/plain
        output, and the frame may hold columns the table does not show (counts from which a
        suppressed small cell could be worked out)."""
        labels = ", ".join(c.label for c in self.columns)
        return f"Table({len(self.frame)} rows: {labels})"


def _figure(value: Any, kind: str) -> Any:
    """One cell's figure: text stays text ("< 5" too), a missing value is None, a whole
    number of a count or money column an int, a date ``YYYY-MM-DD``."""
    if isinstance(value, str):
        return value
    value = serialize.plain(value)
    if value is None or isinstance(value, str | bool):
        return value
    if kind == "text":
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        whole = kind in ("int", "signed", "rp") and value.is_integer()
        return int(value) if whole else value
    return str(value)  # anything else a frame of one's own may hold (a Period, a list)


def privacy_note(shown: pd.DataFrame, columns: Sequence[Column], lang: Lang) -> str:
    """The privacy note for a table of these ``columns`` whose cells, as shown, are
    ``shown``: when a number cell reads "< 5"; otherwise nothing."""
    numbers = [c.key for c in columns if c.kind != "text" and c.key in shown]
    return word("privacy_note", lang) if bool(shown[numbers].isin([SMALL]).any().any()) else ""


def _cols(lang: Lang, *spec: tuple[str, str] | tuple[str, str, str]) -> list[Column]:
    """Columns from ``(key, kind)``, headed by the word of the same key, or from
    ``(key, kind, word key)``."""
    return [Column(c[0], word(c[-1] if len(c) == 3 else c[0], lang), c[1]) for c in spec]


def ageing(unit: Unit, lang: Lang = "id") -> Table:
    frame = unit.ageing.copy()
    frame["bucket"] = frame.bucket.astype(str).map(lambda b: b.replace("-", "–"))
    total_members = int(unit.ageing.members.sum())
    value = unit.ageing.arrears_value.sum(min_count=1)
    return Table(
        frame,
        _cols(
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
        _cols(lang, ("program", "text"), ("amount", "rp"), ("share", "pct")),
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
        _cols(lang, ("months", "text", "months_paid"), ("payments", "int"), ("share", "pct")),
        lang,
        total={"months": word("total", lang), "payments": count, "share": 1.0 if count else None},
    )


def named(names: pd.Series, codes: pd.Series) -> pd.Series:
    """Offices as the tables name them: ``KC Bali Denpasar (DPS)``, the name whole."""
    return names.astype(str) + " (" + codes.astype(str) + ")"


def breakdown(unit: Unit, dimension: str, lang: Lang = "id") -> Table:
    """One breakdown, largest first (``data.breakdown_rows``: a region in a branch's order)."""
    frame = serialize.safe_breakdowns(report_data.breakdown_rows(unit, dimension))
    frame["value"] = frame.value.map(lambda v: value_word(v, lang))
    columns = _cols(
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
    columns = _cols(
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


def branches(unit: Unit, lang: Lang = "id") -> Table:
    frame = unit.branches.copy()
    if not frame.empty:
        frame["office"] = named(frame.branch_name, frame.branch_code)
    return Table(
        frame,
        _cols(
            lang,
            ("rank_active", "int", "rank"),
            ("office", "text", "branch"),
            ("registered", "int"),
            ("active", "int", "active_members"),
            ("on_time_rate", "pct"),
            ("net_change", "signed"),
            ("target_progress", "pct"),
        ),
        lang,
        css="ranking",
    )


def regions(unit: Unit, lang: Lang = "id") -> Table:
    """The country's regions ranked by active members, with a total row for the nation
    (its own figures: rates from the sums). ``target_gap`` is the December projection
    less the target (negative: short)."""
    frame = unit.regions.copy()
    if frame.empty:
        return Table(frame, [], lang)
    frame["office"] = named(frame.region_name, frame.region_code)
    s = unit.summary
    total = {
        "office": word("total", lang),
        "branches": int(frame.branches.sum()),
        **{k: s[k] for k in ("registered", "active", "on_time_rate", "net_change")},
        "target_progress": s["target_progress"],
        "target_gap": s["projection_december"] - s["target"],
    }
    return Table(
        frame,
        _cols(
            lang,
            ("rank_active", "int", "rank"),
            ("office", "text", "region"),
            ("branches", "int", "branch_count"),
            ("registered", "int"),
            ("active", "int", "active_members"),
            ("on_time_rate", "pct"),
            ("net_change", "signed"),
            ("target_progress", "pct"),
            ("target_gap", "signed"),
        ),
        lang,
        css="ranking",
        total=total,
    )


def _with_region(unit: Unit) -> list[tuple[str, str, str]]:
    """The region column of an office table, in the national report only."""
    return [("region_name", "text", "region")] if unit.kind == "national" else []


def behind_target(unit: Unit, lang: Lang = "id", n: int = report_data.BEHIND) -> Table:
    """The offices furthest behind target (``data.behind_target``: projection short of the
    target, worst share first, at most ``n``): target, projection, shortfall, progress and,
    when the metrics carry it, the net additions a month still needed. With none behind,
    the table says every branch is projected to reach its target (or that no target is
    set)."""
    frame = report_data.behind_target(unit, raw=True, n=n)
    frame["office"] = named(frame.branch_name, frame.branch_code)
    frame["shortfall"] = -frame.target_gap
    spec: list[tuple[str, str] | tuple[str, str, str]] = [
        ("office", "text", "branch"),
        *_with_region(unit),
        ("target", "int"),
        ("projection_december", "int"),
        ("shortfall", "int"),
        ("target_progress", "pct"),
    ]
    if "required_monthly" in frame:
        frame["required_monthly"] = frame.required_monthly.map(
            lambda v: v if f.is_missing(v) else math.ceil(v)
        )
        spec.append(("required_monthly", "int"))
    empty = ""
    offices = unit.branches
    if not offices.empty:
        targets = offices[offices.target.notna()]
        if targets.empty:
            empty = word("no_target", lang)
        elif targets.on_track.eq(True).all():
            empty = word("none_behind", lang)
    return Table(frame, _cols(lang, *spec), lang, css="ranking", empty=empty)


def movers(unit: Unit, lang: Lang = "id", n: int = report_data.EACH_WAY) -> Table:
    """The offices whose active members rose most and fell most since last month
    (``data.movers``: at most ``n`` each way), "Naik" / "Turun", with the change in the
    on-time rate beside it in percentage points. Active members under 5 read "< 5" and the
    changes from them "–" (``data.safe_movers``)."""
    raw = report_data.movers(unit, raw=True, n=n).drop(columns="suppressed")
    frame = report_data.safe_movers(raw)
    frame["office"] = named(raw.branch_name, raw.branch_code)
    directions = {"up": word("moved_up", lang), "down": word("moved_down", lang)}
    frame["direction"] = raw.direction.map(directions)
    columns = _cols(
        lang,
        ("direction", "text"),
        ("office", "text", "branch"),
        *_with_region(unit),
        ("active_prev", "int"),
        ("active", "int", "active_members"),
        ("active_change", "signed"),
        ("on_time_rate_change", "points"),
    )
    empty = word("no_movers", lang) if not unit.branches.empty else ""
    return Table(
        frame,
        columns,
        lang,
        css="ranking",
        footnote=privacy_note(frame, columns, lang),
        empty=empty,
    )


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


# Column names that hold shares (0…1) or rupiah, for tables made from any frame.
_PCT_SUFFIXES = ("rate", "share", "conversion", "progress")
_RP_NAMES = ("amount", "arrears_value")


def infer_kind(name: str, values: pd.Series) -> str:
    """How :func:`from_frame` formats a column it was not told about: ``pct`` for numbers
    in a column named ``…rate``, ``…share``, ``conversion`` or ``…progress``; ``rp`` for
    ``amount``, ``arrears_value`` and ``collected_…``; ``int`` for whole numbers, ``dec``
    (one decimal) for other numbers; ``date`` for dates; ``text`` for everything else."""
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        if pd.api.types.is_datetime64_any_dtype(values):
            return "date"
        present = values.dropna()
        first = present.iloc[0] if len(present) else None
        return "date" if isinstance(first, dt.date) else "text"
    if name.endswith(_PCT_SUFFIXES):
        return "pct"
    if name in _RP_NAMES or name.startswith("collected_") or name.endswith("_amount"):
        return "rp"
    numbers = pd.to_numeric(values, errors="coerce").dropna().astype(float)
    return "int" if (numbers == numbers.round()).all() else "dec"


def from_frame(
    frame: pd.DataFrame,
    lang: Lang = "id",
    *,
    kinds: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    suppress: Sequence[str] = (),
    withhold: Mapping[str, Sequence[str]] | None = None,
    caption: str = "",
    footnote: str = "",
) -> Table:
    """``frame`` as a report table: numbers in the report language's format and
    right-aligned, no index, small cells as "< 5".

    ``kinds`` overrides :func:`infer_kind` per column (``int``, ``dec``, ``pct``, ``rp``,
    ``signed``, ``date``, ``text``); ``labels`` renames column headers. ``suppress`` lists
    count columns whose values under 5 show as "< 5"; ``withhold`` maps rate columns to the
    counts they are computed from (a rate of a suppressed count shows as "–"). A frame from
    ``Report.data`` needs neither: its ``suppressed`` flag column is read (a missing count in
    a flagged row shows "< 5", a missing rate "–") and not shown. When any cell shows "< 5",
    the privacy note is the table's footnote (unless ``footnote`` is given).
    """
    data = frame.reset_index(drop=True)
    flagged = pd.Series(False, index=data.index)
    if "suppressed" in data.columns:
        flagged = data.pop("suppressed").fillna(False).astype(bool)
    kinds = {str(c): infer_kind(str(c), data[c]) for c in data.columns} | dict(kinds or {})
    unknown = sorted(set(kinds.values()) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown column kind {unknown[0]!r}; choose from {', '.join(KINDS)}")
    data.columns = [str(c) for c in data.columns]
    shown = data.astype(object)
    if suppress or withhold:
        shown = suppress_small_cells(data, list(suppress), withhold).astype(object)
    for col, kind in kinds.items():
        if kind == "text" or col not in shown:
            continue
        # a cell Report.data suppressed: missing there, "< 5" (a count) or "–" (a rate) here
        hidden = flagged & data[col].isna()
        shown.loc[hidden, col] = WITHHELD if kind == "pct" else SMALL
    columns = [Column(c, str((labels or {}).get(c, c)), kinds[c]) for c in data.columns]
    note = footnote or privacy_note(shown, columns, lang)
    return Table(shown, columns, lang, caption=caption, footnote=note, css="house")
