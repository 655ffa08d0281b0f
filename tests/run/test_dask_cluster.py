"""The monthly batch on a Dask cluster started as an operator starts one: ``dask scheduler``
and two ``dask worker`` processes, each its own command, in a folder of their own. The
reports it writes are the local executor's, every worker keeps one kernel fork server for
all its reports and batches, and what a cluster can do wrong (no scheduler, a worker without
the shared output folder, a worker that dies) is one clear line, never a crash."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from pypdf import PdfReader

from bpu_reports.cli import main
from bpu_reports.run import executors, job

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "parameters" / "monthly.yaml"
DASK = Path(sys.executable).parent / "dask"
BRANCHES = ("DPS", "KLK", "JMB")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(cmd: list[str], cwd: Path, log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the command's whole group (nanny, worker, fork server), then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _scheduler(port: int, cwd: Path, env: dict[str, str]) -> subprocess.Popen:
    # its HTTP routes on a free port: 8787 may be another cluster's
    cmd = [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port),
           "--no-dashboard", "--dashboard-address", "127.0.0.1:0"]  # fmt: skip
    return _start(cmd, cwd, cwd / "scheduler.log", env)


def _wait_for_workers(address: str, n: int) -> None:
    from dask.distributed import Client

    with Client(address, timeout="60s", set_as_default=False) as client:
        if n:
            client.wait_for_workers(n, timeout=120)


@contextlib.contextmanager
def running_cluster(home: Path, workers: int, **config: str):
    """A scheduler and ``workers`` single-threaded workers on 127.0.0.1, each its own
    command, started from ``home`` (not the project's folder, as on another machine) with a
    Jupyter trust database of their own and ``config`` as ``DASK_…`` variables; yields the
    scheduler's address and the ``dask worker`` processes, and stops them all."""
    env = {**os.environ, "JUPYTER_DATA_DIR": str(home / "jupyter-data"), **config}
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [_scheduler(port, home, env)]
    try:
        for i in range(1, workers + 1):
            cmd = [
                str(DASK), "worker", address, "--nworkers", "1", "--nthreads", "1",
                "--host", "127.0.0.1", "--no-dashboard", "--name", f"w{i}",
            ]  # fmt: skip
            procs.append(_start(cmd, home, home / f"worker-{i}.log", env))
        _wait_for_workers(address, workers)
        yield address, procs[1:]
    finally:
        for proc in reversed(procs):
            _stop(proc)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two workers, as ``running_cluster`` starts them."""
    with running_cluster(tmp_path_factory.mktemp("cluster"), 2) as started:
        yield started


def generate(db: Path, out: Path, *args: str) -> int:
    return main(
        ["--quiet", "--db", str(db), "--out", str(out), "generate", "--period", "2017-07",
         "--spec", str(SPEC), *args]
    )  # fmt: skip


def manifest(out: Path) -> dict[str, dict]:
    entries = json.loads((out / "2017-07" / "manifest.json").read_text())["reports"]
    return {e["key"]: e for e in entries}


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def fork_servers(worker: subprocess.Popen) -> list[int]:
    """The kernel fork servers under one ``dask worker`` command (its nanny, the worker)."""
    found = []
    for p in psutil.Process(worker.pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if any(part.endswith("forkserver.py") for part in p.cmdline()):
                found.append(p.pid)
    return found


def strays(home: Path, workers: list[subprocess.Popen]) -> list[str]:
    """Processes started under ``running_cluster(home, …)`` (they carry its trust-database
    variable) that are no longer under one of its ``dask worker`` commands."""
    inside = {p.pid for w in workers for p in psutil.Process(w.pid).children(recursive=True)}
    found = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            if p.pid in inside or not any("forkserver" in c or "ipykernel" in c
                                            for c in p.info["cmdline"] or []):  # fmt: skip
                continue
            if p.environ().get("JUPYTER_DATA_DIR") == str(home / "jupyter-data"):
                found.append(" ".join(p.info["cmdline"]))
    return found


@pytest.mark.slow
def test_the_cluster_writes_the_reports_local_workers_write(bali_db, cluster, tmp_path):
    address, workers = cluster
    scope = ",".join(BRANCHES)
    assert generate(bali_db, tmp_path / "dask", "--executor", "dask",
                    "--scheduler", address, "--scope", scope) == 0  # fmt: skip
    assert generate(bali_db, tmp_path / "local", "--workers", "2", "--scope", scope) == 0
    on_dask, local = manifest(tmp_path / "dask"), manifest(tmp_path / "local")
    keys = {f"{code}/branch_monthly" for code in BRANCHES}
    assert set(on_dask) == set(local) == keys
    for key in keys:
        assert on_dask[key]["status"] == "ok"
        assert on_dask[key]["kpis"] == local[key]["kpis"]
        assert on_dask[key]["fingerprint"] == local[key]["fingerprint"]
        texts = [pdf_text(out / "2017-07" / f"{key}.pdf") for out in (tmp_path / "dask",
                 tmp_path / "local")]  # fmt: skip
        assert texts[0] == texts[1]
    assert "KC Bali Denpasar" in pdf_text(tmp_path / "dask" / "2017-07" / "DPS/branch_monthly.pdf")

    # one fork server per worker, started when the batch registered with the worker, and
    # the same one serves the next batch
    servers = [fork_servers(w) for w in workers]
    assert [len(s) for s in servers] == [1, 1]
    assert generate(bali_db, tmp_path / "dask", "--executor", "dask", "--scheduler", address,
                    "--scope", "DPS", "--force") == 0  # fmt: skip
    assert manifest(tmp_path / "dask")["DPS/branch_monthly"]["status"] == "ok"
    assert [fork_servers(w) for w in workers] == servers


@pytest.mark.slow
def test_a_stopped_scheduler_is_one_line_and_exit_2(bali_db, tmp_path, capsys):
    port = _free_port()
    scheduler = _scheduler(port, tmp_path, dict(os.environ))
    try:
        _wait_for_workers(f"tcp://127.0.0.1:{port}", 0)  # it answered: it was running
    finally:
        _stop(scheduler)
    code = generate(bali_db, tmp_path / "out", "--executor", "dask",
                    "--scheduler", f"tcp://127.0.0.1:{port}", "--scope", "DPS")  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.splitlines() == [err]
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in err
    assert not (tmp_path / "out" / "2017-07" / "DPS").exists()


def a_job(tmp_path: Path) -> dict:
    """One branch job as the batch hands it out (``plan.Job.to_dict``)."""
    return {
        "key": "DPS/branch_monthly", "notebook": str(ROOT / "notebooks" / "branch_monthly.ipynb"),
        "kind": "branch", "code": "DPS", "name": "KC Bali Denpasar", "region_code": "BANUSPA",
        "period": "2017-07", "lang": "id", "formats": ["html", "pdf"],
        "parameters": {"branch": "DPS", "period": "2017-07", "lang": "id"},
        "fingerprint": "f" * 64, "title": None,
    }  # fmt: skip


def test_a_worker_without_the_shared_output_folder_fails_the_job_and_writes_nothing(tmp_path):
    # the batch wrote its metrics file on storage this worker does not see
    missing = tmp_path / "elsewhere" / "2017-07" / ".work" / "branch-DPS.pkl"
    entry = job.run_job(a_job(tmp_path), str(tmp_path / "out"), str(missing), 60)
    assert entry["status"] == "failed"
    assert entry["error"]["type"] == "NotShared"
    assert entry["error"]["message"] == (
        f"DPS/branch_monthly: NotShared: the batch's metrics file {missing} is not on worker "
        f"{socket.gethostname()}: every worker needs the output folder (--out) on shared "
        "storage, under the same path"
    )
    assert not (tmp_path / "out").exists()


def test_a_lost_job_is_a_failed_entry_of_that_report(tmp_path):
    class KilledWorker(Exception):
        pass

    call = (a_job(tmp_path), str(tmp_path), "", 60)
    entry = job.lost(call, KilledWorker("all 4 workers died running it"))
    assert entry["key"] == "DPS/branch_monthly" and entry["code"] == "DPS"
    assert entry["status"] == "failed" and entry["outputs"] == {}
    assert entry["error"] == {
        "type": "KilledWorker",
        "message": "DPS/branch_monthly: no result from the Dask cluster: "
        "KilledWorker: all 4 workers died running it",
        "cell": None,
        "notebook": None,
    }


@pytest.mark.slow
def test_a_task_whose_worker_dies_is_yielded_as_lost_not_raised():
    import dask

    # no retry on another worker: the first death is final
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        results = list(
            executors.run_dask(
                os._exit, [(3,)], 1, None, lost=lambda call, exc: (call, type(exc).__name__)
            )
        )
    assert results == [((3,), "KilledWorker")]


DIES = """\
if branch == die_on:  # what an out-of-memory kill does to the process running the report
    import os, signal

    os.kill(int(os.environ["JPY_PARENT_PID"]), signal.SIGKILL)
"""


def dying_spec(folder: Path) -> Path:
    """A branch report that kills the worker running it for KLK, and is a cover elsewhere."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell(
        'branch = "DPS"\nperiod = "2017-07"\nlang = "id"\ndb = ""\nmetrics_file = ""\n'
        'die_on = "KLK"'
    )
    parameters.metadata["tags"] = ["parameters"]
    report = (
        "from bpu_reports.report import open_report\n\n"
        "r = open_report('branch', branch, period, lang=lang, db=db, metrics_file=metrics_file)\n"
        "r.cover()"
    )
    nb.cells = [parameters, nbformat.v4.new_code_cell(report), nbformat.v4.new_code_cell(DIES)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / "dying_branch.ipynb")
    spec = folder / "dying.yaml"
    spec.write_text(
        "reports:\n  - notebook: dying_branch.ipynb\n    per: branch\n    formats: [html]\n"
    )
    return spec


@pytest.mark.slow
def test_a_report_that_kills_its_worker_fails_alone(bali_db, tmp_path):
    # no retry on another worker (the default retries 3 times): the first death is final
    config = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
    spec = dying_spec(tmp_path)
    with running_cluster(tmp_path, 1, **config) as (address, workers):
        code = main(
            ["--quiet", "--db", str(bali_db), "--out", str(tmp_path / "out"), "generate",
             "--period", "2017-07", "--spec", str(spec), "--executor", "dask",
             "--scheduler", address, "--scope", "DPS,KLK"]
        )  # fmt: skip
        # the dead worker's fork server and kernel died with it: nothing of the cluster's
        # runs outside the worker command
        assert strays(tmp_path, workers) == []
    assert code == 1
    entries = {e["key"]: e for e in json.loads(
        (tmp_path / "out" / "2017-07" / "manifest.json").read_text())["reports"]}  # fmt: skip
    assert entries["DPS/dying_branch"]["status"] == "ok"
    assert entries["KLK/dying_branch"]["status"] == "failed"
    assert entries["KLK/dying_branch"]["error"]["type"] == "KilledWorker"
    assert entries["KLK/dying_branch"]["error"]["message"].startswith(
        "KLK/dying_branch: no result from the Dask cluster: KilledWorker"
    )
    assert not (tmp_path / "out" / "2017-07" / "KLK" / "dying_branch.html").exists()


def test_a_worker_with_another_version_is_refused_before_any_report():
    from bpu_reports import __version__

    with pytest.raises(executors.ExecutorError) as refused:
        executors.worker_ready("0.0.1", "tcp://10.0.0.7:9000")
    assert str(refused.value) == (
        f"Dask worker tcp://10.0.0.7:9000 runs bpu-reports {__version__}, the batch 0.0.1: "
        "install the same version on every worker and restart it"
    )
