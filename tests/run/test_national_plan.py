"""``per: national`` in a run spec: one NATIONAL job when the batch's scope is ``all``, none
(and one log line) for a region or a list of branches; ``national`` is set by the batch; the
manifest lists the national report first; ``run`` takes a national notebook alone."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bpu_reports.config import Settings
from bpu_reports.data import store
from bpu_reports.errors import ParameterError
from bpu_reports.metrics import compute, unit
from bpu_reports.period import Period
from bpu_reports.run import batch, manifest, selection, spec
from bpu_reports.run.job import job_parameters
from bpu_reports.run.oneshot import run_one

ROOT = Path(__file__).resolve().parents[2]
MONTHLY = ROOT / "parameters" / "monthly.yaml"
NATIONAL_NB = ROOT / "notebooks" / "national_monthly.ipynb"
BRANCH_NB = ROOT / "notebooks" / "branch_monthly.ipynb"
SKIPPED = "national report skipped: scope is not all"


def write_spec(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def jobs_for(db: Path, scope: str) -> list:
    con = store.connect(db)
    try:
        info = store.info(con)
        resolved, with_regions = selection.resolve_scope(con, scope)
    finally:
        con.close()
    return batch.plan_jobs(spec.load(MONTHLY), resolved, with_regions, "2017-07", info.data_version)


def test_the_monthly_spec_has_a_national_report():
    reports = spec.load(MONTHLY).reports
    national = [r for r in reports if r.per == "national"]
    assert len(national) == 1 and national[0].notebook.resolve() == NATIONAL_NB
    assert spec.output_stems(national[0]) == ["national_monthly"]


def test_scope_all_gives_one_national_job_first(handmade_db, caplog):
    caplog.set_level(logging.INFO, logger="bpu_reports.generate")
    jobs = jobs_for(handmade_db, "all")
    assert [j.key for j in jobs] == [
        "NATIONAL/national_monthly",
        "R1/region_monthly",
        "A/branch_monthly",
        "B/branch_monthly",
    ]
    nat = jobs[0]
    assert (nat.kind, nat.code, nat.name, nat.region_code) == (
        "national",
        "NATIONAL",
        "Nasional",
        "NATIONAL",
    )
    assert nat.stem == "national_monthly" and Path(nat.notebook).resolve() == NATIONAL_NB
    assert nat.parameters == {"national": "NATIONAL", "period": "2017-07", "lang": "id"}
    assert SKIPPED not in caplog.text
    # what the worker hands the kernel: the notebook's own names, the batch's db and file
    given, shown = job_parameters(NATIONAL_NB, nat.parameters, "/w/national.pkl", "/db")
    assert given == {**nat.parameters, "db": "/db", "metrics_file": "/w/national.pkl"}
    assert shown == {**nat.parameters, "db": "/db"}


@pytest.mark.parametrize("scope", ["R1", "A,B", "A"])
def test_other_scopes_leave_the_national_report_out(handmade_db, caplog, scope):
    caplog.set_level(logging.INFO, logger="bpu_reports.generate")
    jobs = jobs_for(handmade_db, scope)
    assert jobs and all(j.kind != "national" for j in jobs)
    lines = [r.getMessage() for r in caplog.records]
    assert lines.count(SKIPPED) == 1


@pytest.mark.slow
@pytest.mark.parametrize("scope", ["BANUSPA", "DPS,GIA"])
def test_bali_region_or_branches_give_no_national_report(bali_db, caplog, scope):
    caplog.set_level(logging.INFO, logger="bpu_reports.generate")
    jobs = jobs_for(bali_db, scope)
    assert jobs and all(j.kind != "national" for j in jobs)
    assert [r.getMessage() for r in caplog.records].count(SKIPPED) == 1
    everything = jobs_for(bali_db, "all")
    assert [j.key for j in everything if j.kind == "national"] == ["NATIONAL/national_monthly"]
    assert everything[0].kind == "national"


def test_the_planned_national_job_is_the_unit_the_batch_saves(handmade_db):
    """The batch slices each job's unit from its one metric set by (kind, code)."""
    nat = jobs_for(handmade_db, "all")[0]
    con = store.connect(handmade_db)
    try:
        metrics = compute(con, Period(2017, 7), selection.resolve_scope(con, "all")[0])
    finally:
        con.close()
    u = unit(metrics, nat.kind, nat.code)
    assert (u.kind, u.code, u.name) == ("national", "NATIONAL", "Nasional")
    assert u.summary["registered"] == 18 and set(u.branches.branch_code) == {"A", "B"}


def test_national_is_set_by_the_batch(tmp_path):
    path = write_spec(
        tmp_path,
        f"reports:\n  - notebook: {NATIONAL_NB}\n    per: national\n"
        "    parameters: {national: NATIONAL}\n",
    )
    with pytest.raises(spec.SpecError, match=r"reports\.0\.parameters\.national: set by the batch"):
        spec.load(path)
    assert "national" in spec.SET_BY_THE_BATCH


def test_a_notebook_without_a_national_parameter_is_refused(tmp_path):
    path = write_spec(tmp_path, f"reports:\n  - notebook: {BRANCH_NB}\n    per: national\n")
    with pytest.raises(spec.SpecError) as err:
        spec.load(path)
    assert str(err.value) == (
        f"{path}: reports.0: branch_monthly.ipynb has no 'national' parameter, so it is not a "
        "national report: fix 'per' or the notebook's parameters cell"
    )


def test_per_national_spec_loads_with_other_parameters(tmp_path):
    path = write_spec(
        tmp_path,
        f"reports:\n  - {{notebook: {NATIONAL_NB}, per: national, languages: [id, en]}}\n",
    )
    (report,) = spec.load(path).reports
    assert report.per == "national" and report.notebook == NATIONAL_NB
    assert spec.output_stems(report) == ["national_monthly", "national_monthly.en"]


def test_manifest_lists_the_national_report_first(tmp_path, handmade_db):
    con = store.connect(handmade_db)
    try:
        info = store.info(con)
    finally:
        con.close()
    entries = {
        key: {"key": key, "kind": kind}
        for key, kind in (
            ("A/branch_monthly", "branch"),
            ("R1/region_monthly", "region"),
            ("NATIONAL/national_monthly", "national"),
            ("B/branch_monthly", "branch"),
        )
    }
    manifest.save(tmp_path, "2017-07", info, entries)
    assert list(manifest.load(tmp_path)) == [
        "NATIONAL/national_monthly",
        "R1/region_monthly",
        "A/branch_monthly",
        "B/branch_monthly",
    ]


def test_run_takes_a_national_notebook_alone(handmade_db, tmp_path):
    settings = Settings.resolve(db=handmade_db, out=tmp_path / "out")
    common = {"settings": settings, "period": "2017-07"}
    with pytest.raises(ParameterError, match="give exactly one of --branch CODE, --region CODE"):
        run_one(NATIONAL_NB, branch="A", region=None, national=True, **common)
    with pytest.raises(ParameterError, match=r"not a branch report .*: use --national"):
        run_one(NATIONAL_NB, branch="A", region=None, **common)
    with pytest.raises(ParameterError, match=r"not a national report .*: use --branch"):
        run_one(BRANCH_NB, branch=None, region=None, national=True, **common)
    with pytest.raises(ParameterError, match="-p national=… clashes with the --national option"):
        run_one(
            NATIONAL_NB,
            branch=None,
            region=None,
            national=True,
            assignments=["national=X"],
            **common,
        )
    assert not (tmp_path / "out").exists()
