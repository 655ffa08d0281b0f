"""One report: execute a notebook with papermill in a clean kernel, render the executed
notebook to its formats (HTML, PDF, archival PDF/A-3b, Excel), publish the files atomically
(SPEC §4 layout)."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import papermill
from nbformat.sign import NotebookNotary
from papermill.exceptions import PapermillExecutionError
from papermill.translators import papermill_translators

from bpu_reports import publish
from bpu_reports.errors import BpuReportsError, Interrupted
from bpu_reports.report.mimetypes import KPIS as KPI_MIMETYPE
from bpu_reports.report.mimetypes import TABLE as TABLE_MIMETYPE
from bpu_reports.run import stop
from bpu_reports.run.kernels import ForkKernelManager

FILES = {"ipynb": "ipynb", "html": "html", "pdf": "pdf", "pdfa": "archive.pdf", "xlsx": "xlsx"}
"""What each format's file is called after the report's stem (``branch_monthly.archive.pdf``);
the manifest keys its outputs by format."""
FORMATS = ("html", "pdf", "pdfa", "xlsx")
"""The formats a report can be written in (``run --format``, a run spec's ``formats``)."""
DEFAULT_FORMATS = ("html", "pdf")
FIGURES = "figures.json"
"""The archival PDF's embedded file: the report's key, KPIs and tables (:func:`figures`)."""
INJECTED = "injected-parameters"
ERROR_MARKER = "papermill-error-cell-tag"  # papermill's note on top of a failed notebook
log = logging.getLogger(__name__)


class ReportFailed(BpuReportsError):
    """The notebook raised while executing; the executed notebook is kept under ``_failed/``."""

    exit_code = 1

    def __init__(self, message: str, *, cell: int | None, ename: str, kept: Path | None):
        super().__init__(message)
        self.cell, self.ename, self.kept = cell, ename, kept


@dataclass
class Outcome:
    notebook: str
    kind: str
    code: str
    period: str
    lang: str
    outputs: dict[str, str] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)  # sha256 of each file published
    kpis: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def layout(out: Path, period: str, code: str, stem: str) -> Path:
    """``out/PERIOD/CODE/STEM`` (no suffix yet), checked to stay inside ``out``."""
    return publish.inside(out, Path(period) / code / stem)


def failed_path(out: Path, period: str, code: str, stem: str) -> Path:
    return publish.inside(out, Path(period) / "_failed" / code / f"{stem}.ipynb")


def file_name(stem: str, fmt: str) -> str:
    """The file a report of stem ``stem`` writes in format ``fmt`` (:data:`FILES`)."""
    return f"{stem}.{FILES[fmt]}"


def read_kpis(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """The KPI block's JSON from the executed notebook (by mimetype, not by scraping)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if KPI_MIMETYPE in data:
                return dict(data[KPI_MIMETYPE])
    return {}


def read_tables(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """Every table's figures (``mimetypes.TABLE``) in the executed notebook, in report
    order: the KPI cards' (name ``kpi``, from the cover), the catalogue's tables and an
    analyst's own (``house.table``)."""
    return [
        dict(output["data"][TABLE_MIMETYPE])
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if TABLE_MIMETYPE in output.get("data", {})
    ]


def figures(outcome: Outcome, tables: list[dict[str, Any]]) -> bytes:
    """The archival PDF's ``figures.json``: which report (kind, code, period, language,
    notebook), its KPI record as the manifest holds it, and every table's figures."""
    body = {
        "report": {
            "kind": outcome.kind,
            "code": outcome.code,
            "period": outcome.period,
            "lang": outcome.lang,
            "notebook": outcome.notebook,
        },
        "kpis": outcome.kpis,
        "tables": tables,
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


def execute(
    notebook: Path, parameters: dict[str, Any], output: Path, timeout: int | None = None
) -> nbformat.NotebookNode:
    """Run ``notebook`` in a new kernel; papermill writes the executed notebook to ``output``
    (also when a cell fails, with the error in it). An error in a cell tagged
    ``raises-exception`` is expected, as nbclient and JupyterLab's test tools treat it: the
    run goes on and does not fail; any other error raises ``PapermillExecutionError``."""
    publish.make_folder(output.parent)
    try:
        return _papermill(notebook, parameters, output, timeout)
    except PapermillExecutionError:
        nb = nbformat.read(output, as_version=4)
        if any(_unexpected_error(cell) for cell in nb.cells):
            raise
        nb.cells = [
            c for c in nb.cells if ERROR_MARKER not in c.get("metadata", {}).get("tags", [])
        ]
        nbformat.write(nb, output)
        return nb


def _unexpected_error(cell: nbformat.NotebookNode) -> bool:
    if cell.get("cell_type") != "code":
        return False
    if "raises-exception" in cell.get("metadata", {}).get("tags", []):
        return False
    failed = cell.get("metadata", {}).get("papermill", {}).get("exception") is True
    return failed or any(o.get("output_type") == "error" for o in cell.get("outputs", []))


def _papermill(
    notebook: Path, parameters: dict[str, Any], output: Path, timeout: int | None
) -> nbformat.NotebookNode:
    return papermill.execute_notebook(
        str(notebook),
        str(output),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        log_output=False,
        request_save_on_cell_execute=False,
        execution_timeout=timeout,
        cwd=str(notebook.parent),
        # ipykernel logs a TCP-encryption warning on start and an interrupt on shutdown
        # no IPython history database: nobody reads it, and parallel kernels contend for it
        extra_arguments=["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"],
        kernel_manager_class=ForkKernelManager,
        shutdown_kernel="immediate",  # outputs are in; a graceful shutdown only waits
    )


def run_report(
    notebook: Path,
    *,
    kind: str,
    code: str,
    period: str,
    lang: str,
    parameters: dict[str, Any],
    out: Path,
    formats: tuple[str, ...] = DEFAULT_FORMATS,
    title: str = "",
    stem: str = "",
    timeout: int | None = None,
    shown: dict[str, Any] | None = None,
) -> Outcome:
    """Execute, render and publish one report; raise ``ReportFailed`` if the notebook fails.

    ``formats`` are among :data:`FORMATS` (the executed notebook is always published); the
    PDF and the archival PDF share one layout. ``stem`` names the files (default: the
    notebook's name); ``timeout`` limits each cell.
    ``shown`` are the parameters the saved notebooks (published, or kept under ``_failed/``)
    carry in their injected cell, so that *Run All* on them works (default: ``parameters``;
    the batch shows the warehouse instead of its temporary metrics file). Saved notebooks are
    signed, so they open trusted in JupyterLab.
    """
    shown = parameters if shown is None else shown
    stem = stem or notebook.stem
    base = layout(out, period, code, stem)
    failed = failed_path(out, period, code, stem)  # both checked before a kernel starts
    outcome = Outcome(notebook.name, kind, code, period, lang)
    t0 = time.perf_counter()
    scratch = publish.scratch_path(base.parent / f"{base.name}.ipynb", ".ipynb", root=out)
    try:
        nb = execute(notebook, parameters, scratch, timeout)
    except PapermillExecutionError as exc:
        raise ReportFailed(
            f"{notebook.name} for {code} {period} failed in cell {exc.exec_count}: "
            f"{exc.ename}: {exc.evalue}",
            cell=exc.exec_count,
            ename=exc.ename,
            kept=_keep(scratch, failed, shown, out),
        ) from exc
    except Interrupted:  # stopped by a signal (run.stop): not a failure of the report
        raise
    except Exception as exc:  # the kernel died, a cell timed out, the kernel did not start
        signum = stop.requested()
        if signum is not None:  # the kernel died because a stop ended it: keep nothing
            raise Interrupted(signum) from exc
        message = (
            f"{notebook.name} for {code} {period} failed: {type(exc).__name__}: "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        )
        kept = _keep(scratch, failed, shown, out) or _keep_input(
            notebook, shown, message, failed, out
        )
        raise ReportFailed(message, cell=None, ename=type(exc).__name__, kept=kept) from exc
    finally:
        scratch.unlink(missing_ok=True)
    failed.unlink(missing_ok=True)  # an earlier failure is mended
    outcome.seconds["execute"] = time.perf_counter() - t0
    outcome.kpis = read_kpis(nb)
    title = title or f"{code} {period}"

    # Imported where a report is rendered, not with this module: a batch whose reports are
    # all unchanged never loads nbconvert's exporters or the PDF's typesetter.
    from bpu_reports.render import pdf, workbook
    from bpu_reports.render.html import to_html

    saved = rerunnable(nb, shown)
    files: dict[str, bytes] = {"ipynb": nbformat.writes(saved).encode("utf-8")}
    if "html" in formats:
        t = time.perf_counter()
        files["html"] = to_html(nb, lang=lang, title=title, variant="screen").encode("utf-8")
        outcome.seconds["html"] = time.perf_counter() - t
    if "pdf" in formats or "pdfa" in formats:
        t = time.perf_counter()
        printed = to_html(nb, lang=lang, title=title, variant="print")
        if "pdfa" not in formats:
            files["pdf"] = pdf.to_pdf(printed)
            outcome.seconds["pdf"] = time.perf_counter() - t
        else:  # both PDFs from one layout, the plain one first: it takes the layout's time
            document = pdf.layout(printed)
            laid_out = time.perf_counter() - t
            if "pdf" in formats:
                files["pdf"] = pdf.write(document)
                outcome.seconds["pdf"] = time.perf_counter() - t
            t = time.perf_counter()
            embedded = figures(outcome, read_tables(nb))
            files["pdfa"] = pdf.write_archive(
                document, {FIGURES: embedded}, description="KPIs and tables of the report (JSON)"
            )
            outcome.seconds["pdfa"] = time.perf_counter() - t + (0 if "pdf" in files else laid_out)
    if "xlsx" in formats:
        t = time.perf_counter()
        files["xlsx"] = workbook.report_workbook(
            outcome.kpis, read_tables(nb), lang=lang, title=title
        )
        outcome.seconds["xlsx"] = time.perf_counter() - t
    targets = {base.parent / file_name(base.name, fmt): data for fmt, data in files.items()}
    publish.write_all(targets, root=out)
    sign(saved)
    outcome.outputs = {fmt: str(base.parent / file_name(base.name, fmt)) for fmt in files}
    outcome.digests = {fmt: hashlib.sha256(data).hexdigest() for fmt, data in files.items()}
    return outcome


def rerunnable(nb: nbformat.NotebookNode, shown: dict[str, Any]) -> nbformat.NotebookNode:
    """A copy of an executed notebook whose injected-parameters cell sets ``shown`` (the
    outputs stay those of the run)."""
    copy = nbformat.from_dict(nb)
    code = papermill_translators.find_translator("python3", "python").codify(shown)
    for cell in copy.cells:
        if INJECTED in cell.get("metadata", {}).get("tags", []):
            cell.source = code
    papermill_meta = copy.metadata.get("papermill")
    if papermill_meta is not None and "parameters" in papermill_meta:
        papermill_meta["parameters"] = dict(shown)
    return copy


@cache
def _notary() -> NotebookNotary:
    return NotebookNotary()


def sign(nb: nbformat.NotebookNode) -> bool:
    """Record ``nb`` as trusted in the Jupyter trust database of the user running this, so
    JupyterLab shows its outputs (charts, HTML) as they are; false if that database cannot
    be written (the notebook is still saved, it opens untrusted)."""
    try:
        _notary().sign(nb)
    except Exception as exc:  # sqlite errors, a read-only home: signing is a courtesy
        log.warning("could not sign the executed notebook: %s", exc)
        return False
    return True


def _keep(scratch: Path, target: Path, shown: dict[str, Any], out: Path) -> Path | None:
    """Keep the executed notebook papermill wrote (with its error) under ``_failed/``, its
    parameters set to ``shown`` and signed."""
    if not scratch.exists() or scratch.stat().st_size == 0:
        return None
    try:
        nb = rerunnable(nbformat.read(scratch, as_version=4), shown)
    except Exception:  # half-written: keep it as it is
        publish.make_folder(target.parent, out)
        scratch.replace(target)
        return target
    publish.write_text(target, nbformat.writes(nb), out)
    sign(nb)
    return target


def _keep_input(
    notebook: Path, shown: dict[str, Any], message: str, target: Path, out: Path
) -> Path | None:
    """When papermill saved nothing (the kernel died, a cell timed out), keep the notebook
    with this report's parameters injected and the error on top, to rerun by hand."""
    try:
        nb = nbformat.read(notebook, as_version=4)
        code = papermill_translators.find_translator("python3", "python").codify(shown)
        injected = nbformat.v4.new_code_cell(code, metadata={"tags": [INJECTED]})
        tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
        nb.cells.insert(tagged[0] + 1 if tagged else 0, injected)
        note = nbformat.v4.new_markdown_cell(f"**This report failed:** {message}")
        note.metadata["tags"] = ["bpu-error"]
        nb.cells.insert(0, note)
        publish.write_text(target, nbformat.writes(nb), out)
        sign(nb)
    except Exception:  # keeping a copy is a courtesy; the failure is recorded anyway
        return None
    return target
