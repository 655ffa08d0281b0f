"""Batch kernels behave exactly like ordinary kernels: the analyst notebooks of
``tests/fixtures/analyst`` run once in a plain ipykernel (papermill with jupyter_client's own
kernel manager) and once through ``run.single.execute`` with the fork server on, and their
outputs are compared mimetype by mimetype. Then end to end: a seaborn chart added to the
branch report reaches the executed notebook, the HTML and the PDF."""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import papermill
import pytest
from jupyter_client.kernelspec import NATIVE_KERNEL_NAME
from papermill.exceptions import PapermillExecutionError
from pypdf import PdfReader

from bpu_reports.cli import main
from bpu_reports.run import kernels, single

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
ANALYST = ROOT / "tests" / "fixtures" / "analyst"
NOTEBOOKS = sorted(p.stem for p in ANALYST.glob("*.ipynb") if p.stem != "kernel_state")
EXTRA = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]

ADDRESS = re.compile(r"0x[0-9a-f]+")
CELL_FILE = re.compile(r"ipykernel_\d+/\d+\.py")  # a cell's file name has the kernel's pid
STYLER_ID = re.compile(r"T_[0-9a-f]{5}")  # pandas Styler: a random table id per display


@pytest.fixture(autouse=True)
def fork_kernels(monkeypatch):
    monkeypatch.setenv("BPU_REPORTS_FORK_KERNELS", "1")


def plain(notebook: Path, out: Path) -> nbformat.NotebookNode:
    """An ordinary kernel: papermill and jupyter_client's default kernel manager."""
    try:
        return papermill.execute_notebook(
            str(notebook),
            str(out),
            kernel_name=NATIVE_KERNEL_NAME,
            progress_bar=False,
            cwd=str(notebook.parent),
            extra_arguments=EXTRA,
        )
    except PapermillExecutionError:  # an expected error (raises-exception) still raises here
        return nbformat.read(out, as_version=4)


def forked(notebook: Path, out: Path) -> nbformat.NotebookNode:
    """The batch's kernel: the same call the batch makes."""
    nb = single.execute(notebook, {}, out)
    assert kernels._server is not None and kernels._server.alive()  # it was forked
    return nb


def normal(text: Any) -> str:
    text = "".join(text) if isinstance(text, list) else str(text)
    return STYLER_ID.sub("T_id", CELL_FILE.sub("CELL", ADDRESS.sub("0x", text)))


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    tag = single.ERROR_MARKER
    return [c for c in nb.cells if c.cell_type == "code" and tag not in c.metadata.get("tags", [])]


def assert_same_outputs(a: nbformat.NotebookNode, b: nbformat.NotebookNode) -> None:
    cells_a, cells_b = code_cells(a), code_cells(b)
    assert len(cells_a) == len(cells_b)
    for i, (ca, cb) in enumerate(zip(cells_a, cells_b, strict=True)):
        kinds_a = [(o.output_type, o.get("name")) for o in ca.outputs]
        kinds_b = [(o.output_type, o.get("name")) for o in cb.outputs]
        assert kinds_a == kinds_b, f"cell {i}: output types differ"
        for oa, ob in zip(ca.outputs, cb.outputs, strict=True):
            if oa.output_type == "stream":
                assert normal(oa.text) == normal(ob.text), f"cell {i}: {oa.name} differs"
            elif oa.output_type == "error":
                assert (oa.ename, oa.evalue) == (ob.ename, ob.evalue)
                assert [normal(t) for t in oa.traceback] == [normal(t) for t in ob.traceback]
            else:
                assert sorted(oa.data) == sorted(ob.data), f"cell {i}: mimetypes differ"
                for mime in oa.data:
                    if mime.startswith("image/"):
                        size_a = len(base64.b64decode(oa.data[mime]))
                        size_b = len(base64.b64decode(ob.data[mime]))
                        assert size_a > 1000 and abs(size_a - size_b) <= 0.05 * size_a
                    else:
                        assert normal(oa.data[mime]) == normal(ob.data[mime]), f"cell {i}: {mime}"


def mimetypes(nb: nbformat.NotebookNode) -> list[set[str]]:
    return [
        {
            f"{o.output_type}:{o.get('name') or ','.join(sorted(o.get('data', {})))}"
            for o in c.outputs
        }
        for c in code_cells(nb)
    ]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_forked_kernel_outputs_equal_a_plain_kernel(name, tmp_path):
    notebook = ANALYST / f"{name}.ipynb"
    a = plain(notebook, tmp_path / "plain.ipynb")
    b = forked(notebook, tmp_path / "forked.ipynb")
    assert_same_outputs(a, b)
    # and what each notebook must show at all (a test of the fixtures, and of both kernels)
    expected = {
        "seaborn_implicit": [
            set(),
            {"execute_result:text/plain", "display_data:image/png,text/plain"},
        ],
        "pyplot_show": [set(), {"display_data:image/png,text/plain"}],
        "display_fig": [set(), {"display_data:image/png,text/plain"}],
        "dataframe": [set(), {"execute_result:text/html,text/plain"}],
        "styler": [set(), {"execute_result:text/html,text/plain"}],
        "rich_display": [
            set(),
            {"display_data:text/html,text/plain"},
            {"display_data:text/markdown,text/plain"},
        ],
        "print_warning": [set(), {"stream:stdout", "stream:stderr"}],
        "error_allowed": [set(), {"error:"}, {"stream:stdout"}],
    }[name]
    assert mimetypes(b) == expected


def test_forked_kernel_starts_in_the_state_of_a_plain_kernel(tmp_path):
    """Everything the preload could have left behind, printed by the kernel itself: matplotlib
    backend and rc settings, argv, path, cwd, environment, warnings filters, IPython hooks,
    stdin, session, signal handlers and the set of loaded modules (after the same imports)."""
    notebook = ANALYST / "kernel_state.ipynb"
    a = plain(notebook, tmp_path / "plain.ipynb")
    b = forked(notebook, tmp_path / "forked.ipynb")
    for cell_a, cell_b in zip(code_cells(a), code_cells(b), strict=True):
        state_a = json.loads(normal(cell_a.outputs[0].text))
        state_b = json.loads(normal(cell_b.outputs[0].text))
        for key in state_a:
            assert state_a[key] == state_b[key], key
    after_import, after_plot = (json.loads(c.outputs[0].text) for c in code_cells(b))
    assert after_import["backend"] == "module://matplotlib_inline.backend_inline"
    assert "flush_figures" in after_plot["post_execute"]


def test_no_state_of_one_report_reaches_the_next(tmp_path):
    """Two reports in turn in this process (one worker, one fork server): the first sets a
    global, a module attribute, an rc setting and an environment variable; the second sees
    none of them. numpy's global generator is seeded anew in each kernel."""
    notebook = tmp_path / "leak.ipynb"
    source = (
        "import json, os\nimport matplotlib as mpl\nimport numpy as np\n"
        "seen = ['leak' in globals(), hasattr(json, 'leak'), mpl.rcParams['lines.linewidth'],"
        " os.environ.get('BPU_LEAK')]\n"
        "leak = 1\njson.leak = 1\nmpl.rcParams['lines.linewidth'] = 9.0\n"
        "os.environ['BPU_LEAK'] = '1'\nprint(json.dumps([seen, np.random.rand()]))"
    )
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]), notebook)
    runs = [
        json.loads(single.execute(notebook, {}, tmp_path / f"{i}.ipynb").cells[0].outputs[0].text)
        for i in range(2)
    ]
    assert [seen for seen, _ in runs] == [[False, False, 1.5, None]] * 2
    assert runs[0][1] != runs[1][1]


def test_a_seaborn_chart_added_to_the_branch_report_is_published(bali_db, tmp_path):
    notebook = tmp_path / "nb" / "branch_monthly.ipynb"
    notebook.parent.mkdir()
    shutil.copy(ROOT / "notebooks" / "branch_monthly.ipynb", notebook)
    nb = nbformat.read(notebook, as_version=4)
    chart = nbformat.v4.new_code_cell(
        "import seaborn as sns\n\n"
        "ax = sns.barplot(x=['Mei', 'Jun', 'Jul'], y=[310, 280, 345])\n"
        "ax.set_ylabel('')",
        metadata={"tags": ["analyst-chart"]},
    )
    nb.cells.insert(6, chart)
    nbformat.write(nb, notebook)
    out = tmp_path / "out"
    code = main(
        [
            *("--db", str(bali_db), "--out", str(out), "run", str(notebook)),
            *("--branch", "DPS", "--period", "2017-07"),
        ]
    )
    assert code == 0
    folder = out / "2017-07" / "DPS"
    executed = nbformat.read(folder / "branch_monthly.ipynb", as_version=4)
    (cell,) = [c for c in executed.cells if "analyst-chart" in c.metadata.get("tags", [])]
    images = [o.data["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1
    html = (folder / "branch_monthly.html").read_text(encoding="utf-8")
    assert images[0].strip()[:200] in html.replace("\n", "")
    assert re.search(r'<img [^>]*src="data:image/png;base64,', html)
    png = base64.b64decode(images[0])
    size = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # IHDR
    assert drawn_images(folder / "branch_monthly.pdf") == [size]


def drawn_images(path: Path) -> list[tuple[int, int]]:
    """Pixel sizes of the raster images drawn on the PDF's pages (``Do`` in a page's content;
    the report's own charts are vector SVG, so only the analyst's PNG chart is one)."""
    sizes = []
    for page in PdfReader(path).pages:
        content = page.get_contents()
        drawn = content.get_data() if content is not None else b""
        for image in page.images:
            name = image.name.rsplit(".", 1)[0]
            if f"/{name} Do".encode() in drawn:
                sizes.append(image.image.size)
    return sizes
