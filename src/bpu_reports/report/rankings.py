"""The tables that rank and compare offices, in the region and national reports: the
region's branches and the country's regions ranked by active members (:func:`branches`,
:func:`regions`), the offices furthest behind target (:func:`behind_target`) and the
month's movers (:func:`movers`), and the year's outreach per office
(:func:`outreach_by_office`). ``report/tables.py`` catalogues them with the others."""

from __future__ import annotations

import math

from bpu_reports.metrics.views import Unit
from bpu_reports.report import formats as f
from bpu_reports.report import tidy
from bpu_reports.report.table import Table, cols, named, privacy_note
from bpu_reports.report.words import Lang, word


def branches(unit: Unit, lang: Lang = "id") -> Table:
    frame = unit.branches.copy()
    if not frame.empty:
        frame["office"] = named(frame.branch_name, frame.branch_code)
    return Table(
        frame,
        cols(
            lang,
            ("rank_active", "int", "rank"),
            ("office", "text", "branch"),
            ("registered", "int"),
            ("active", "int", "active_members"),
            ("on_time_rate", "pct"),
            ("net_change", "signed"),
            ("target_progress", "pct"),
        ),
        lang,
        css="ranking",
    )


def regions(unit: Unit, lang: Lang = "id") -> Table:
    """The country's regions ranked by active members, with a total row for the nation
    (its own figures: rates from the sums). ``target_gap`` is the December projection
    less the target (negative: short)."""
    frame = unit.regions.copy()
    if frame.empty:
        return Table(frame, [], lang)
    frame["office"] = named(frame.region_name, frame.region_code)
    s = unit.summary
    total = {
        "office": word("total", lang),
        "branches": int(frame.branches.sum()),
        **{k: s[k] for k in ("registered", "active", "on_time_rate", "net_change")},
        "target_progress": s["target_progress"],
        "target_gap": s["projection_december"] - s["target"],
    }
    return Table(
        frame,
        cols(
            lang,
            ("rank_active", "int", "rank"),
            ("office", "text", "region"),
            ("branches", "int", "branch_count"),
            ("registered", "int"),
            ("active", "int", "active_members"),
            ("on_time_rate", "pct"),
            ("net_change", "signed"),
            ("target_progress", "pct"),
            ("target_gap", "signed"),
        ),
        lang,
        css="ranking",
        total=total,
    )


def _with_region(unit: Unit) -> list[tuple[str, str, str]]:
    """The region column of an office table, in the national report only."""
    return [("region_name", "text", "region")] if unit.kind == "national" else []


def behind_target(unit: Unit, lang: Lang = "id", n: int = tidy.BEHIND) -> Table:
    """The offices furthest behind target (``tidy.behind_target``: projection short of the
    target, worst share first, at most ``n``): target, projection, shortfall, progress and,
    when the metrics carry it, the net additions a month still needed. With none behind,
    the table says every branch is projected to reach its target (or that no target is
    set)."""
    frame = tidy.behind_target(unit, raw=True, n=n)
    frame["office"] = named(frame.branch_name, frame.branch_code)
    frame["shortfall"] = -frame.target_gap
    spec: list[tuple[str, str] | tuple[str, str, str]] = [
        ("office", "text", "branch"),
        *_with_region(unit),
        ("target", "int"),
        ("projection_december", "int"),
        ("shortfall", "int"),
        ("target_progress", "pct"),
    ]
    if "required_monthly" in frame:
        frame["required_monthly"] = frame.required_monthly.map(
            lambda v: v if f.is_missing(v) else math.ceil(v)
        )
        spec.append(("required_monthly", "int"))
    empty = ""
    offices = unit.branches
    if not offices.empty:
        targets = offices[offices.target.notna()]
        if targets.empty:
            empty = word("no_target", lang)
        elif targets.on_track.eq(True).all():
            empty = word("none_behind", lang)
    return Table(frame, cols(lang, *spec), lang, css="ranking", empty=empty)


def movers(unit: Unit, lang: Lang = "id", n: int = tidy.EACH_WAY) -> Table:
    """The offices whose active members rose most and fell most since last month
    (``tidy.movers``: at most ``n`` each way), "Naik" / "Turun", with the change in the
    on-time rate beside it in percentage points. Active members under 5 read "< 5" and the
    changes from them "–" (``tidy.safe_movers``)."""
    raw = tidy.movers(unit, raw=True, n=n).drop(columns="suppressed")
    frame = tidy.safe_movers(raw)
    frame["office"] = named(raw.branch_name, raw.branch_code)
    directions = {"up": word("moved_up", lang), "down": word("moved_down", lang)}
    frame["direction"] = raw.direction.map(directions)
    columns = cols(
        lang,
        ("direction", "text"),
        ("office", "text", "branch"),
        *_with_region(unit),
        ("active_prev", "int"),
        ("active", "int", "active_members"),
        ("active_change", "signed"),
        ("on_time_rate_change", "points"),
    )
    empty = word("no_movers", lang) if not unit.branches.empty else ""
    return Table(
        frame,
        columns,
        lang,
        css="ranking",
        footnote=privacy_note(frame, columns, lang),
        empty=empty,
    )


def outreach_by_office(unit: Unit, lang: Lang = "id") -> Table:
    """The year's outreach per branch of a region, or per region of the country
    (``tidy.outreach_by_office``), the most registered first, with a total row whose
    conversion is recomputed from the sums: what the region and national reports show
    instead of every event (a branch's own report lists its events)."""
    frame = tidy.outreach_by_office(unit)
    level = "region" if unit.kind == "national" else "branch"
    frame["office"] = named(frame[f"{level}_name"], frame[f"{level}_code"])
    counts = ["events", *tidy.OUTREACH_COUNTS]
    sums = {c: int(frame[c].sum()) for c in counts}
    conversion = sums["registered"] / sums["potential"] if sums["potential"] else None
    total = {"office": word("total", lang), **sums, "conversion": conversion}
    columns = cols(
        lang,
        ("office", "text", level),
        ("events", "int", "event_count"),
        ("potential", "int"),
        ("registered", "int", "enrolled"),
        ("conversion", "pct"),
        ("paid", "int"),
        ("active_now", "int"),
    )
    return Table(frame, columns, lang, css="ranking", total=total)
