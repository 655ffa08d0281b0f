"""The monthly batch on the Bali demo warehouse: parallel, failure-isolated, incremental,
resumable after kill -9, exclusive, on local processes and on a real Dask cluster.

With ``--scope all`` the monthly spec makes 10 reports: the national report, the region's
(BANUSPA) and the 8 branches'."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bpu_reports.cli import main

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
FLAKY = ROOT / "tests" / "fixtures" / "flaky.yaml"
SPEC = ROOT / "parameters" / "monthly.yaml"
BIN = Path(sys.executable).parent
ALL = 10  # reports of the monthly spec for the whole Bali demo: 1 national + 1 region + 8


def generate(db, out, *args):
    return main(
        [
            "--db",
            str(db),
            "--out",
            str(out),
            "generate",
            "--period",
            "2017-07",
            "--spec",
            str(SPEC),
            *args,
        ]
    )


def manifest(out):
    return json.loads((out / "2017-07" / "manifest.json").read_text())


def leftovers(out):
    return [
        p
        for p in out.rglob("*")
        if p.name.endswith(".tmp")
        or p.name == ".work"
        or (p.name.startswith(".") and p.suffix == ".ipynb")
    ]


@pytest.fixture(scope="module")
def batch(bali_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch")
    code = generate(bali_db, out, "--workers", "2")
    return out, code


def test_bali_batch_with_two_workers(batch):
    out, code = batch
    assert code == 0
    entries = manifest(out)["reports"]
    assert len(entries) == ALL and {e["status"] for e in entries} == {"ok"}
    assert [e["key"] for e in entries[:2]] == [
        "NATIONAL/national_monthly",
        "BANUSPA/region_monthly",
    ]
    for e in entries:
        assert set(e["outputs"]) == {"ipynb", "html", "pdf", "xlsx"}
        assert all((out / rel).stat().st_size > 1000 for rel in e["outputs"].values())
        assert e["kpis"]["registered"] > 0 and len(e["fingerprint"]) == 24
    dps = next(e for e in entries if e["code"] == "DPS")
    assert dps["kpis"]["registered"] == pytest.approx(16_800, rel=0.01)
    # one region: the nation's figures are the region's
    assert entries[0]["kpis"]["registered"] == entries[1]["kpis"]["registered"]
    assert leftovers(out) == []
    assert list((out / "2017-07" / "logs").glob("generate-*.log"))


def test_rerun_skips_everything(batch, bali_db, capsys):
    out, _ = batch
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.pdf")}
    assert generate(bali_db, out, "--workers", "2") == 0  # its speed: bench/national.py
    assert f"0 ok, 0 failed, {ALL} skipped" in capsys.readouterr().err
    assert before == {p: p.stat().st_mtime_ns for p in out.rglob("*.pdf")}


def test_force_redoes_an_unchanged_report(batch, bali_db, capsys):
    out, _ = batch
    pdf = out / "2017-07" / "DPS" / "branch_monthly.pdf"
    before = pdf.stat().st_mtime_ns
    assert generate(bali_db, out, "--scope", "DPS", "--force", "--workers", "1") == 0
    assert "1 ok, 0 failed, 0 skipped" in capsys.readouterr().err
    assert pdf.stat().st_mtime_ns > before
    assert len(manifest(out)["reports"]) == ALL  # the other entries are kept


def test_portal_links_resolve_and_carry_no_script(batch):
    out, _ = batch
    html = (out / "index.html").read_text()
    assert "<script" not in html and "Juli 2017" in html and "KC Bali Denpasar" in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert len(hrefs) == 3 * ALL + 1  # HTML, PDF and Excel of each report; the month's KPIs
    assert "2017-07/kpis.xlsx" in hrefs
    assert all((out / h).is_file() for h in hrefs)


def test_portal_in_headless_chromium(batch, tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is missing: `make test` installs it (Debian package chromium)")
    out, _ = batch
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = server.stdout.readline()
        port = int(re.search(r"port (\d+)", line).group(1))
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
        ]
        for url in (f"http://127.0.0.1:{port}/index.html", (out / "index.html").as_uri()):
            shot = tmp_path / "portal.png"
            done = subprocess.run(
                [chromium, *flags, "--window-size=1200,900", f"--screenshot={shot}", url],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert shot.stat().st_size > 10_000
            console = [x for x in done.stderr.splitlines() if "CONSOLE" in x or "Uncaught" in x]
            assert console == []
            dom = subprocess.run(
                [chromium, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=60
            ).stdout
            assert "KC Bali Denpasar" in dom
        pdf = re.search(
            r'href="(2017-07/DPS/branch_monthly.pdf)"', (out / "index.html").read_text()
        )
        fetched = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import urllib.request;print(len(urllib.request.urlopen('http://127.0.0.1:{port}/{pdf.group(1)}').read()))",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert int(fetched.stdout) > 10_000
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()


def test_a_failing_notebook_does_not_stop_the_others(bali_db, tmp_path, capsys):
    code = main(
        [
            "--db",
            str(bali_db),
            "--out",
            str(tmp_path),
            "generate",
            "--period",
            "2017-07",
            "--spec",
            str(FLAKY),
            "--scope",
            "DPS,KLK,JMB",
            "--workers",
            "2",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "2 ok, 1 failed, 0 skipped" in err
    entries = {e["code"]: e for e in manifest(tmp_path)["reports"]}
    assert entries["DPS"]["status"] == entries["JMB"]["status"] == "ok"
    failed = entries["KLK"]
    assert failed["status"] == "failed" and failed["error"]["type"] == "ValueError"
    assert (
        "planted failure for KLK" in failed["error"]["message"] and failed["error"]["cell"] == 4
    )  # In [4] of the kept notebook
    kept = tmp_path / failed["error"]["notebook"]
    assert kept == tmp_path / "2017-07" / "_failed" / "KLK" / "flaky_branch.ipynb"
    assert "planted failure" in kept.read_text()
    assert not (tmp_path / "2017-07" / "KLK" / "flaky_branch.html").exists()
    assert "gagal" in (tmp_path / "index.html").read_text()


def _cli(db, out, *args, **popen):
    return subprocess.Popen(
        [
            str(BIN / "bpu-reports"),
            "--db",
            str(db),
            "--out",
            str(out),
            "generate",
            "--period",
            "2017-07",
            "--spec",
            str(SPEC),
            *args,
        ],
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def _wait_for(predicate, timeout=120.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _done_count(out):
    try:
        return len(manifest(out)["reports"])
    except (OSError, ValueError):
        return 0


def test_kill_9_then_resume(bali_db, tmp_path):
    proc = _cli(bali_db, tmp_path, "--workers", "1")
    assert _wait_for(lambda: _done_count(tmp_path) >= 2)
    os.killpg(proc.pid, signal.SIGKILL)  # the batch, its workers and their kernels
    proc.communicate(timeout=30)
    finished_before = _done_count(tmp_path)
    assert 2 <= finished_before < ALL

    again = _cli(bali_db, tmp_path, "--workers", "2")
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert f"{ALL - finished_before} ok, 0 failed, {finished_before} skipped" in err
    assert {e["status"] for e in manifest(tmp_path)["reports"]} == {"ok"}
    assert len(manifest(tmp_path)["reports"]) == ALL
    assert leftovers(tmp_path) == []


def test_a_second_batch_on_the_same_folder_is_refused(bali_db, tmp_path, capsys):
    first = _cli(bali_db, tmp_path, "--workers", "1")
    try:
        assert _wait_for(lambda: (tmp_path / "2017-07" / "logs").exists())
        code = generate(bali_db, tmp_path, "--workers", "1")
        err = capsys.readouterr().err
        assert code == 2 and "another generate is already writing to" in err
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.communicate(timeout=30)
    # the killed holder's lock is released by the kernel: the next run goes ahead
    assert generate(bali_db, tmp_path, "--scope", "KLK", "--workers", "1") == 0


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dask_executor_on_a_real_scheduler_and_worker(bali_db, tmp_path, capsys):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    scheduler = subprocess.Popen(
        [
            str(BIN / "dask"),
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-dashboard",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    worker = subprocess.Popen(
        [
            str(BIN / "dask"),
            "worker",
            address,
            "--nthreads",
            "1",
            "--nworkers",
            "1",
            "--no-dashboard",
            "--host",
            "127.0.0.1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        code = generate(
            bali_db,
            tmp_path,
            "--executor",
            "dask",
            "--scheduler",
            address,
            "--scope",
            "KLK,JMB",
            "--workers",
            "1",
        )
        err = capsys.readouterr().err
        assert code == 0, err
        assert "2 ok, 0 failed, 0 skipped" in err
        assert (tmp_path / "2017-07" / "KLK" / "branch_monthly.pdf").exists()
    finally:
        for proc in (worker, scheduler):
            proc.terminate()
            proc.wait(timeout=30)


def test_unreachable_scheduler_fails_fast(bali_db, tmp_path, capsys):
    started = time.perf_counter()
    code = generate(
        bali_db,
        tmp_path,
        "--executor",
        "dask",
        "--scheduler",
        f"tcp://127.0.0.1:{_free_port()}",
        "--scope",
        "KLK",
    )
    err = capsys.readouterr().err
    assert code == 2 and "cannot reach the Dask scheduler" in err
    assert time.perf_counter() - started < 30
