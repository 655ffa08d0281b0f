"""Charts drawn by Typst and stamped onto WeasyPrint's pages (``render.drawings``): the SVGs
set aside and their places kept, each drawing at the rectangle its emptied ``<svg>`` took
(read back as pixels of the page picture), its text kept as text (pypdf), the PDF/A archive
of the same layout, and WeasyPrint drawing what Typst refuses."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from pypdf import PdfReader

from bpu_reports.render import drawings, pdf

# 200 × 100 pt: the left half white, the right half red, a label as text in the left half
CHART = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200pt" height="100pt" '
    'viewBox="0 0 200 100"><title>Uji</title>'
    '<rect x="0" y="0" width="200" height="100" fill="#ffffff"/>'
    '<rect x="100" y="0" width="100" height="100" fill="#ff0000"/>'
    '<text x="10" y="50" font-family="DejaVu Sans" font-size="12">Aktif 16.800</text></svg>'
)
# A4 at 72 dpi: 1 pt = 1 pixel. The chart's box starts 100 pt from the left and the top.
PAGE = (
    "<html><head><style>@page { size: A4; margin: 0 }"
    " body { margin: 0 } figure { margin: 0; position: absolute; left: 100pt; top: 100pt }"
    "</style></head><body><p>Halaman</p><figure>{chart}</figure></body></html>"
)


def picture(data: bytes, tmp_path: Path) -> Image.Image:
    """Page 1 at 72 dpi (pdftoppm, poppler)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    source = tmp_path / "page.pdf"
    source.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", str(source), str(tmp_path / "p")],
        check=True,
    )
    return Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")


def test_set_aside_empties_each_svg_in_place_and_keeps_its_start_tag():
    html = f'<p>a</p>{CHART}<p>b</p><svg width="1pt" height="1pt" id="old"><g/></svg>'
    emptied, svgs = drawings.set_aside(html)
    assert svgs == [CHART, '<svg width="1pt" height="1pt" id="old"><g/></svg>']
    assert emptied.count("</svg>") == 2 and "<rect" not in emptied and "<title>" not in emptied
    assert f'viewBox="0 0 200 100" id="{drawings.SLOT}0"></svg>' in emptied
    # the old id gives way: one id per element
    assert f'<svg width="1pt" height="1pt" id="{drawings.SLOT}1"></svg>' in emptied
    assert emptied.startswith("<p>a</p>") and "<p>b</p>" in emptied


def test_an_svg_holding_another_svg_is_left_to_weasyprint():
    nested = '<svg width="10pt" height="10pt"><svg width="5pt" height="5pt"></svg></svg>'
    emptied, svgs = drawings.set_aside(f"<p>{nested}</p>")
    assert svgs == [] and emptied == f"<p>{nested}</p>"


def test_typst_draws_a_page_per_svg_at_the_svg_s_own_size():
    drawn = drawings.draw([CHART, CHART.replace('width="200pt"', 'width="100pt"')])
    assert drawn is not None
    with pikepdf.open(io.BytesIO(drawn)) as document:
        sizes = [[round(float(v), 1) for v in page.mediabox] for page in document.pages]
    assert sizes == [[0, 0, 200, 100], [0, 0, 100, 100]]
    assert "Aktif 16.800" in PdfReader(io.BytesIO(drawn)).pages[0].extract_text()


def test_the_chart_lands_where_the_layout_put_it_and_its_text_stays_text(tmp_path):
    laid_out = pdf.layout(PAGE.replace("{chart}", CHART))
    assert laid_out.drawn is not None  # drawn by Typst, not by WeasyPrint
    (slot,) = laid_out.slots
    # WeasyPrint's rectangle in CSS pixels (1 pt = 4/3 px): 100 pt in, 200 × 100 pt
    assert slot.page == 0
    assert [round(v, 1) for v in slot.rect] == [133.3, 133.3, 400.0, 266.7]
    data = pdf.write(laid_out)
    page = picture(data, tmp_path)
    assert page.getpixel((250, 150)) == (255, 0, 0)  # the right half: red
    assert page.getpixel((120, 110)) == (255, 255, 255)  # the left half: white
    assert page.getpixel((310, 150)) == (255, 255, 255)  # beyond the chart: the page
    assert page.getpixel((250, 210)) == (255, 255, 255)  # below it: the page
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Halaman" in text and "Aktif 16.800" in text


def test_the_archive_of_the_same_layout_carries_the_drawing_too(tmp_path):
    laid_out = pdf.layout(PAGE.replace("{chart}", CHART))
    data = pdf.write_archive(laid_out, {"figures.json": b"{}"})
    reader = PdfReader(io.BytesIO(data))
    assert list(reader.attachments) == ["figures.json"]
    assert "Aktif 16.800" in reader.pages[0].extract_text()
    assert picture(data, tmp_path).getpixel((250, 150)) == (255, 0, 0)


def test_an_svg_typst_refuses_is_drawn_by_weasyprint(tmp_path, caplog):
    # an <image> whose file does not exist: Typst stops, WeasyPrint skips the image
    broken = CHART.replace("</svg>", '<image href="missing.png" width="5" height="5"/></svg>')
    assert drawings.draw([broken]) is None
    assert "charts drawn by WeasyPrint instead" in caplog.text
    laid_out = pdf.layout(PAGE.replace("{chart}", broken))
    assert laid_out.drawn is None and laid_out.slots == []
    page = picture(pdf.write(laid_out), tmp_path)
    assert page.getpixel((250, 150)) == (255, 0, 0)  # WeasyPrint drew the chart itself
