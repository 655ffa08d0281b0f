"""One report table: :class:`Column` and :class:`Table`, formatted in the report language
(:data:`KINDS`), small cells shown as "< 5" with the privacy note under a table only when it
has such a cell (:func:`privacy_note`), "Tidak ada" (or the table's own sentence) when empty.
Every value is escaped: names and venues come from the data. Offices are named with their
code beside the name ("KC Bali Denpasar (DPS)", :func:`named`), whole: a long name wraps.

Every table displays as HTML and carries its figures as JSON (:data:`MIMETYPE`,
:meth:`Table.figures`), which the runner reads from the executed notebook for the Excel
workbook and the archival PDF. The report's tables are built in ``report/tables.py`` (the
catalogue) and ``report/rankings.py``; an analyst's own in ``report/frames.py``."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bpu_reports.metrics import serialize
from bpu_reports.metrics.privacy import SMALL
from bpu_reports.report import formats as f
from bpu_reports.report import mimetypes
from bpu_reports.report.words import Lang, word

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


def cols(lang: Lang, *spec: tuple[str, str] | tuple[str, str, str]) -> list[Column]:
    """Columns from ``(key, kind)``, headed by the word of the same key, or from
    ``(key, kind, word key)``."""
    return [Column(c[0], word(c[-1] if len(c) == 3 else c[0], lang), c[1]) for c in spec]


def named(names: pd.Series, codes: pd.Series) -> pd.Series:
    """Offices as the tables name them: ``KC Bali Denpasar (DPS)``, the name whole."""
    return names.astype(str) + " (" + codes.astype(str) + ")"
