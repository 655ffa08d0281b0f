"""What the batch gives a notebook and what it keeps of it: only the parameters the notebook
declares (no papermill warning), and saved notebooks that point at the warehouse and are
signed, so a failed report can be opened in JupyterLab and re-run with *Run All*."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.sign import NotebookNotary

from bpu_reports.cli import main

pytestmark = pytest.mark.slow


def notebook(path: Path, parameters: str, body: str) -> Path:
    cells = [
        nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(body),
    ]
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": kernelspec}), path)
    return path


def spec(folder: Path, notebook: Path) -> Path:
    path = folder / "spec.yaml"
    path.write_text(
        f"reports:\n  - notebook: {notebook.name}\n    per: branch\n    formats: [html]\n"
    )
    return path


def generate(out: Path, spec_path: Path, scope: str) -> int:
    return main(
        [
            *("--out", str(out), "generate", "--period", "2017-07"),
            *("--spec", str(spec_path), "--scope", scope, "--workers", "1"),
        ]
    )


def test_a_notebook_declaring_only_branch_period_lang_runs_without_warnings(
    bali_db, tmp_path, monkeypatch, capfd
):
    monkeypatch.setenv("BPU_REPORTS_DB", str(bali_db))  # the notebook finds the warehouse
    nb = notebook(
        tmp_path / "minimal.ipynb",
        'branch = "DPS"\nperiod = "2017-07"\nlang = "id"',
        "from bpu_reports.report import open_report\n\n"
        'open_report("branch", branch, period, lang=lang).kpis()',
    )
    assert generate(tmp_path / "out", spec(tmp_path, nb), "DPS,KLK") == 0
    err = capfd.readouterr().err  # the workers' stderr, where papermill logs its warnings
    assert "Passed unknown parameter" not in err
    entries = json.loads((tmp_path / "out" / "2017-07" / "manifest.json").read_text())["reports"]
    assert [(e["code"], e["status"]) for e in entries] == [("DPS", "ok"), ("KLK", "ok")]
    executed = nbformat.read(tmp_path / "out" / "2017-07" / "KLK" / "minimal.ipynb", 4)
    assert executed.metadata.papermill.parameters == {
        "branch": "KLK",
        "period": "2017-07",
        "lang": "id",
    }


def test_a_failed_report_points_at_the_warehouse_is_signed_and_reruns(
    bali_db, tmp_path, monkeypatch
):
    monkeypatch.setenv("BPU_REPORTS_DB", str(bali_db))  # the warehouse the batch reads
    monkeypatch.setenv("BPU_TEST_FAIL", "DPS")  # a transient fault, for one branch
    nb = notebook(
        tmp_path / "flaky.ipynb",
        'branch = "DPS"\nperiod = "2017-07"\nlang = "id"\ndb = ""\nmetrics_file = ""',
        "import os\n\nfrom bpu_reports.report import open_report\n\n"
        'r = open_report("branch", branch, period, lang=lang, db=db, metrics_file=metrics_file)\n'
        'assert os.environ.get("BPU_TEST_FAIL") != branch, "planted failure"\n'
        "r.kpis()",
    )
    out = tmp_path / "out"
    assert generate(out, spec(tmp_path, nb), "DPS,KLK") == 1
    kept = out / "2017-07" / "_failed" / "DPS" / "flaky.ipynb"
    published = out / "2017-07" / "KLK" / "flaky.ipynb"
    warehouse = str(bali_db.resolve())
    for path, code in ((kept, "DPS"), (published, "KLK")):
        saved = nbformat.read(path, as_version=4)
        assert saved.metadata.papermill.parameters == {
            "db": warehouse,
            "branch": code,
            "period": "2017-07",
            "lang": "id",
        }
        (injected,) = [c for c in saved.cells if "injected-parameters" in c.metadata.tags]
        assert f'db = "{warehouse}"' in injected.source
        assert "metrics_file" not in injected.source  # the notebook's default: empty
        assert NotebookNotary().check_signature(saved)  # opens trusted in JupyterLab
    # the fault is gone; the analyst opens the kept notebook elsewhere and runs all of it
    monkeypatch.delenv("BPU_TEST_FAIL")
    monkeypatch.delenv("BPU_REPORTS_DB")
    elsewhere = tmp_path / "analyst"
    elsewhere.mkdir()
    rerun = papermill.execute_notebook(
        str(kept), str(elsewhere / "rerun.ipynb"), cwd=str(elsewhere), progress_bar=False
    )
    kpis = [
        o.data["application/vnd.bpu-reports.kpis+json"]
        for c in rerun.cells
        for o in c.get("outputs", [])
        if "application/vnd.bpu-reports.kpis+json" in o.get("data", {})
    ]
    assert len(kpis) == 1 and kpis[0]  # the report ran on the warehouse


def test_an_unchanged_re_run_skips_every_report_without_loading_pandas(
    bali_db, tmp_path, monkeypatch
):
    """A cron re-run with nothing to do plans the batch and stops: it needs neither pandas
    nor the metric pass (``metrics.scope`` plans from plain rows, ``run.batch`` loads the
    metrics only when a report is to be made)."""
    monkeypatch.setenv("BPU_REPORTS_DB", str(bali_db))
    nb = notebook(tmp_path / "minimal.ipynb", 'branch = "DPS"\nperiod = "2017-07"', "1 + 1")
    spec_path = spec(tmp_path, nb)
    out = tmp_path / "out"
    assert generate(out, spec_path, "DPS") == 0
    args = [
        *("--out", str(out), "generate", "--period", "2017-07", "--spec", str(spec_path)),
        *("--scope", "DPS", "--workers", "1"),
    ]
    code = (
        "import json, sys\n"
        "from bpu_reports.cli import main\n"
        f"code = main({args!r})\n"
        "print(json.dumps([code, 'pandas' in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [0, False]
    assert "0 ok, 0 failed, 1 skipped" in done.stdout + done.stderr
