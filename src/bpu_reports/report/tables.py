"""Report tables: formatted in the report language, small cells suppressed, "tidak ada" when
empty. Every value is escaped: names and venues come from the data.

:data:`TABLES` is the catalogue of the report's tables (``Report.table`` reads it);
:func:`from_frame` makes a table of the same look from any DataFrame (``house.table``)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bpu_reports.metrics import serialize
from bpu_reports.metrics.privacy import SMALL, WITHHELD, suppress_small_cells
from bpu_reports.metrics.views import Unit
from bpu_reports.report import formats as f
from bpu_reports.report.formats import Lang
from bpu_reports.report.labels import t, value_label
from bpu_reports.report.registry import Entry, catalogue

Formatter = Callable[[Any, Lang], str]
KINDS: dict[str, Formatter] = {
    "int": f.number,
    "dec": lambda v, lang: f.number(v, lang, 1),
    "pct": f.percent,
    "rp": f.rupiah,
    "signed": f.signed,
    "text": lambda v, lang: "" if v is None else str(v),
    "date": lambda v, lang: f.day(v, lang) if not f.is_missing(v) else f.MISSING,
}


LONG_TABLE = 12
"""Rows above which a table may start on the current page and continue on the next."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"


@dataclass(frozen=True)
class Table:
    """An HTML table (``_repr_html_``) with a caption; empty tables say so in words."""

    frame: pd.DataFrame
    columns: Sequence[Column]
    lang: Lang = "id"
    caption: str = ""
    css: str = ""
    footnote: str = ""
    total: dict[str, Any] = field(default_factory=dict)

    def to_html(self) -> str:
        cap = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        if self.frame.empty:
            body = f'<p class="bpu-none">{html.escape(t("none", self.lang))}</p>'
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

    def __repr__(self) -> str:
        """Short, like ``Chart``: an executed notebook keeps this as the table's text/plain
        output, and the frame may hold columns the table does not show (counts from which a
        suppressed small cell could be worked out)."""
        labels = ", ".join(c.label for c in self.columns)
        return f"Table({len(self.frame)} rows: {labels})"


PRIVACY_NOTE: dict[str, str] = {
    "id": "< 5: kurang dari 5 peserta, tidak ditampilkan untuk melindungi privasi.",
    "en": "< 5: fewer than 5 members, not shown to protect privacy.",
}


def _cols(lang: Lang, *spec: tuple[str, str]) -> list[Column]:
    return [Column(key, t(key, lang), kind) for key, kind in spec]


def ageing(unit: Unit, lang: Lang = "id") -> Table:
    frame = unit.ageing.copy()
    frame["bucket"] = frame.bucket.astype(str).map(lambda b: b.replace("-", "–"))
    total_members = int(unit.ageing.members.sum())
    value = unit.ageing.arrears_value.sum(min_count=1)
    return Table(
        frame,
        _cols(lang, ("bucket", "text"), ("members", "int"), ("arrears_value", "rp")),
        lang,
        css="ageing",
        total={"bucket": t("total", lang), "members": total_members, "arrears_value": value},
        footnote={
            "id": "Nilai tunggakan hanya untuk peserta yang menunggak 1–3 bulan (masih dapat "
            "dibayar); lewat 3 bulan kepesertaan menjadi nonaktif.",
            "en": "Arrears value only for members 1–3 months behind (still payable); after "
            "3 months the membership lapses.",
        }[lang],
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
        total={"program": t("total", lang), "amount": total, "share": 1.0 if total else None},
    )


def prepayment(unit: Unit, lang: Lang = "id") -> Table:
    s = unit.summary
    labels = {"1": "1", "3": "3", "6": "6", "12": "12", "other": t("other", lang)}
    frame = pd.DataFrame([{"months": labels[k], "payments": s[f"mix_{k}"]} for k in labels])
    count = s["payments"]
    frame["share"] = frame.payments / count if count else float("nan")
    return Table(
        frame,
        _cols(lang, ("months", "text"), ("payments", "int"), ("share", "pct")),
        lang,
        total={"months": t("total", lang), "payments": count, "share": 1.0 if count else None},
    )


def breakdown(unit: Unit, dimension: str, lang: Lang = "id") -> Table:
    frame = unit.breakdowns[unit.breakdowns.dimension == dimension].copy()
    frame = serialize.safe_breakdowns(frame)
    frame["value"] = frame.value.map(lambda v: value_label(v, lang))
    return Table(
        frame,
        [
            Column("value", t(dimension, lang), "text"),
            *_cols(
                lang,
                ("registered", "int"),
                ("new_registrations", "int"),
                ("active", "int"),
                ("active_share", "pct"),
                ("on_time_rate", "pct"),
            ),
        ],
        lang,
        footnote=PRIVACY_NOTE[lang],
    )


def segments(unit: Unit, lang: Lang = "id") -> Table:
    return breakdown(unit, "segment", lang)


def channels(unit: Unit, lang: Lang = "id") -> Table:
    return breakdown(unit, "channel", lang)


def events(unit: Unit, lang: Lang = "id", in_month: bool = True) -> Table:
    """Events of the month (``in_month``) or of the year to date, most recent first."""
    frame = unit.outreach
    if in_month:
        frame = frame[frame.in_month]
    frame = serialize.safe_outreach(frame.sort_values("held_on", ascending=False))
    frame = frame.assign(event=frame.title + " — " + frame.venue)
    later = () if in_month else (("active_3m", "int"), ("active_6m", "int"))
    columns = [
        Column("held_on", t("held_on", lang), "date"),
        Column("event", t("event", lang), "text"),
        *_cols(lang, ("potential", "int")),
        Column("registered", t("enrolled", lang), "int"),
        *_cols(lang, ("conversion", "pct"), ("paid", "int"), ("active_now", "int"), *later),
    ]
    return Table(frame, columns, lang, css="events")


def branches(unit: Unit, lang: Lang = "id") -> Table:
    frame = unit.branches.copy()
    return Table(
        frame,
        [
            Column("rank_active", t("rank", lang), "int"),
            Column("branch_name", t("branch", lang), "text"),
            *_cols(
                lang,
                ("registered", "int"),
                ("active", "int"),
                ("on_time_rate", "pct"),
                ("net_change", "signed"),
                ("target_progress", "pct"),
            ),
        ],
        lang,
        css="ranking",
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
    ]
)
"""Every report table by name, in report order: ``TABLES[name](unit, lang, **options)``
builds it and ``TABLES[name].about[lang]`` says in one line what it shows."""


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
    small = bool(shown.isin([SMALL]).any().any())
    columns = [Column(c, str((labels or {}).get(c, c)), kinds[c]) for c in data.columns]
    note = footnote or (PRIVACY_NOTE[lang] if small else "")
    return Table(shown, columns, lang, caption=caption, footnote=note, css="house")
