"""Build a demo warehouse: every office of a scale, one branch at a time, bulk-inserted.

Each branch draws from its own random streams, keyed by the seed and the branch code, so a
branch's data does not depend on which other branches the scale has (KC Bali Denpasar is the
same in the bali and the national demo; only the ids differ).
"""

from __future__ import annotations

import contextlib
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bpu_reports.data import store
from bpu_reports.data.contract import CHANNELS, SEGMENTS
from bpu_reports.data.demo import events, members, names, payments, recipients, tariff
from bpu_reports.data.demo.calibration import CALIBRATIONS
from bpu_reports.data.demo.organisation import Office, organisation
from bpu_reports.data.demo.targets import targets
from bpu_reports.data.demo.timeline import Timeline, check_until, default_until, timeline
from bpu_reports.period import Period

KPJ_DIGITS = 11
"""Membership (KPJ) numbers: eleven digits, leading zeros kept."""
DEFAULT_SEED = 20170730
"""The day of the Renon outreach event."""


FLUSH_ROWS = 2_000_000
"""Rows gathered before one bulk insert: DuckDB appends few large frames much faster."""


@dataclass(frozen=True)
class _Text:
    """Text identifiers still to be written out, as real systems write them: ``numbers``
    zero-padded to ``width`` digits after ``prefix``, null where ``null`` is true. The
    writer's thread writes them out, once per insert."""

    prefix: str
    numbers: np.ndarray
    width: int
    null: np.ndarray | None = None

    def array(self) -> pa.Array:
        digits = pc.utf8_lpad(
            pc.cast(pa.array(self.numbers), pa.string()), width=self.width, padding="0"
        )
        text = pc.binary_join_element_wise(self.prefix, digits, "") if self.prefix else digits
        if self.null is None:
            return text
        return pc.if_else(pa.array(self.null), pa.nulls(len(text), pa.string()), text)

    @staticmethod
    def concat(parts: list[_Text]) -> _Text:
        nulls = [np.zeros(len(p.numbers), bool) if p.null is None else p.null for p in parts]
        return _Text(
            parts[0].prefix,
            np.concatenate([p.numbers for p in parts]),
            parts[0].width,
            None if all(p.null is None for p in parts) else np.concatenate(nulls),
        )


_Part = tuple[pa.Table, dict[str, _Text]]


class _Writer:
    """Buffers generated frames per table and inserts them in large batches, in a thread of
    its own, while the next branch is generated: numpy, Arrow and DuckDB release the GIL, so
    generation and insertion share the machine's cores. One batch at a time is handed to
    the thread (the next waits for it), which bounds the memory held.

    Use as a context manager: leaving the block inserts what is left and waits for it; the
    connection is then free for the caller again."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.pending: dict[str, list[_Part]] = {}
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-writer")
        self._inserting: Future[None] | None = None

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            if kind is None:
                self.flush()
            self._wait()
        finally:
            self._thread.shutdown(wait=True)

    def add(self, name: str, frame: pa.Table, text: dict[str, _Text] | None = None) -> None:
        """Queue ``frame`` for table ``name``, with the text columns ``text`` still to write."""
        self.pending.setdefault(name, []).append((frame, text or {}))
        if sum(len(f) for f, _ in self.pending[name]) >= FLUSH_ROWS:
            self.flush(name)

    def flush(self, name: str | None = None) -> None:
        for table in [name] if name else list(self.pending):
            parts = self.pending.pop(table, [])
            if parts:
                self._wait()
                self._inserting = self._thread.submit(self._insert, table, parts)

    def _wait(self) -> None:
        inserting, self._inserting = self._inserting, None
        if inserting is not None:
            inserting.result()  # an insert's error is raised here, in the generating thread

    def _insert(self, name: str, parts: list[_Part]) -> None:
        frame = pa.concat_tables([f for f, _ in parts])
        for column in parts[0][1]:
            texts = _Text.concat([t[column] for _, t in parts])
            frame = frame.append_column(column, texts.array())
        _insert(self.con, name, frame)


@dataclass
class _Ids:
    """Running id counters across branches: ids are 1, 2, … in build order."""

    event: int = 0
    participant: int = 0
    payment: int = 0


def build_demo(
    path: Path | str,
    scale: str = "bali",
    seed: int = DEFAULT_SEED,
    until: Period | None = None,
) -> store.WarehouseInfo:
    """Build the demo warehouse of ``scale`` (``bali`` or ``national``) at ``path``, with
    history from July 2015 to ``until`` (default: the last complete month before today).

    Deterministic: the same seed and ``until`` give identical table contents. Returns the
    warehouse's info.
    """
    until = check_until(until or default_until())
    tl = timeline(until)
    org = organisation(scale)
    with store.build(path, source=f"demo:{scale}", complete_through=until) as con:
        codes, region_names = zip(*org.regions, strict=True)
        _insert(con, "regions", pa.table({"region_code": codes, "region_name": region_names}))
        _insert(
            con,
            "branches",
            pa.table(
                {
                    "branch_code": [o.code for o in org.offices],
                    "branch_name": [o.name for o in org.offices],
                    "region_code": [o.region_code for o in org.offices],
                    "office_type": [o.office_type for o in org.offices],
                }
            ),
        )
        _insert(con, "recipients", recipients.recipients(org))
        con.execute("SET enable_progress_bar = false")
        ids = _Ids()
        with _Writer(con) as writer:
            for office in org.offices:
                writer.add("targets", _branch(writer, office, seed, ids, tl))
    with contextlib.closing(store.connect(path)) as con:
        return store.info(con)


def _streams(seed: int, code: str) -> list[np.random.Generator]:
    key = zlib.crc32(code.encode())
    children = np.random.SeedSequence(seed, spawn_key=(key,)).spawn(5)
    return [np.random.default_rng(s) for s in children]


def _branch(out: _Writer, office: Office, seed: int, ids: _Ids, tl: Timeline) -> pa.Table:
    """Generate and insert one branch's events, members and payments; return its targets."""
    ev_rng, member_rng, pay_rng, name_rng, target_rng = _streams(seed, office.code)
    calib = CALIBRATIONS.get(office.code)
    ev = events.generate(office, ev_rng, tl)
    m = members.generate(office, ev, member_rng, calib, tl)
    pays = payments.simulate(m, pay_rng, tl, bali=office.bali, calib=calib)
    # a membership closed in month t ends on the month's last day
    closed = pays.closed_t != members.NO_EXIT
    last_days = tl.month_start[1:] - np.timedelta64(1, "D")
    exit_date = m.exit_date.copy()
    exit_date[closed] = last_days[pays.closed_t[closed]]

    out.add(
        "outreach_events",
        pa.table(
            {
                "branch_code": pa.array([office.code] * len(ev), pa.string()),
                "held_on": ev.held_on,
                "title": pa.array(ev.title, pa.string()),
                "venue": pa.array(ev.venue, pa.string()),
                "segment": _labels(SEGMENTS, ev.segment),
                "potential": ev.potential,
            }
        ),
        {"event_id": _Text("EV-", np.arange(ids.event + 1, ids.event + 1 + len(ev)), 6)},
    )
    personal = names.personal_data(office, len(m), name_rng)
    event_id = np.where(m.event >= 0, ids.event + 1 + m.event.astype(np.int64), 0)
    keys = np.arange(ids.participant + 1, ids.participant + 1 + len(m))
    out.add(
        "participants",
        pa.table(
            {
                "member_key": keys.astype(np.int32),
                "branch_code": pa.repeat(office.code, len(m)),
                "registered_on": m.reg_date,
                "segment": _labels(SEGMENTS, m.segment),
                "channel": _labels(CHANNELS, m.channel),
                "declared_income": m.income.astype(np.int64) * 1_000_000,
                "has_jht": m.has_jht,
                "exited_on": pa.array(exit_date, from_pandas=True),
                **personal,
            }
        ),
        {
            "participant_id": _Text("", keys, KPJ_DIGITS),
            "event_id": _Text("EV-", event_id, 6, null=m.event < 0),
        },
    )
    out.add("contributions", *_contributions(m, pays, ids, tl))
    ids.event += len(ev)
    ids.participant += len(m)
    ids.payment += len(pays)
    return targets(office, m, exit_date, target_rng, tl)


def _contributions(
    m: members.Members, p: payments.Payments, ids: _Ids, tl: Timeline
) -> tuple[pa.Table, dict[str, _Text]]:
    paid_on = tl.month_start[p.t] + (p.day.astype(np.int64) - 1).astype("timedelta64[D]")
    order = np.argsort(paid_on, kind="stable")  # payment ids follow the calendar
    who = p.member[order]
    amounts = tariff.amounts(
        tl.last,
        transport=m.segment[who] == SEGMENTS.index("ojek_online"),
        bracket=m.income[who],
        has_jht=m.has_jht[who],
        start=p.start[order],
        months=p.months[order],
    )
    keys = ids.participant + 1 + who.astype(np.int64)
    frame = pa.table(
        {
            "member_key": keys.astype(np.int32),
            "paid_on": paid_on[order],
            "first_month": tl.month_start[p.start[order]],
            "months": p.months[order].astype(np.int32),
            **amounts,
        }
    )
    return frame, {
        "payment_id": _Text("INV-", np.arange(ids.payment + 1, ids.payment + 1 + len(p)), 10),
        "participant_id": _Text("", keys, KPJ_DIGITS),
    }


def _labels(labels: tuple[str, ...], index: np.ndarray) -> pa.Array:
    return pc.take(pa.array(labels, pa.string()), pa.array(index.astype(np.int32)))


def _insert(con: duckdb.DuckDBPyConnection, name: str, frame: pa.Table) -> None:
    store.insert(con, name, frame)
