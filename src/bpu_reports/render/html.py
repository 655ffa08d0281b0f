"""Notebook → HTML with the package's own nbconvert template: a screen variant (one
self-contained file, phone-friendly) and a print variant that ``render.pdf`` lays out on A4."""

from __future__ import annotations

import html as htmlmod
import re
from functools import cache
from importlib.resources import files
from typing import Literal

import jinja2
import nbformat
from nbconvert import HTMLExporter

from bpu_reports._version import __version__
from bpu_reports.report.book import TOC_MARK
from bpu_reports.report.labels import t

Variant = Literal["screen", "print"]
LANG_TAG = re.compile(r"^lang-(\w+)$")
_NOTEBOOK_STYLE = re.compile(r"<style data-bpu-notebook>.*?</style>", re.S)
_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)


def _templates() -> str:
    return str(files("bpu_reports.render").joinpath("templates"))


def _read(package: str, name: str) -> str:
    return files(package).joinpath(name).read_text(encoding="utf-8")


@cache
def css(variant: Variant, lang: str) -> str:
    """The stylesheet of a variant: components + screen or print layout."""
    components = _read("bpu_reports.report.resources", "components.css")
    if variant == "screen":
        return components + _read("bpu_reports.render.templates", "screen.css")
    layout = jinja2.Template(_read("bpu_reports.render.templates", "print.css.j2")).render(
        classification=t("classification", lang),  # type: ignore[arg-type]
        page=t("page", lang),  # type: ignore[arg-type]
        page_of=t("page_of", lang),  # type: ignore[arg-type]
    )
    return components + layout


@cache
def _exporter() -> HTMLExporter:
    exporter = HTMLExporter(
        template_name="bpu",
        extra_template_basedirs=[_templates()],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    exporter.register_filter("strip_notebook_styles", lambda s: _NOTEBOOK_STYLE.sub("", s))
    return exporter


def select_language(nb: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode:
    """Drop cells tagged ``lang-xx`` for another language than ``lang``."""
    copy = nbformat.from_dict(nb)

    def keep(cell: nbformat.NotebookNode) -> bool:
        tags = [LANG_TAG.match(tag) for tag in cell.get("metadata", {}).get("tags", [])]
        langs = {m.group(1) for m in tags if m}
        return not langs or lang in langs

    copy.cells = [c for c in copy.cells if keep(c)]
    return copy


def to_html(
    nb: nbformat.NotebookNode, *, lang: str, title: str, variant: Variant = "screen"
) -> str:
    """Render an executed notebook; in the print variant a table of contents of the ``h2``
    sections goes where the cover put ``TOC_MARK``."""
    resources = {
        "bpu": {
            "lang": lang,
            "title": title,
            "css": css(variant, lang),
            "variant": variant,
            "version": __version__,
        }
    }
    body, _ = _exporter().from_notebook_node(select_language(nb, lang), resources=resources)
    if variant == "print":
        body = body.replace(TOC_MARK, _toc(body, lang), 1)
    return body


def _toc(body: str, lang: str) -> str:
    entries = [
        f'<li><a href="#{anchor}">{htmlmod.escape(re.sub("<[^>]+>", "", text).strip())}</a></li>'
        for anchor, text in _H2.findall(body)
    ]
    if not entries:
        return ""
    return (
        f'<nav class="bpu-toc"><h2 class="bpu-toc-title">{t("contents", lang)}</h2>'  # type: ignore[arg-type]
        f"<ol>{''.join(entries)}</ol></nav>"
    )
