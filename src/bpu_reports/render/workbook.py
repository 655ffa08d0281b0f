"""Excel workbooks (XlsxWriter): one per report, and the period's KPIs of every report.

A report's workbook (``NAME.xlsx``) has a first sheet ``KPI`` (each KPI, its value and its
change since last month and since a year before), then one sheet per table in report order,
each from the figures the executed notebook carries (``report.table.MIMETYPE``): a title row,
a bold frozen header row with a filter, numbers written as numbers with a number format
(counts ``#,##0``, shares ``0.0%``, rupiah ``"Rp"#,##0``), a suppressed cell as the text it
shows ("< 5") right-aligned, the total row in bold and the table's note under it.

``OUT/PERIOD/kpis.xlsx`` (:func:`write_kpis`) has one row per report that ran ok, as the
manifest orders them (the national report, regions, then branches), every KPI a number
column with an Indonesian header.

Every cell is written with its type's own call (``write_string``, ``write_number``): a text
from the data that begins with ``=`` stays text, never a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from bpu_reports import publish
from bpu_reports.report.words import Lang, check_lang, word

KPIS_NAME = "kpis.xlsx"
KPI_SHEET = "KPI"
KPI_TABLE = "kpi"
"""The name of the KPI cards' figures (``tables.kpi_figures``): the ``KPI`` sheet's changes."""

NUMBER_FORMATS: dict[str, str] = {
    "int": "#,##0",
    "signed": "+#,##0;-#,##0;0",
    "decimal": "#,##0.0",
    "percent": "0.0%",
    "points": "+0.0;-0.0;0.0",
    "money": '"Rp"#,##0',
    "money_change": '+"Rp"#,##0;-"Rp"#,##0;"Rp"0',
    "date": "dd/mm/yyyy",
}
"""The cell format of each kind of figure (``table.FIGURE_KINDS``); Excel shows the
separators of the reader's locale (``16.800`` in Indonesian)."""

KPIS: dict[str, tuple[str, str]] = {
    "registered": ("registered", "int"),
    "active": ("active_members", "int"),
    "on_time_rate": ("on_time_rate", "percent"),
    "new_registrations": ("new_registrations", "int"),
    "collected_amount": ("collected_amount", "money"),
    "target_progress": ("target_progress", "percent"),
    "in_arrears": ("in_arrears", "int"),
    "inactive": ("inactive", "int"),
    "on_time": ("on_time", "int"),
    "target": ("target", "int"),
    "projection_december": ("projection_december", "int"),
}
"""Each KPI of a report's KPI record (``kpi.KpiBlock.data``) in the order the sheets list
them: the word of its label and its kind of figure. A number the record holds under another
name is listed after these, headed by its name."""

SHEET_WORDS: dict[str, dict[str, str]] = {
    "indicator": {"id": "Indikator", "en": "Indicator"},
    "value": {"id": "Nilai", "en": "Value"},
    "change": {"id": "Perubahan", "en": "Change"},
    "kind": {"id": "Jenis laporan", "en": "Report kind"},
    "code": {"id": "Kode", "en": "Code"},
    "name": {"id": "Nama", "en": "Name"},
    "title": {"id": "Judul", "en": "Title"},
    "lang": {"id": "Bahasa", "en": "Language"},
    "table": {"id": "Tabel", "en": "Table"},
}
"""The few words only the workbooks show (headers of the KPI sheets)."""

KIND_WORDS = {"national": "nation", "region": "region", "branch": "branch"}
_ORDER = ("national", "region")  # then branches, as the manifest orders its entries
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
WIDTH_MAX = 60  # characters at most: a longer text (an event) runs past its column
HEADER_FILL = "#EEF2F6"


def _says(key: str, lang: Lang) -> str:
    return SHEET_WORDS[key][lang]


def sheet_name(title: str, taken: set[str], fallback: str = "Tabel") -> str:
    """A valid, unused Excel sheet name for ``title``: none of ``[]:*?/\\``, no apostrophe
    at either end, at most 31 characters (UTF-16 units, as Excel counts) and, ignoring
    case, not in ``taken`` (a second "Segmen" is "Segmen (2)"); ``taken`` gets the name
    (lower-cased). An empty title is ``fallback``."""
    base = " ".join(_NOT_IN_SHEET_NAMES.sub(" ", title).split()).strip("'").strip()
    base = base or fallback
    n = 1
    while True:
        suffix = f" ({n})" if n > 1 else ""
        name = _cut(base, SHEET_NAME_MAX - len(suffix)).rstrip(" '") + suffix
        if name.lower() not in taken and name.lower() != "history":  # Excel reserves it
            taken.add(name.lower())
            return name
        n += 1


def _cut(text: str, units: int) -> str:
    while len(text.encode("utf-16-le")) // 2 > units:
        text = text[:-1]
    return text


class _Styles:
    """The workbook's cell formats, made once per workbook."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 12})
        header = {"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"}
        self.header = book.add_format(header | {"bg_color": HEADER_FILL})
        self.header_number = book.add_format(header | {"bg_color": HEADER_FILL, "align": "right"})
        self.note = book.add_format({"italic": True, "font_color": "#555555"})
        self._cells: dict[tuple[str, bool], Format] = {}

    def cell(self, kind: str, total: bool = False) -> Format:
        """The format of a cell of ``kind`` (a number format, or text right-aligned in a
        number column: "< 5"), bold with a rule above in the total row."""
        key = (kind, total)
        if key not in self._cells:
            props: dict[str, Any] = {}
            if kind in NUMBER_FORMATS:
                props["num_format"] = NUMBER_FORMATS[kind]
            elif kind == "shown":  # a text in a number column: aligned with the numbers
                props["align"] = "right"
            if total:
                props.update(bold=True, top=1)
            self._cells[key] = self.book.add_format(props)
        return self._cells[key]


def _new_book(buffer: io.BytesIO) -> tuple[xlsxwriter.Workbook, _Styles]:
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_urls": False, "strings_to_formulas": False}
    )
    return book, _Styles(book)


def _number(value: Any) -> float | None:
    """``value`` as a finite number, or None for anything else (text, null, NaN)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


class _Widths:
    """Each column's width, fitted to the longest text it holds (numbers as they show)."""

    def __init__(self) -> None:
        self.chars: dict[int, int] = {}

    def see(self, col: int, value: Any, kind: str = "text") -> None:
        if value is None:
            return
        number = _number(value)
        if number is None:
            longest = max((len(line) for line in str(value).splitlines()), default=0)
        else:
            shown = abs(number) * (100 if kind in ("percent", "points") else 1)
            digits = 1 if kind in ("decimal", "percent", "points") else 0
            extra = {"money": 2, "money_change": 3, "percent": 1, "points": 1}.get(kind, 0)
            longest = len(f"{shown:,.{digits}f}") + extra + 1
        self.chars[col] = max(self.chars.get(col, 0), longest)

    def apply(self, sheet: Worksheet, least: int = 8) -> None:
        for col, chars in self.chars.items():
            sheet.set_column(col, col, min(max(chars + 2, least), WIDTH_MAX))


def _write(
    sheet: Worksheet, row: int, col: int, value: Any, kind: str, styles: _Styles, total: bool
) -> None:
    """One cell: a number with its kind's format (points are a share's change, shown × 100),
    a date, or text (right-aligned in a number column)."""
    number = _number(value)
    if number is not None and kind != "text":
        if kind == "points":
            number *= 100
        sheet.write_number(row, col, number, styles.cell(kind, total))
    elif kind == "date" and isinstance(value, str) and _iso_date(value):
        sheet.write_datetime(row, col, _iso_date(value), styles.cell("date", total))
    elif value is None:
        sheet.write_blank(row, col, None, styles.cell(kind, total))
    else:
        text = str(value)
        sheet.write_string(
            row, col, text, styles.cell("text" if kind == "text" else "shown", total)
        )


def _iso_date(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text[:10], "%Y-%m-%d")
    except ValueError:
        return None


def _table_sheet(sheet: Worksheet, figures: Mapping[str, Any], styles: _Styles) -> None:
    """One table's sheet: title, header, rows, total, note (see the module's docstring)."""
    columns: Sequence[Mapping[str, Any]] = figures.get("columns") or []
    rows: Sequence[Sequence[Any]] = figures.get("rows") or []
    widths = _Widths()
    sheet.write_string(0, 0, str(figures.get("title") or figures.get("name") or ""), styles.title)
    header = 1
    for col, column in enumerate(columns):
        number = column.get("kind") != "text"
        label = str(column.get("label", ""))
        sheet.write_string(header, col, label, styles.header_number if number else styles.header)
        widths.see(col, max(label.split(), key=len, default=""))
    for r, values in enumerate(rows, start=header + 1):
        for col, column in enumerate(columns):
            value = values[col] if col < len(values) else None
            _write(sheet, r, col, value, column.get("kind", "text"), styles, total=False)
            widths.see(col, value, column.get("kind", "text"))
    last = header + len(rows)
    total = figures.get("total")
    if total:
        last += 1
        for col, column in enumerate(columns):
            value = total[col] if col < len(total) else None
            _write(sheet, last, col, value, column.get("kind", "text"), styles, total=True)
            widths.see(col, value, column.get("kind", "text"))
    sheet.freeze_panes(header + 1, 0)
    if columns and rows:
        sheet.autofilter(header, 0, header + len(rows), len(columns) - 1)
    said = [str(figures.get(k) or "") for k in ("empty", "note")]
    for i, text in enumerate(t for t in said if t):
        sheet.write_string(last + 2 + i, 0, text, styles.note)
    widths.apply(sheet)


def _kpi_rows(kpis: Mapping[str, Any]) -> list[tuple[str, str, float]]:
    """The record's numeric KPIs as (key, kind, value), in :data:`KPIS` order then any
    other number the record holds."""
    known = [(k, KPIS[k][1], kpis[k]) for k in KPIS if k in kpis]
    others = [(k, "decimal", v) for k, v in kpis.items() if k not in KPIS]
    return [(k, kind, v) for k, kind, v in known + others if _number(v) is not None]


def _kpi_sheet(
    sheet: Worksheet,
    kpis: Mapping[str, Any],
    cards: Mapping[str, Any] | None,
    lang: Lang,
    title: str,
    styles: _Styles,
) -> None:
    """The KPI sheet: one row per KPI (label, value) and, from the cards' figures
    (``cards``: this month, last month, a year before), its change since each."""
    before: dict[str, list[Any]] = {}
    months: list[str] = []
    if cards and len(cards.get("rows") or []) >= 3:
        keys = [c["key"] for c in cards["columns"]]
        months = [str(row[0]) for row in cards["rows"]]
        before = {k: [row[i] for row in cards["rows"][1:3]] for i, k in enumerate(keys)}
    headers = [_says("indicator", lang), _says("value", lang)]
    if before:
        headers += [
            f"{_says('change', lang)} {word('vs_prev', lang)}",
            f"{_says('change', lang)} {word('vs_month', lang, month=months[2])}",
        ]
    widths = _Widths()
    sheet.write_string(0, 0, title, styles.title)
    for col, label in enumerate(headers):
        sheet.write_string(1, col, label, styles.header if col == 0 else styles.header_number)
        widths.see(col, max(label.split(), key=len, default=""))
    rows = _kpi_rows(kpis)
    for r, (key, kind, value) in enumerate(rows, start=2):
        label = word(KPIS[key][0], lang) if key in KPIS else key
        sheet.write_string(r, 0, label)
        widths.see(0, label)
        _write(sheet, r, 1, value, kind, styles, total=False)
        widths.see(1, value, kind)
        for col, then in enumerate(before.get(key, []), start=2):
            change_kind = {"percent": "points", "money": "money_change"}.get(kind, "signed")
            change = value - then if _number(then) is not None else None
            _write(sheet, r, col, change, change_kind, styles, total=False)
            widths.see(col, change, change_kind)
    sheet.freeze_panes(2, 1)
    widths.apply(sheet)


def report_workbook(
    kpis: Mapping[str, Any],
    tables: Iterable[Mapping[str, Any]],
    *,
    lang: str = "id",
    title: str = "",
) -> bytes:
    """One report's workbook (``.xlsx`` bytes): the ``KPI`` sheet from its KPI record
    (``kpis``, as the manifest holds it) titled ``title``, then one sheet per table of
    ``tables`` (figures as ``Table.figures`` gives them, in report order), named by its
    title. The KPI cards' figures (name ``kpi``) give the KPI sheet its changes and no
    sheet of their own. Headers are in ``lang``, the report's language."""
    language = check_lang(lang)
    tables = list(tables)
    cards = next((t for t in tables if t.get("name") == KPI_TABLE), None)
    buffer = io.BytesIO()
    book, styles = _new_book(buffer)
    taken = {KPI_SHEET.lower()}
    _kpi_sheet(book.add_worksheet(KPI_SHEET), kpis, cards, language, title or KPI_SHEET, styles)
    for figures in tables:
        if figures.get("name") == KPI_TABLE:
            continue
        name = sheet_name(
            str(figures.get("title") or figures.get("name") or ""),
            taken,
            _says("table", language),
        )
        _table_sheet(book.add_worksheet(name), figures, styles)
    book.close()
    return buffer.getvalue()


def kpis_workbook(entries: Iterable[Mapping[str, Any]]) -> bytes:
    """The period's ``kpis.xlsx`` (bytes) from manifest entries: one row per report whose
    status is ``ok`` (the national report, regions, then branches, each by key): its kind,
    code, name, region, title and language, then every KPI as a number column (headers in
    Indonesian, :data:`KPIS` order first)."""
    ok = [e for e in entries if e.get("status") == "ok"]
    ok.sort(key=lambda e: (_kind_order(str(e.get("kind"))), str(e.get("key", ""))))
    keys: dict[str, str] = {}
    for entry in ok:
        for key, kind, _ in _kpi_rows(entry.get("kpis") or {}):
            keys.setdefault(key, kind)
    known = [k for k in KPIS if k in keys]
    columns = known + [k for k in keys if k not in KPIS]
    buffer = io.BytesIO()
    book, styles = _new_book(buffer)
    sheet = book.add_worksheet(KPI_SHEET)
    headers = [
        _says("kind", "id"),
        _says("code", "id"),
        _says("name", "id"),
        word("region", "id"),
        _says("title", "id"),
        _says("lang", "id"),
    ] + [word(KPIS[k][0], "id") if k in KPIS else k for k in columns]
    widths = _Widths()
    for col, label in enumerate(headers):
        style = styles.header if col < 6 else styles.header_number
        sheet.write_string(0, col, label, style)
        widths.see(col, max(label.split(), key=len, default=""))
    for r, entry in enumerate(ok, start=1):
        kind = str(entry.get("kind", ""))
        kpis = entry.get("kpis") or {}
        described = [
            word(KIND_WORDS[kind], "id") if kind in KIND_WORDS else kind,
            entry.get("code"),
            entry.get("name"),
            entry.get("region_code") if kind == "branch" else None,
            entry.get("title") or kpis.get("title"),
            entry.get("lang"),
        ]
        for col, value in enumerate(described):
            _write(sheet, r, col, value, "text", styles, total=False)
            widths.see(col, value)
        for col, key in enumerate(columns, start=len(described)):
            _write(sheet, r, col, kpis.get(key), keys[key], styles, total=False)
            widths.see(col, kpis.get(key), keys[key])
    sheet.freeze_panes(1, 3)
    if ok:
        sheet.autofilter(0, 0, len(ok), len(headers) - 1)
    widths.apply(sheet)
    book.close()
    return buffer.getvalue()


def write_kpis(folder: Path, entries: Iterable[Mapping[str, Any]], root: Path) -> Path:
    """Publish ``folder/kpis.xlsx`` (:func:`kpis_workbook` of ``entries``) atomically,
    inside ``root`` (the output folder); returns its path."""
    path = publish.inside(root, folder.resolve().relative_to(root.resolve()) / KPIS_NAME)
    publish.write_bytes(path, kpis_workbook(entries), root)
    return path


def _kind_order(kind: str) -> int:
    return _ORDER.index(kind) if kind in _ORDER else len(_ORDER)
