"""The print HTML read as a document tree for Typst: what ``templates/report.typ`` lays out.

The tree is data, never code: each element becomes ``{"t": tag, "c": [classes], "a": {the
attributes the layout reads}, "k": [children]}`` and each run of text a JSON string, so a
name from the data cannot inject Typst markup. The layout itself (page, cover, contents,
running header, tables, charts) lives in the template alone.

What the template has no form for (an element outside :data:`TAGS`, an inline ``style``, a
``<style>`` or ``<script>``) is laid out apart by WeasyPrint (``render.foreign``), and the
tree holds its pages as a ``foreign`` node: whatever a notebook displays reaches the PDF.
An analyst's HTML output is wrapped in ``div.bpu-output`` by the print template, so the part
laid out apart is that output, not the whole report.
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import tinyhtml5

from bpu_reports.render import foreign


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


TAGS = _words(
    "main header section nav div span p figure h1 h2 h3 h4 h5 h6 ul ol li dl dt dd table "
    "caption thead tbody tfoot tr th td colgroup col a strong b em i u s del code pre "
    "blockquote br hr sub sup small mark img svg kbd var samp abbr cite q time label"
)
"""The elements the template lays out itself."""
DROPPED = frozenset({"colgroup", "col"})
"""Elements the template ignores (their content, if any, is not shown by a browser either)."""
KEPT = {"id", "href", "colspan", "rowspan", "data-running", "start", "alt"}
"""The attributes the template reads."""
PRE = frozenset({"pre"})
INLINE = _words(
    "span a strong b em i u s del code sub sup small mark kbd var samp abbr cite q time label"
)
"""Elements inside a line: their spaces are the text's; any other element is a block, whose
leading and trailing spaces, and the spaces between its children blocks, are layout's."""
_SPACE = re.compile(r"[ \t\n\r\f]+")
_SVG_START = re.compile(r"<svg\b[^>]*?(/?)>", re.S | re.I)
_SVG = re.compile(r"<svg\b[^>]*>.*?</svg>", re.S | re.I)
_ID = re.compile(r"""\sid\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)
SLOT = "bpu-drawing-"
_DATA_URI = re.compile(r"^data:image/(png|jpeg|jpg|gif);base64,(.*)$", re.S)


@dataclass
class Document:
    """A print HTML as the template reads it: the tree, the SVG drawings (by name), the
    images and outputs laid out apart it refers to (bytes, by name), and the words the page
    layout shows (office, period) found in the cover."""

    body: list[Any]
    meta: dict[str, Any]
    svgs: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    foreign: int = 0


def set_aside(html: str) -> tuple[str, list[str]]:
    """``html`` with each inline ``<svg>`` emptied and given the id ``SLOT + n``, and the
    SVGs taken out, in order: the parser never reads a drawing, and Typst gets each as it
    was written. An SVG holding another ``<svg>``, or without content, is left in place."""
    drawings: list[str] = []

    def empty(match: re.Match[str]) -> str:
        svg = match.group(0)
        start = _SVG_START.match(svg)
        if start is None or start.group(1) or "<svg" in svg[start.end() :].lower():
            return svg
        tag = _ID.sub("", start.group(0)[: -1 if not start.group(1) else -2])
        drawings.append(svg)
        return f'{tag} id="{SLOT}{len(drawings) - 1}"></svg>'

    return _SVG.sub(empty, html), drawings


def read(html: str, *, css: str = "") -> Document:
    """The document tree of a print HTML (``render.html.to_html(..., variant="print")``).
    ``css`` is the stylesheet an output laid out apart gets (the components' look)."""
    emptied, svgs = set_aside(html)
    root = tinyhtml5.parse(emptied, namespace_html_elements=False)
    main = root.find(".//main")
    if main is None:
        main = root.find(".//body")
    title = root.find(".//title")
    meta = {
        "lang": (root.get("lang") or "id").split("-")[0].lower(),
        "title": _plain(title) if title is not None else "",
    }
    doc = Document(body=[], meta=meta, svgs={f"{SLOT}{i}": s for i, s in enumerate(svgs)})
    reader = _Reader(doc, css)
    if main is not None:
        doc.body = reader.children(main)
    return doc


class _Reader:
    def __init__(self, doc: Document, css: str) -> None:
        self.doc, self.css = doc, css

    def children(self, element: ET.Element, pre: bool = False) -> list[Any]:
        out: list[Any] = []
        if element.text:
            out.append(_text(element.text, pre))
        for child in element:
            if not isinstance(child.tag, str):  # a comment
                pass
            else:
                node = self.node(child, pre)
                if isinstance(node, list):  # an output's parts, in the flow of the report
                    out.extend(node)
                elif node is not None:
                    out.append(node)
            if child.tail:
                out.append(_text(child.tail, pre))
        if pre or _local(element.tag) in INLINE:
            return [part for part in out if part != ""]
        if out and isinstance(out[0], str):
            out[0] = out[0].lstrip()
        if out and isinstance(out[-1], str):
            out[-1] = out[-1].rstrip()
        if any(isinstance(part, dict) and part["t"] not in INLINE for part in out):
            out = [part for part in out if not (isinstance(part, str) and part.isspace())]
        return [part for part in out if part != ""]

    def node(self, element: ET.Element, pre: bool) -> Any:
        tag = _local(element.tag)
        classes = element.get("class", "").split()
        if tag == "svg":
            return self.svg(element)
        if tag in DROPPED:
            return None
        if _foreign(element):
            return self.laid_apart(element)
        if "bpu-output" in classes:  # an analyst's HTML output, in the flow of the report
            return self.children(element, pre)
        attrs = {k: v for k, v in element.attrib.items() if k in KEPT}
        if tag == "img":
            return self.image(element)
        if tag == "p" and "bpu-office" in classes:
            self.doc.meta["office"] = element.get("data-running") or _plain(element)
        if tag == "p" and "bpu-period" in classes:
            self.doc.meta["period"] = _plain(element)
        if "bpu-watermark" in classes:
            self.doc.meta["watermark"] = _plain(element)
            return None
        node = {"t": tag, "c": classes, "a": attrs, "k": self.children(element, pre or tag in PRE)}
        return node

    def svg(self, element: ET.Element) -> Any:
        name = element.get("id", "")
        if name in self.doc.svgs:
            return {"t": "svg", "c": [], "a": {"src": name}, "k": []}
        return self.laid_apart(element)  # an SVG inside another, kept in the HTML

    def image(self, element: ET.Element) -> Any:
        match = _DATA_URI.match(element.get("src", "").strip())
        if match is None:  # an image from a path or a URL: WeasyPrint resolves it as before
            return self.laid_apart(element)
        try:
            data = base64.b64decode(match.group(2), validate=False)
        except (binascii.Error, ValueError):
            return None
        path = f"/img-{len(self.doc.files)}.{match.group(1)}"
        self.doc.files[path] = data
        kind = {"jpeg": "jpg"}.get(match.group(1), match.group(1))
        return {"t": "img", "c": [], "a": {"src": path, "format": kind}, "k": []}

    def laid_apart(self, element: ET.Element) -> Any:
        """``element`` laid out by WeasyPrint at the text width, its pages as PDF files."""
        html = ET.tostring(element, encoding="unicode", method="html")
        for name, svg in self.doc.svgs.items():  # the drawings set aside go back in
            empty = re.compile(rf'<svg\b[^>]*\bid="{name}"[^>]*>\s*</svg>')
            html = empty.sub(_literally(svg), html)
        return apart(self.doc, html, self.css)


def apart(doc: Document, html: str, css: str) -> dict[str, Any]:
    """The ``foreign`` node of ``html`` laid out by WeasyPrint, its pages added to
    ``doc``'s files."""
    pages = foreign.lay_out(html, css)
    doc.foreign += 1
    parts = []
    for i, page in enumerate(pages):
        path = f"/foreign-{doc.foreign}-{i}.pdf"
        doc.files[path] = page.pdf
        parts.append({"src": path, "height": page.height_pt})
    return {"t": "foreign", "c": [], "a": {"pages": parts}, "k": []}


def without_drawings(doc: Document, names: set[str], css: str) -> None:
    """``doc`` with the drawings ``names`` (ones Typst refused) laid out apart instead."""

    def mend(nodes: list[Any]) -> None:
        for i, node in enumerate(nodes):
            if not isinstance(node, dict):
                continue
            if node["t"] == "svg" and node["a"].get("src") in names:
                nodes[i] = apart(doc, doc.svgs[node["a"]["src"]], css)
            else:
                mend(node["k"])

    mend(doc.body)
    for name in names:
        doc.svgs.pop(name, None)


def _literally(text: str) -> Callable[[re.Match[str]], str]:
    """A replacement for ``re.sub`` that puts ``text`` in as it is (no group references)."""
    return lambda _: text


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _foreign(element: ET.Element) -> bool:
    """Whether ``element`` holds something the template does not lay out."""
    for sub in element.iter():
        if not isinstance(sub.tag, str):
            continue
        tag = _local(sub.tag)
        if tag == "svg":
            if sub.get("id", "").startswith(SLOT):
                continue
            return True
        if tag not in TAGS or not _harmless(sub.get("style", "")):
            return True
    return False


_ALIGN = re.compile(r"^\s*(text-align\s*:\s*(left|right|center)\s*;?\s*)*$", re.I)


def _harmless(style: str) -> bool:
    """An inline style the template's own rules already give (pandas writes
    ``text-align: right`` on every DataFrame's header row)."""
    return not style or _ALIGN.match(style) is not None


def _text(text: str, pre: bool) -> str:
    return text if pre else _SPACE.sub(" ", text)


def _plain(element: ET.Element) -> str:
    return _SPACE.sub(" ", "".join(element.itertext())).strip()
