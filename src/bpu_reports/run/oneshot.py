"""``bpu-reports run`` (one report) and ``bpu-reports demo`` (every Bali report, in turn)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bpu_reports.config import Settings
from bpu_reports.data import store
from bpu_reports.data.contract import NATIONAL, NATIONAL_NAME
from bpu_reports.errors import BpuReportsError, Interrupted, ParameterError
from bpu_reports.metrics import resolve
from bpu_reports.period import Period
from bpu_reports.report import formats as fmt
from bpu_reports.run import parameters, stop
from bpu_reports.run.single import FORMATS, Outcome, run_report

DEMO_PERIOD = "2017-07"
INTERNAL = {
    "db": "-p db=… is not a report parameter here: give the warehouse with --db "
    "(the branch and period are checked against it)",
    "metrics_file": "-p metrics_file=… is set by the monthly batch only "
    "(`bpu-reports generate`): remove it; run reads the warehouse given by --db",
}
"""Parameters ``run`` sets itself: refused as ``-p``, so no report reads data other than
what the command checked, nor a file a user points at."""


def parse_formats(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(x.strip().lower() for x in text.split(",") if x.strip()))
    bad = [x for x in chosen if x not in FORMATS]
    if bad or not chosen:
        raise ParameterError(
            f"--format {text!r}: choose from {', '.join(FORMATS)} (comma-separated)"
        )
    return chosen


def run_one(
    notebook: Path,
    *,
    settings: Settings,
    branch: str | None,
    region: str | None,
    period: str,
    formats: str = "html,pdf",
    lang: str = "id",
    assignments: list[str] | tuple[str, ...] = (),
    national: bool = False,
) -> Outcome:
    """Validate everything (parameters, warehouse, scope, period), then run one report: of
    ``branch``, of ``region``, or (``national``) of the whole country, code ``NATIONAL``."""
    if sum((branch is not None, region is not None, national)) != 1:
        raise ParameterError("give exactly one of --branch CODE, --region CODE or --national")
    chosen = parse_formats(formats)
    month = Period.parse(period)
    if lang not in ("id", "en"):
        raise ParameterError(f"--lang {lang!r}: use id or en")
    kind: str
    if branch is not None:
        kind, code = "branch", branch
    elif region is not None:
        kind, code = "region", region
    else:
        kind, code = "national", NATIONAL
    extra = parameters.parse_assignments(list(assignments))
    internal = sorted(set(extra) & set(INTERNAL))
    if internal:
        raise ParameterError(INTERNAL[internal[0]])
    given: dict[str, Any] = {kind: code, "period": str(month), "lang": lang}
    clash = sorted(set(extra) & set(given))
    if clash:
        raise ParameterError(
            f"-p {clash[0]}=… clashes with the --{clash[0]} option: use the option"
        )
    declared = parameters.declared(notebook)
    if kind not in declared:
        fallback = "region" if kind == "branch" else "branch"
        other = next((k for k in ("branch", "region", "national") if k in declared), fallback)
        option = "--national" if other == "national" else f"--{other}"
        raise ParameterError(
            f"{notebook.name} is not a {kind} report (it has no '{kind}' parameter): use {option}"
        )
    values = {**given, **extra}
    if "db" in declared:
        values["db"] = str(settings.db.resolve())
    typed = parameters.validate(notebook, values)

    con = store.connect(settings.db)
    try:
        if kind == "branch":
            scope = resolve(con, branch=code)
        elif kind == "region":
            scope = resolve(con, region=code)
        else:
            scope = resolve(con)
        store.info(con).check(month)
    finally:
        con.close()
    first = scope.rows[0] if kind != "national" else None
    name = (
        NATIONAL_NAME
        if first is None
        else str(first.branch_name if kind == "branch" else first.region_name)
    )
    title = f"{name} — {fmt.month(month, typed.get('lang', 'id'))}"
    with stop.on_signals():
        try:
            return run_report(
                notebook,
                kind=kind,
                code=code,
                period=str(month),
                lang=typed.get("lang", lang),
                parameters=typed,
                out=settings.out,
                formats=chosen,
                title=title,
            )
        except Interrupted as exc:  # the report was not written: nothing half-done is left
            exc.not_run = 1
            raise


def demo(settings: Settings, say: Callable[[str], None], run_batch: Callable[..., Any]) -> Path:
    """Build the Bali warehouse if missing, then every Bali report for July 2017 through the
    monthly batch (``parameters/monthly.yaml``); returns the portal's path."""
    from bpu_reports.data.demo import build_demo

    spec_path = Path("parameters") / "monthly.yaml"
    if not spec_path.exists():
        raise BpuReportsError(f"{spec_path} not found: run the demo from the project folder")
    if not settings.db.exists():
        say(f"building the Bali demo warehouse at {settings.db} …")
        build_demo(settings.db, scale="bali")
    summary = run_batch(settings, period=DEMO_PERIOD, scope="all", spec_path=spec_path)
    if summary.failed:
        raise BpuReportsError(
            f"{summary.failed} demo report(s) failed: see {settings.out / DEMO_PERIOD}"
        )
    return settings.out / "index.html"
