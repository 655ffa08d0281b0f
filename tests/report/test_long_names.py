"""Layout with real names: an 80-character branch name with spaces and a 500-character one
without any, in a region whose name is long too, through the region and branch reports
end to end (CLI ``run`` → PDF, read back with pypdf), and in the portal."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import weasyprint
from pypdf import PageObject, PdfReader
from pypdf.generic import TextStringObject

from bpu_reports.cli import main
from bpu_reports.data import store
from bpu_reports.metrics import compute, resolve, unit
from bpu_reports.period import Period
from bpu_reports.render.portal import render_portal
from bpu_reports.report import formats as f
from bpu_reports.report.cover import RUNNING_NAME, running_name
from factories import build_warehouse, event, member, payment
from pdf_matrix import IDENTITY, Matrix, operations, times

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
BRANCH_NB = str(ROOT / "notebooks" / "branch_monthly.ipynb")
REGION_NB = str(ROOT / "notebooks" / "region_monthly.ipynb")
PERIOD = "2017-07"

NAME_80 = "Kantor Cabang Perintis Kabupaten Kepulauan Sangihe dan Talaud Wilayah Utara Sulawesi"[
    :80
]
NAME_500 = ("KantorCabangPerintisSangiheTalaud" * 16)[:500]
REGION_NAME = ("KantorWilayahSulawesiUtaraGorontaloMalukuUtara" * 6)[:260]
BRANCHES = {  # code: (name, members)
    "MDO": ("KC Manado", 1_240),
    "SGH": (NAME_80, 730),
    "TLD": (NAME_500, 415),
}
SEGMENTS = ("ojek_online", "pedagang_pasar", "petani", "nelayan")
CHANNELS = ("kantor", "sosialisasi", "wadah", "online")


def _month(start: dt.date, months: int) -> dt.date:
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def long_name_tables() -> dict[str, list[dict]]:
    """Three branches of region SULUT: members registered over the 12 months to July 2017,
    each with one payment at registration for 1…12 months (so some are active, some in
    arrears, some lapsed), and an outreach event each."""
    members, pays, events = [], [], []
    pid = 0
    for b, (code, (_, count)) in enumerate(BRANCHES.items()):
        events.append(event(b + 1, code, "2017-07-01", 120, "Sosialisasi pasar"))
        for j in range(count):
            pid += 1
            registered = _month(dt.date(2016, 8, 1), j % 12) + dt.timedelta(days=j % 20)
            members.append(
                member(
                    pid,
                    code,
                    registered.isoformat(),
                    segment=SEGMENTS[j % len(SEGMENTS)],
                    channel=CHANNELS[j % len(CHANNELS)],
                    event=b + 1 if registered.month == 7 and j % 3 == 0 else None,
                )
            )
            first = registered.replace(day=1)
            pays.append(payment(pid, pid, registered.isoformat(), first.isoformat(), 1 + j % 12))
    return {
        "regions": [{"region_code": "SULUT", "region_name": REGION_NAME}],
        "branches": [
            {
                "branch_code": code,
                "branch_name": name,
                "region_code": "SULUT",
                "office_type": "KC" if code == "MDO" else "KCP",
            }
            for code, (name, _) in BRANCHES.items()
        ],
        "outreach_events": events,
        "participants": members,
        "contributions": pays,
        "targets": [
            {"branch_code": code, "year": 2017, "target_registered": count + 200}
            for code, (_, count) in BRANCHES.items()
        ],
    }


@pytest.fixture(scope="module")
def long_db(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("long") / "long.duckdb", long_name_tables())


@pytest.fixture(scope="module")
def reports(long_db, tmp_path_factory):
    """The region report and the reports of the two long-named branches, through the CLI."""
    out = tmp_path_factory.mktemp("reports")
    runs = {
        "SULUT": [REGION_NB, "--region", "SULUT"],
        "TLD": [BRANCH_NB, "--branch", "TLD"],
        "SGH": [BRANCH_NB, "--branch", "SGH"],
    }
    for code, args in runs.items():
        nb, *scope = args
        command = ["run", nb, "--period", PERIOD, *scope, "--db", str(long_db), "--out", str(out)]
        assert main(command) == 0, code
    name = {"SULUT": "region_monthly"}
    return {code: out / PERIOD / code / f"{name.get(code, 'branch_monthly')}.pdf" for code in runs}


@pytest.fixture(scope="module")
def ranking(long_db):
    """Each branch's row of the region's ranking table as the report formats it."""
    con = store.connect(long_db)
    try:
        region = unit(
            compute(con, Period.parse(PERIOD), resolve(con, region="SULUT")), "region", "SULUT"
        )
    finally:
        con.close()
    frame = region.branches.sort_values("rank_active")
    return {
        row.branch_code: (
            f.number(row.registered),
            f.number(row.active),
            f.percent(row.on_time_rate),
            f.signed(row.net_change),
            f.percent(row.target_progress),
        )
        for row in frame.itertuples()
    }


# -- where pypdf finds the text ----------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One text-showing operation of a page: its text, where it starts and ends (x) and its
    baseline (y), in points from the page's lower left corner."""

    text: str
    x0: float
    x1: float
    y: float


def _to_unicode(font) -> dict[int, str]:
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    chars: dict[int, str] = {}

    def text(hexa: str) -> str:
        return bytes.fromhex(hexa).decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            chars[int(src, 16)] = text(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, dst in re.findall(r"<(\w+)>\s*<(\w+)>\s*<(\w+)>", block):
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                chars[code] = chr(int(dst, 16) + i)
    return chars


def _widths(font) -> tuple[dict[int, float], float]:
    cid = font["/DescendantFonts"][0].get_object()
    widths: dict[int, float] = {}
    w = list(cid.get("/W", []))
    i = 0
    while i < len(w):
        first, nxt = int(w[i]), w[i + 1]
        if isinstance(nxt, list):
            widths.update({first + k: float(v) for k, v in enumerate(nxt)})
            i += 2
        else:
            widths.update({c: float(w[i + 2]) for c in range(first, int(nxt) + 1)})
            i += 3
    return widths, float(cid.get("/DW", 1000))


def _point(x: float, m: Matrix) -> tuple[float, float]:
    return x * m[0] + m[4], x * m[1] + m[5]


def runs(page: PageObject) -> list[Run]:
    """Every text run of ``page`` with its extent, charts' text in form XObjects included: the
    run starts at the text matrix × the transformation matrix, and ends its glyphs' advance
    widths (from the PDF's own fonts, less the TJ adjustments) further. (pypdf's
    ``extract_text(visitor_text=…)`` joins the runs of a line into one and places a form's
    text in the form's own space, so the content streams are read here operator by operator;
    the PDF has Type0 fonts and places runs with ``Tm`` or ``Td``.)"""
    reader = page.pdf
    found: list[Run] = []
    fonts: dict[int, tuple[dict[int, str], dict[int, float], float]] = {}

    def font_of(ref: object) -> tuple[dict[int, str], dict[int, float], float]:
        font = ref.get_object()  # type: ignore[attr-defined]
        if id(font) not in fonts:
            fonts[id(font)] = (_to_unicode(font), *_widths(font))
        return fonts[id(font)]

    def walk(content: object, resources: dict, ctm: Matrix) -> None:
        tm, font, size = IDENTITY, None, 0.0
        for args, op, ctm in operations(content, reader, ctm):  # noqa: B020
            if op == b"BT":
                tm = IDENTITY
            elif op == b"Tm":
                tm = tuple(float(v) for v in args)  # type: ignore[assignment]
            elif op == b"Td":
                tm = times((1.0, 0.0, 0.0, 1.0, float(args[0]), float(args[1])), tm)
            elif op == b"Tf":
                font, size = font_of(resources["/Font"][args[0]]), float(args[1])
            elif op in (b"TJ", b"Tj"):
                assert font is not None
                chars, widths, default = font
                advance, visible, text = 0.0, 0.0, []
                for part in args[0] if op == b"TJ" else [args[0]]:
                    if isinstance(part, TextStringObject):  # pypdf's guess: text
                        part = part.original_bytes
                    if isinstance(part, bytes):
                        for k in range(0, len(part), 2):
                            gid = int.from_bytes(part[k : k + 2], "big")
                            text.append(chars.get(gid, ""))
                            advance += widths.get(gid, default) / 1000 * size
                            if chars.get(gid, "").strip():
                                visible = advance  # a line's last space shows nothing
                    else:
                        advance -= float(part) / 1000 * size
                where = times(tm, ctm)
                (x0, y), (x1, _) = _point(0.0, where), _point(visible, where)
                found.append(Run("".join(text), min(x0, x1), max(x0, x1), y))
                tm = times((1.0, 0.0, 0.0, 1.0, advance, 0.0), tm)
            elif op == b"Do":
                xobject = resources["/XObject"][args[0]].get_object()
                if xobject.get("/Subtype") == "/Form":
                    matrix = tuple(float(v) for v in xobject.get("/Matrix", IDENTITY))
                    inner = xobject.get("/Resources", resources)
                    walk(xobject, inner, times(matrix, ctm))  # type: ignore[arg-type]

    walk(page.get_contents(), page["/Resources"], IDENTITY)
    return found


MM = 72 / 25.4
SIDE_MARGIN = 17 * MM  # report.typ: page margins 20 mm, 17 mm, 18 mm, 17 mm
TOP_MARGIN = 20 * MM


def assert_inside(path: Path) -> list[list[Run]]:
    """Every text run of every page lies inside the page, and across the page no further than
    the text width (the margin boxes of the running header and footer included)."""
    pages = []
    for number, page in enumerate(PdfReader(path).pages, 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        found = runs(page)
        assert found, f"{path.name} page {number} has no text"
        for run in found:
            where = f"{path.name} page {number}: {run}"
            assert 0 <= run.x0 <= run.x1 <= width and 0 <= run.y <= height, where
            assert SIDE_MARGIN - 0.5 <= run.x0 <= run.x1 <= width - SIDE_MARGIN + 0.5, where
        pages.append(found)
    return pages


def header(found: list[Run], height: float) -> list[Run]:
    return [r for r in found if r.y > height - TOP_MARGIN and r.text.strip()]


def column_lines(found: list[Run], text: str) -> list[Run]:
    """The lines ``text`` is wrapped into: the runs that start where its first line starts
    (one column) and, in the order they are drawn, spell it out (white space aside)."""
    text = flat(text)
    found = joined(found)
    longest = ""
    for start, first in enumerate(found):
        if not first.text.strip() or not text.startswith(flat(first.text)):
            continue
        spelt, lines = "", []
        for run in found[start:]:
            piece = flat(run.text)
            if abs(run.x0 - first.x0) < 0.5 and piece and text.startswith(spelt + piece):
                spelt, lines = spelt + piece, [*lines, run]
            if spelt == text:
                return lines
        longest = max(longest, spelt, key=len)
    raise AssertionError(f"only {longest!r} of {text!r} is shown")


def joined(found: list[Run]) -> list[Run]:
    """Runs drawn one after the other on one baseline, each starting where the last ended,
    as one run (a word broken between any two letters is drawn a letter at a time)."""
    out: list[Run] = []
    for run in found:
        last = out[-1] if out else None
        if last and abs(run.y - last.y) < 0.1 and -0.5 < run.x0 - last.x1 < 0.5:
            out[-1] = Run(last.text + run.text, last.x0, run.x1, last.y)
        else:
            out.append(run)
    return out


def flat(text: str) -> str:
    return "".join(text.split())


# -- the reports ---------------------------------------------------------------------------------


def test_the_names_are_as_long_as_meant():
    assert len(NAME_80) == 80 and " " in NAME_80
    assert len(NAME_500) == 500 and " " not in NAME_500
    assert len(REGION_NAME) > 200 and " " not in REGION_NAME


def test_region_ranking_keeps_every_number_column_on_the_page(reports, ranking):
    """The ranking table of a region whose branches are named with 80 characters (spaces)
    and 500 (none): each branch's row of numbers is on its page, inside the text width,
    right-aligned in its column, the rows in rank order; the names wrap in their column."""
    path = reports["SULUT"]
    pages = assert_inside(path)
    reader = PdfReader(path)
    where = [
        i
        for i, page in enumerate(reader.pages)
        if all(flat(v[0]) in flat(page.extract_text()) for v in ranking.values())
    ]
    assert len(where) == 1, "the ranking table is on one page"
    found = pages[where[0]]
    rows = {}
    for code, values in ranking.items():
        ys = {round(r.y, 1) for r in found if r.text == values[0]}
        row = [
            y
            for y in ys
            if all(any(r.text == v and abs(r.y - y) < 0.5 for r in found) for v in values)
        ]
        assert len(row) == 1, (code, values)
        rows[code] = [
            next(r for r in found if r.text == v and abs(r.y - row[0]) < 0.5) for v in values
        ]
    assert [code for code, _ in sorted(rows.items(), key=lambda kv: -kv[1][0].y)] == list(ranking)
    right = float(reader.pages[where[0]].mediabox.width) - SIDE_MARGIN
    for column in range(5):  # registered, active, on-time rate, net change, target progress
        ends = [cells[column].x1 for cells in rows.values()]
        assert max(ends) - min(ends) < 0.5, f"column {column} is not right-aligned: {ends}"
        assert max(ends) <= right + 0.5
    # the names (with their codes) wrap in their column, left of the first number column;
    # only the ranking's runs: the page may also hold the largest changes, above it
    first = min(r.x0 for cells in rows.values() for r in cells)
    top = max(cells[0].y for cells in rows.values()) + 0.5
    found = [r for r in found if r.y <= top]
    lines = column_lines(found, f"{NAME_500} (TLD)")
    assert len(lines) > 3 and all(r.x1 < first for r in lines)
    lines = column_lines(found, f"{NAME_80} (SGH)")
    assert len(lines) >= 2 and all(r.x1 < first for r in lines)
    assert lines[0].y == pytest.approx(rows["SGH"][0].y)  # on the first line of its row
    # an ordinary name keeps to one line, beside its numbers
    assert any(r.text == "KC Manado (MDO)" and abs(r.y - rows["MDO"][0].y) < 0.5 for r in found)


def _header_and_cover(path: Path, running: str, full: str) -> None:
    reader = PdfReader(path)
    cover = reader.pages[0].extract_text()
    assert flat(full) in flat(cover), "the cover shows the name whole"
    height = float(reader.pages[0].mediabox.height)
    assert header(runs(reader.pages[0]), height) == []  # no running header on the cover
    for number, page in enumerate(reader.pages[1:], 2):
        top = header(runs(page), height)
        texts = [r.text for r in sorted(top, key=lambda r: r.x0)]
        assert texts == [running, "Juli 2017"], f"page {number}: {texts}"
        office, period = sorted(top, key=lambda r: r.x0)
        assert office.x1 < period.x0, "the header's two parts do not overlap"


def test_running_header_cuts_a_500_character_name_and_the_cover_keeps_it(reports):
    running = running_name(NAME_500) + " (TLD)"
    assert running == NAME_500[: RUNNING_NAME - 1] + "… (TLD)"
    _header_and_cover(reports["TLD"], running, NAME_500 + " (TLD)")
    assert_inside(reports["TLD"])


def test_running_header_cuts_an_80_character_name_at_a_word(reports):
    running = running_name(NAME_80) + " (SGH)"
    assert running == "Kantor Cabang Perintis Kabupaten Kepulauan Sangihe dan… (SGH)"
    _header_and_cover(reports["SGH"], running, NAME_80)
    assert_inside(reports["SGH"])


def test_region_cover_and_header_with_a_long_region_name(reports):
    running = running_name(REGION_NAME)
    assert running.endswith("…") and len(running) == RUNNING_NAME
    _header_and_cover(reports["SULUT"], running, REGION_NAME)
    # the branch reports' covers name the region whole too, wrapped in their column
    for code in ("TLD", "SGH"):
        cover = PdfReader(reports[code]).pages[0].extract_text()
        assert flat(REGION_NAME + " (SULUT)") in flat(cover)


def test_ordinary_names_are_not_cut():
    assert running_name("KC Bali Denpasar") == "KC Bali Denpasar"
    assert running_name("x" * RUNNING_NAME) == "x" * RUNNING_NAME
    assert running_name("KC  Bali\nDenpasar") == "KC Bali Denpasar"


# -- the portal ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """The portal of one month whose region and branches have the long names."""
    out = tmp_path_factory.mktemp("portal")
    (out / PERIOD).mkdir()
    kpis = {"registered": 2385, "active": 1187, "on_time_rate": 0.968, "target_progress": 0.799}
    entries = [
        {"kind": "region", "code": "SULUT", "name": REGION_NAME},
        *({"kind": "branch", "code": code, "name": name} for code, (name, _) in BRANCHES.items()),
    ]
    reports = [
        {
            **e,
            "region_code": "SULUT",
            "key": f"{e['code']}/monthly",
            "status": "ok",
            "kpis": kpis,
            "outputs": {"html": f"{e['code']}/monthly.html", "pdf": f"{e['code']}/monthly.pdf"},
        }
        for e in entries
    ]
    (out / PERIOD / "manifest.json").write_text(json.dumps({"reports": reports}))
    page = render_portal(out)
    (out / "index.html").write_text(page)
    return out / "index.html"


def test_portal_wraps_long_names_in_their_column(portal, tmp_path):
    page = portal.read_text()
    assert f'<td class="office">{NAME_500} (TLD)</td>' in page
    assert re.search(r"td\.office[^{]*\{[^}]*overflow-wrap: anywhere", page)
    # laid out by WeasyPrint on A4: every text run inside the page, numbers included
    pdf = tmp_path / "portal.pdf"
    weasyprint.HTML(string=page).write_pdf(pdf)
    reader = PdfReader(pdf)
    found = []
    for p in reader.pages:
        width, height = float(p.mediabox.width), float(p.mediabox.height)
        for run in runs(p):
            assert 0 <= run.x0 <= run.x1 <= width and 0 <= run.y <= height, run
            found.append(run)
    assert len(column_lines(found, f"{NAME_500} (TLD)")) > 3
    texts = [r.text for r in found]
    assert texts.count("2.385") == 4 and texts.count("96,8%") == 4


def test_portal_in_chromium_does_not_widen_the_page(portal, tmp_path):
    """Chromium at 800 px: the page does not scroll sideways and no table needs its own
    scroll bar (a copy of the portal with a script that measures; the portal has none)."""
    chromium = shutil.which("chromium")
    assert chromium, "chromium is needed: `make test` installs it (scripts/system-deps.sh)"
    probe = tmp_path / "probe.html"
    measure = (
        "<script>document.body.dataset.widths = [document.documentElement.scrollWidth, "
        "innerWidth, ...[...document.querySelectorAll('.wrap')].map(w => w.scrollWidth - "
        "w.clientWidth)].join(',');</script>"
    )
    probe.write_text(portal.read_text().replace("</body>", measure + "</body>"))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    dom = subprocess.run(
        [
            chromium,
            *flags,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=800,900",
            "--dump-dom",
            probe.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    found = re.search(r'data-widths="([^"]+)"', dom)
    assert found, dom[-500:]
    scroll, inner, *excess = (int(v) for v in found.group(1).split(","))
    assert scroll <= inner and excess and all(v <= 0 for v in excess)
