"""The report's cover, page 1 of the PDF (:func:`cover_page`, what ``r.cover()`` shows):
organisation, title, office, month and data cut-off, the month's headline and KPI cards, the
components' CSS for the notebook, and the mark where the print variant puts its table of
contents. Also :class:`Html`, the block the cover and the report's other sections display as,
and the office's name as the PDF's running header shows it (:func:`running_name`)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from bpu_reports.metrics.views import Unit
from bpu_reports.report import formats as f
from bpu_reports.report import kpi, mimetypes, narrative
from bpu_reports.report.words import Lang, word

TOC_MARK = mimetypes.TOC_MARK
"""Where the print variant puts its table of contents (right after the cover)."""

LONG_NAME = 100
"""Characters above which the cover sets the office's name smaller (class ``bpu-long``), so
that a very long name still leaves the cover and its table of contents one page."""

RUNNING_NAME = 60
"""Characters of an office's name the PDF's running header shows at most: a page margin box
does not wrap, so a longer name is cut there (with "…"); the cover shows it whole."""


def running_name(name: str, limit: int = RUNNING_NAME) -> str:
    """``name`` as the running header shows it: white space folded, and a name longer than
    ``limit`` characters cut with "…", at the last space if one falls in its final third.

    Example: ``running_name("Kantor Cabang Perintis Kabupaten Kepulauan Sangihe dan Talaud
    Wilayah Utara")`` → ``"Kantor Cabang Perintis Kabupaten Kepulauan Sangihe dan…"``
    """
    name = " ".join(name.split())
    if len(name) <= limit:
        return name
    cut = name[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-–—(/") + "…"


@dataclass(frozen=True)
class Html:
    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:  # the text/plain output: a summary, not the markup
        return f"<report block, {len(self.html):,} characters of HTML>"


@dataclass(frozen=True, repr=False)  # Html's short repr: the text/plain output
class Cover(Html):
    """The cover: displays as HTML and carries the report's KPIs as JSON (``kpi.MIMETYPE``),
    which the batch records in the manifest, as ``r.kpis()`` does; and the KPI cards'
    figures with last month's and last year's (``mimetypes.TABLE``, ``tables.kpi_figures``)."""

    kpis: dict[str, Any]
    figures: dict[str, Any] = field(default_factory=dict)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = {"text/html": self.html, kpi.MIMETYPE: self.kpis, "text/plain": repr(self)}
        if self.figures:
            bundle[mimetypes.TABLE] = self.figures
        return bundle


@cache
def _components_css() -> str:
    return files("bpu_reports.report.resources").joinpath("components.css").read_text("utf-8")


def cover_page(u: Unit, lang: Lang, title: str, figures: dict[str, Any]) -> Cover:
    """The cover of the report on ``u`` in ``lang`` under ``title``, carrying the KPI
    cards' ``figures`` (``tables.kpi_figures``) beside its HTML; see ``Report.cover``."""
    # a branch is known by its code too; a region and the country by their names
    office = f"{u.name} ({u.code})" if u.kind == "branch" else u.name
    running = running_name(u.name) + (f" ({u.code})" if u.kind == "branch" else "")
    long = " bpu-long" if len(office) > LONG_NAME else ""
    rows = [
        (word("region", lang), f"{u.region_name} ({u.region_code})")
        if u.kind == "branch"
        else None,
        (word("period", lang), f.month(u.period, lang)),
        (word("cutoff", lang), f.day(min(u.period.cutoff, u.warehouse.data_cutoff), lang)),
    ]
    items = "".join(
        f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in filter(None, rows)
    )
    demo = ""
    if u.warehouse.is_demo:
        demo = (
            f'<div class="bpu-demo">{word("demo", lang)}</div>'
            f'<div class="bpu-watermark">{word("demo", lang)}</div>'
        )
    banner = f'<div class="bpu-demo-banner">{word("demo_note", lang)}</div>' if demo else ""
    cards = kpi.KpiBlock(u, lang, title)
    story = (
        f'<section class="bpu-story"><p class="bpu-headline">'
        f"{narrative.headline(u, lang)}</p>{cards.to_html()}</section>"
    )
    return Cover(
        f"<style data-bpu-notebook>{_components_css()}</style>{banner}"
        f'<header class="bpu-cover"><p class="bpu-org">BPJS Ketenagakerjaan</p>'
        f"<h1>{html.escape(title)}</h1>"
        f'<p class="bpu-office{long}" data-running="{html.escape(running)}">'
        f"{html.escape(office)}</p>"
        f'<p class="bpu-period">{html.escape(f.month(u.period, lang))}</p>'
        f"<dl>{items}</dl>{demo}</header>{story}{TOC_MARK}",
        cards.data,
        figures,
    )
