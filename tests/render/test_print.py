"""The printed report (``render.pdf``: the print HTML read as a tree by ``render.typeset``,
laid out by ``templates/report.typ``), read back with pypdf: the contents' page numbers, the
running header and page n of N, rows never split, text from the data kept as text (never
markup), and outputs the layout has no form for laid out apart, never lost."""

from __future__ import annotations

import base64
import io
import re
import subprocess
import time
from itertools import pairwise

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from pypdf import PdfReader

from bpu_reports.render import pdf, typeset


def page(body: str, *, cover: bool = True, lang: str = "id") -> str:
    """A print HTML as ``render.html`` writes it: a cover (the office's running name and the
    period), then ``body``."""
    head = (
        '<header class="bpu-cover"><p class="bpu-org">BPJS Ketenagakerjaan</p>'
        "<h1>Laporan Bulanan Peserta BPU</h1>"
        '<p class="bpu-office" data-running="KC Contoh (CTH)">KC Contoh (CTH)</p>'
        '<p class="bpu-period">Juli 2017</p>'
        '<div class="bpu-watermark">DATA DEMO</div></header>'
        if cover
        else ""
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>KC Contoh — Juli 2017</title></head>'
        f'<body class="print"><main class="bpu-report">{head}{body}</main></body></html>'
    )


def texts(data: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


def section(anchor: str, title: str, paragraphs: int) -> str:
    filler = "".join(
        f"<p>Paragraf {anchor} nomor {i}: isi yang cukup panjang untuk mengisi halaman.</p>"
        for i in range(paragraphs)
    )
    return f'<section class="bpu-prose"><h2 id="{anchor}">{title}</h2>{filler}</section>'


def test_the_contents_give_each_section_s_page_and_the_pages_their_header():
    toc = (
        '<div class="bpu-output"><nav class="bpu-toc"><h2 class="bpu-toc-title">Daftar isi</h2>'
        '<ol><li><a href="#satu">Bagian satu</a></li><li><a href="#dua">Bagian dua</a></li>'
        "</ol></nav></div>"
    )
    data = pdf.to_pdf(
        page(toc + section("satu", "Bagian satu", 70) + section("dua", "Bagian dua", 5)).replace(
            '<div class="bpu-watermark">DATA DEMO</div>', ""
        )
    )
    pages = texts(data)
    starts = {
        title: next(i + 1 for i, t in enumerate(pages) if f"{title} Paragraf {anchor} nomor 0" in t)
        for anchor, title in (("satu", "Bagian satu"), ("dua", "Bagian dua"))
    }
    assert starts["Bagian satu"] == 2  # the contents end the cover's page
    assert starts["Bagian dua"] > 2
    first = pages[0]
    for title, number in starts.items():
        assert re.search(rf"{title}[ .]*{number}\b", first), (title, number, first)
    total = len(pages)
    assert total >= 3
    for number, text in enumerate(pages, 1):
        assert f"Halaman {number} dari {total}" in text
        assert "TERBATAS" in text  # the classification line
        assert text.startswith("KC Contoh (CTH) Juli 2017") == (number > 1)


def test_text_from_the_data_is_never_markup():
    """Typst's markup characters, a function call and a label in a name from the data are
    printed as they are written."""
    tricky = [
        '#read("/etc/passwd")',
        "$x^2$",
        "*tebal* _miring_",
        "<label> @ref",
        "[kurung] // bukan komentar",
        "\\ garis = judul",
        '#{"eval"}',
    ]
    body = "".join(f"<p>{t.replace('<', '&lt;').replace('>', '&gt;')}</p>" for t in tricky)
    text = " ".join(texts(pdf.to_pdf(page(body))))
    for t in tricky:
        assert t in text, t
    assert "root:" not in text


def test_a_long_table_repeats_its_header_and_never_splits_a_row():
    rows = "".join(
        f'<tr><td class="txt">Baris {i} awal<br>Baris {i} akhir</td><td class="num">{i}</td></tr>'
        for i in range(120)
    )
    table = (
        '<div class="bpu-output"><div class="bpu-table-wrap long"><table class="bpu-table">'
        '<thead><tr><th class="txt">Kolom nama</th><th class="num">Nilai</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div></div>"
    )
    pages = texts(pdf.to_pdf(page(table, cover=False)))
    assert len(pages) >= 3
    for number, text in enumerate(pages, 1):
        assert "Kolom nama Nilai" in text, number  # the header on every page
    for i in range(120):
        where = [n for n, t in enumerate(pages) if f"Baris {i} awal" in t]
        assert where and all(f"Baris {i} akhir" in pages[n] for n in where), i


def test_an_output_without_a_form_in_the_layout_is_laid_out_apart_and_kept():
    """An analyst's styled HTML (inline styles, a ``<style>``, an unknown element) is laid
    out by WeasyPrint at the text width: its text is in the PDF, as text; in the archival
    PDF it is a picture (PDF/A embeds no PDF)."""
    styled = (
        '<div class="bpu-output"><style>.x { color: red }</style>'
        '<div class="x" style="border: 1px solid red">Keluaran bergaya 4.321</div>'
        "<details><summary>Ringkas</summary>Isi rinci</details></div>"
    )
    html = page(section("a", "Bagian", 1) + styled)
    read = typeset.read(html)
    assert read.foreign == 1 and any(p.endswith(".pdf") for p in read.files)
    text = " ".join(texts(pdf.to_pdf(html)))
    assert "Keluaran bergaya 4.321" in text and "Bagian" in text
    archive = pdf.write_archive(pdf.layout(html), {"figures.json": b"{}"})
    reader = PdfReader(io.BytesIO(archive))
    assert "Keluaran bergaya" not in " ".join(p.extract_text() for p in reader.pages)
    images = [img for p in reader.pages for img in p.images]
    assert images  # the output, as a picture


def test_a_png_chart_of_the_analyst_is_printed():
    fig = Figure(figsize=(4, 2))
    fig.add_subplot().plot([1, 2, 3], [3, 1, 2])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    html = page(
        f'<figure class="bpu-chart"><img alt="" src="data:image/png;base64,{encoded}"></figure>'
    )
    reader = PdfReader(io.BytesIO(pdf.to_pdf(html)))
    (image,) = [img for p in reader.pages for img in p.images]
    assert image.image.size == (320, 160)


def test_the_demo_watermark_is_on_every_page():
    html = page(section("a", "Bagian", 90))
    pages = texts(pdf.to_pdf(html))
    assert len(pages) >= 2 and all("DATADEMO" in t.replace(" ", "") for t in pages)
    plain = page(section("a", "Bagian", 2)).replace(
        '<div class="bpu-watermark">DATA DEMO</div>', ""
    )
    assert "DATADEMO" not in "".join(texts(pdf.to_pdf(plain))).replace(" ", "")


# 200 × 100 pt, the right half red, a label as text
CHART = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200pt" height="100pt" '
    'viewBox="0 0 200 100"><title>Uji</title>'
    '<rect x="0" y="0" width="200" height="100" fill="#ffffff"/>'
    '<rect x="100" y="0" width="100" height="100" fill="#ff0000"/>'
    '<text x="10" y="50" font-family="DejaVu Sans" font-size="12">Aktif 16.800</text></svg>'
)


def test_a_chart_is_drawn_as_vector_with_its_text_as_text():
    html = page(f'<figure class="bpu-chart">{CHART}</figure>', cover=False)
    reader = PdfReader(io.BytesIO(pdf.to_pdf(html)))
    assert "Aktif 16.800" in reader.pages[0].extract_text()
    assert not [img for p in reader.pages for img in p.images]  # drawn, not a picture


def test_a_drawing_typst_refuses_is_laid_out_apart_and_the_report_printed(caplog):
    """An ``<image>`` whose file does not exist stops Typst: that drawing alone is laid out
    by WeasyPrint (which skips the missing image), with a warning; the PDF and the archive
    are written."""
    broken = CHART.replace("</svg>", '<image href="missing.png" width="5" height="5"/></svg>')
    html = page(f'<figure class="bpu-chart">{broken}</figure><p>Sesudah grafik</p>')
    text = " ".join(texts(pdf.to_pdf(html)))
    assert "Aktif 16.800" in text and "Sesudah grafik" in text
    assert "laid out by WeasyPrint" in caplog.text
    archive = pdf.write_archive(pdf.layout(html), {"figures.json": b"{}"})
    assert "Sesudah grafik" in " ".join(texts(archive))


def test_an_svg_holding_another_svg_is_laid_out_apart():
    nested = CHART.replace("</svg>", '<svg x="0" y="0" width="5" height="5"></svg></svg>')
    read = typeset.read(page(f'<figure class="bpu-chart">{nested}</figure>'))
    assert read.svgs == {} and read.foreign == 1
    assert "Aktif 16.800" in " ".join(texts(pdf.to_pdf(page(f"<figure>{nested}</figure>"))))


def test_a_dataframe_wider_than_the_page_wraps_in_its_columns():
    """25 columns of large numbers (an analyst's wide DataFrame): every cell's text stays
    inside the text width and no two words overlap; each number is still all there."""
    frame = pd.DataFrame(
        np.arange(5 * 25).reshape(5, 25) * 1234567.0,
        columns=[f"kolom_nomor_{i}" for i in range(25)],
    )
    data = pdf.to_pdf(page(f'<div class="bpu-output">{frame.to_html()}</div>', cover=False))
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    words = [
        (float(x0), float(y0), float(x1), w)
        for x0, y0, x1, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)</word>',
            boxes,
        )
    ]
    right = (210 - 17) * 72 / 25.4
    assert words and max(x1 for _, _, x1, _ in words) <= right + 0.5
    lines: dict[float, list[tuple[float, float]]] = {}
    for x0, y0, x1, _ in words:
        lines.setdefault(round(y0, 1), []).append((x0, x1))
    for spans in lines.values():
        spans.sort()
        assert all(b[0] >= a[1] - 0.5 for a, b in pairwise(spans))
    flat = "".join(texts(data)).replace(" ", "")
    assert "153086308.0" in flat  # 124 × 1234567, wrapped but whole


def test_the_same_report_gives_the_same_pdf_bytes():
    """No date and no random identifier in the A4 PDF: typeset again a second later, the
    same report is the same file (the manifest and the delivery ledger compare sha256)."""
    html = page(section("a", "Bagian", 3))
    first = pdf.to_pdf(html)
    time.sleep(1.1)
    assert pdf.to_pdf(html) == first
    assert b"/CreationDate" not in first


def test_printing_writes_no_file(monkeypatch):
    """A PNG and an output laid out apart reach Typst as bytes: printing (the PDF and the
    archive) makes no file, not even a temporary one. (WeasyPrint is imported first: its
    import asks ``ctypes.util.find_library``, which runs the C compiler on a temporary
    file, once per process.)"""
    import tempfile

    import weasyprint

    del weasyprint
    made: list[str] = []
    for name in ("mkdtemp", "mkstemp", "NamedTemporaryFile", "TemporaryFile"):
        real = getattr(tempfile, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            made.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(tempfile, name, spy)
    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot([1, 2], [2, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    html = page(
        f'<figure class="bpu-chart"><img alt="" src="data:image/png;base64,{encoded}"></figure>'
        '<div class="bpu-output"><div style="color: red">Keluaran bergaya</div></div>'
    )
    assert "Keluaran bergaya" in " ".join(texts(pdf.to_pdf(html)))
    assert pdf.write_archive(pdf.layout(html), {"figures.json": b"{}"})
    assert made == []
