"""The demo generator: contract-valid, deterministic, and calibrated to the seed's figures.

The calibration is checked with an SQL implementation of SPEC §2 written here, independently
of the metrics package.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from bpu_reports.data import reference, store
from bpu_reports.data.contract import CHANNELS, CODE_PATTERN, SEGMENTS, TABLES, schema
from bpu_reports.data.demo import DEFAULT_SEED, build_demo
from bpu_reports.data.demo import build as demo_build
from bpu_reports.errors import ParameterError
from bpu_reports.period import Period
from factories import PINNED_UNTIL

FIRST_DAY, LAST_DAY = "2015-07-01", "2018-12-31"
BALI_CODES = {"DPS", "GIA", "SGR", "BDU", "TAB", "JMB", "KLK", "KRA"}


def status(con: duckdb.DuckDBPyConnection, year: int, month: int, branch: str | None = None):
    """(registered, active, on_time) of a branch (or all) for a report month, per SPEC §2."""
    cutoff = dt.date(year, month, 1).replace(day=28) + dt.timedelta(days=4)
    cutoff -= dt.timedelta(days=cutoff.day)
    due = reference.due_date(year, month)
    where = "" if branch is None else f"AND branch_code = '{branch}'"
    m_idx = year * 12 + month - 1
    return con.execute(
        f"""
        WITH reg AS (
            SELECT participant_id, registered_on FROM participants
            WHERE registered_on <= DATE '{cutoff}' {where}
              AND (exited_on IS NULL OR exited_on > DATE '{cutoff}')
        ),
        pay AS (
            SELECT c.*, year(first_month) * 12 + month(first_month) - 1 AS first_idx
            FROM contributions c JOIN reg USING (participant_id)
            WHERE paid_on <= DATE '{cutoff}'
        ),
        through AS (
            SELECT participant_id, max(first_idx + months - 1) AS paid_through
            FROM pay GROUP BY participant_id
        ),
        covered_on_time AS (
            SELECT DISTINCT participant_id FROM pay
            WHERE paid_on <= DATE '{due}' AND first_idx <= {m_idx}
              AND first_idx + months - 1 >= {m_idx}
        ),
        st AS (
            SELECT reg.participant_id,
                   {m_idx} - coalesce(
                       paid_through,
                       year(registered_on) * 12 + month(registered_on) - 2
                   ) AS months_behind,
                   o.participant_id IS NOT NULL AS covered
            FROM reg
            LEFT JOIN through USING (participant_id)
            LEFT JOIN covered_on_time o USING (participant_id)
        )
        SELECT count(*),
               count(*) FILTER (WHERE months_behind <= 0),
               count(*) FILTER (WHERE months_behind <= 0 AND covered)
        FROM st
        """
    ).fetchall()[0]


def violations(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]


# --- the contract --------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(TABLES))
def test_tables_pass_the_contract_schema(bali_con: duckdb.DuckDBPyConnection, name: str) -> None:
    frame = bali_con.table(name).df()
    assert len(frame) > 0
    schema(TABLES[name]).validate(frame, lazy=True)


def test_foreign_keys_hold(bali_con: duckdb.DuckDBPyConnection) -> None:
    for table in TABLES.values():
        for fk in table.foreign_keys:
            orphans = violations(
                bali_con,
                f"SELECT t.{fk.column} FROM {table.name} t "
                f"ANTI JOIN {fk.table} r ON t.{fk.column} = r.{fk.ref_column} "
                f"WHERE t.{fk.column} IS NOT NULL",
            )
            assert orphans == 0, f"{table.name}.{fk.column} → {fk.table}"


RULES = {
    "first_month is the 1st of a month": "SELECT * FROM contributions WHERE day(first_month) <> 1",
    "months 1-12": "SELECT * FROM contributions WHERE months NOT BETWEEN 1 AND 12",
    "amounts >= 0": (
        "SELECT * FROM contributions WHERE least(amount_jkk, amount_jkm, amount_jht) < 0"
    ),
    "first_month not before the registration month": """
        SELECT * FROM contributions JOIN participants USING (participant_id)
        WHERE first_month < date_trunc('month', registered_on)""",
    "paid_on not before registered_on": """
        SELECT * FROM contributions JOIN participants USING (participant_id)
        WHERE paid_on < registered_on""",
    "exited_on not before registered_on": (
        "SELECT * FROM participants WHERE exited_on < registered_on"
    ),
    "no payment after exited_on": """
        SELECT * FROM contributions JOIN participants USING (participant_id)
        WHERE paid_on > exited_on""",
    "dates within the history": f"""
        SELECT d FROM (
            SELECT registered_on AS d FROM participants
            UNION ALL SELECT exited_on FROM participants WHERE exited_on IS NOT NULL
            UNION ALL SELECT paid_on FROM contributions
            UNION ALL SELECT held_on FROM outreach_events
        ) WHERE d NOT BETWEEN DATE '{FIRST_DAY}' AND DATE '{LAST_DAY}'""",
    "event members: channel sosialisasi, registered at the event, same branch": """
        SELECT * FROM participants p LEFT JOIN outreach_events e USING (event_id)
        WHERE (p.event_id IS NOT NULL) <> (p.channel = 'sosialisasi')
           OR (p.event_id IS NOT NULL AND (p.registered_on <> e.held_on
               OR p.branch_code <> e.branch_code))""",
    "perisai agents only from February 2018": """
        SELECT * FROM participants
        WHERE channel = 'perisai' AND registered_on < DATE '2018-02-01'""",
    "segments and channels of the contract": f"""
        SELECT segment FROM participants WHERE segment NOT IN {SEGMENTS}
        UNION ALL SELECT segment FROM outreach_events WHERE segment NOT IN {SEGMENTS}
        UNION ALL SELECT channel FROM participants WHERE channel NOT IN {CHANNELS}""",
    "declared income in Rp1.000.000 steps": """
        SELECT * FROM participants
        WHERE declared_income < 1000000 OR declared_income % 1000000 <> 0""",
}


@pytest.mark.parametrize("rule", list(RULES))
def test_contract_rules_hold(bali_con: duckdb.DuckDBPyConnection, rule: str) -> None:
    assert violations(bali_con, RULES[rule]) == 0


def test_amounts_follow_the_rates_table(bali_con: duckdb.DuckDBPyConnection) -> None:
    reference.register(bali_con)
    wrong = violations(
        bali_con,
        """
        WITH covered AS (
            SELECT c.payment_id, p.declared_income, p.has_jht,
                   CASE WHEN p.segment = 'ojek_online' THEN 'transport' ELSE 'other' END AS sector,
                   (c.first_month + to_months(CAST(k AS INTEGER)))::DATE AS month
            FROM contributions c JOIN participants p USING (participant_id),
                 range(c.months) AS r(k)
        ),
        expected AS (
            SELECT payment_id,
                   sum(round(declared_income * r.jkk_rate)) AS jkk,
                   sum(r.jkm_amount) AS jkm,
                   sum(CASE WHEN has_jht THEN round(declared_income * r.jht_rate) ELSE 0 END)
                       AS jht
            FROM covered JOIN ref_rates r
              ON r.sector = covered.sector AND month BETWEEN r.valid_from AND r.valid_to
            GROUP BY payment_id
        )
        SELECT * FROM contributions c LEFT JOIN expected e USING (payment_id)
        WHERE e.payment_id IS NULL OR c.amount_jkk <> e.jkk OR c.amount_jkm <> e.jkm
           OR c.amount_jht <> e.jht
        """,
    )
    assert wrong == 0


def test_personal_data_is_fake_but_shaped_like_real_exports(
    bali_con: duckdb.DuckDBPyConnection,
) -> None:
    rows = bali_con.execute(
        "SELECT count(*), count(DISTINCT nik), "
        "count(*) FILTER (WHERE NOT regexp_full_match(nik, '[1-9][0-9]{15}')), "
        "count(*) FILTER (WHERE NOT regexp_full_match(phone, '08[0-9]{8,11}')), "
        "count(*) FILTER (WHERE NOT regexp_full_match(full_name, '[A-Z][a-z]*( [A-Z][a-z]*)+')) "
        "FROM participants"
    ).fetchall()[0]
    total, distinct, bad_nik, bad_phone, bad_name = rows
    assert distinct == total
    assert bad_nik == bad_phone == bad_name == 0


# --- the organisation ----------------------------------------------------------------------


def test_bali_offices(bali_con: duckdb.DuckDBPyConnection) -> None:
    assert bali_con.execute("SELECT * FROM regions").fetchall() == [
        ("BANUSPA", "Bali, Nusa Tenggara, Papua")
    ]
    branches = dict(bali_con.execute("SELECT branch_code, branch_name FROM branches").fetchall())
    assert set(branches) == BALI_CODES
    assert branches["DPS"] == "KC Bali Denpasar"
    types = dict(
        bali_con.execute(
            "SELECT office_type, count(*) FROM branches GROUP BY office_type"
        ).fetchall()
    )
    assert types["KC"] >= 3 and types["KCP"] >= 3


def test_a_quiet_office_has_a_few_hundred_members_and_few_events(
    bali_con: duckdb.DuckDBPyConnection,
) -> None:
    members, events = bali_con.execute(
        "SELECT (SELECT count(*) FROM participants WHERE branch_code = 'KLK'), "
        "(SELECT count(*) FROM outreach_events WHERE branch_code = 'KLK')"
    ).fetchall()[0]
    assert 100 <= members < 1_000
    assert events <= 2


def test_every_branch_has_targets_2015_to_2018(bali_con: duckdb.DuckDBPyConnection) -> None:
    missing = violations(
        bali_con,
        "SELECT branch_code, y FROM branches, range(2015, 2019) AS r(y) "
        "ANTI JOIN targets t ON t.branch_code = branches.branch_code AND t.year = y",
    )
    assert missing == 0
    (dps,) = bali_con.execute(
        "SELECT target_registered FROM targets WHERE branch_code = 'DPS' AND year = 2017"
    ).fetchall()[0]
    assert dps == 30_000


# --- the seed's story ----------------------------------------------------------------------


def assert_dps_calibrated(con: duckdb.DuckDBPyConnection) -> None:
    registered, active, on_time = status(con, 2017, 7, "DPS")
    assert abs(registered - 16_800) <= 168
    assert abs(active - 6_800) <= 68
    assert abs(on_time / active - 0.60) <= 0.01


def test_dps_july_2017_matches_the_seed(bali_con: duckdb.DuckDBPyConnection) -> None:
    assert reference.due_date(2017, 7) == dt.date(2017, 7, 17)
    assert_dps_calibrated(bali_con)


def test_renon_event_of_30_july_2017(bali_con: duckdb.DuckDBPyConnection) -> None:
    (event_id, segment, potential, held_on) = bali_con.execute(
        "SELECT event_id, segment, potential, held_on FROM outreach_events "
        "WHERE branch_code = 'DPS' AND venue = 'Lapangan Puputan Renon'"
    ).fetchall()[0]
    assert (segment, potential, held_on) == ("ojek_online", 2000, dt.date(2017, 7, 30))
    members = bali_con.execute(
        f"""
        SELECT count(*),
               count(*) FILTER (WHERE registered_on = DATE '2017-07-30'
                                  AND channel = 'sosialisasi' AND segment = 'ojek_online'),
               count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM contributions c
                   WHERE c.participant_id = p.participant_id AND c.paid_on = DATE '2017-07-30'
                     AND c.first_month = DATE '2017-07-01' AND c.months = 6)),
               count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM contributions c
                   WHERE c.participant_id = p.participant_id AND c.paid_on >= DATE '2018-01-01'))
        FROM participants p WHERE event_id = '{event_id}'
        """
    ).fetchall()[0]
    total, at_event, paid_six, paid_2018 = members
    assert total == at_event == paid_six == 450
    assert 20 <= paid_2018 <= 225  # some keep paying, many lapse in 2018


def test_market_trader_outreach_after_july(bali_con: duckdb.DuckDBPyConnection) -> None:
    venues, potential = bali_con.execute(
        "SELECT string_agg(venue, '; '), sum(potential) FROM outreach_events "
        "WHERE branch_code = 'DPS' AND segment = 'pedagang_pasar' "
        "AND held_on BETWEEN DATE '2017-08-01' AND DATE '2017-11-30'"
    ).fetchall()[0]
    assert 1_400 <= potential <= 1_600
    for place in ("Sesetan", "Dangin Puri Kangin", "Ubung Kaja", "Tiara Dewata", "Kumbasari"):
        assert place in venues


# --- determinism ---------------------------------------------------------------------------


@pytest.mark.slow
def test_same_seed_same_data_other_seed_other_data(bali_demo: Path, tmp_path: Path) -> None:
    with store.connect(bali_demo) as con:
        first = store.table_checksums(con)
    build_demo(tmp_path / "again.duckdb", seed=DEFAULT_SEED, until=PINNED_UNTIL)
    build_demo(tmp_path / "other.duckdb", seed=DEFAULT_SEED + 1, until=PINNED_UNTIL)
    with store.connect(tmp_path / "again.duckdb") as con:
        assert store.table_checksums(con) == first
    with store.connect(tmp_path / "other.duckdb") as con:
        other = store.table_checksums(con)
        assert_dps_calibrated(con)  # by construction, whatever the seed
    for name in ("outreach_events", "participants", "contributions"):
        assert other[name] != first[name]


def test_unknown_scale_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="scale"):
        build_demo(tmp_path / "x.duckdb", scale="jawa")
    assert not (tmp_path / "x.duckdb").exists()


def test_an_insert_that_fails_fails_the_build_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Payments are inserted in a thread of their own while the next branch is generated: an
    insert's error must still stop the build, reach the caller and publish nothing."""
    real = demo_build._insert
    inserted: list[str] = []

    def insert(con: duckdb.DuckDBPyConnection, name: str, frame: object) -> None:
        if name == "contributions":
            raise OSError("disk full")
        inserted.append(name)
        real(con, name, frame)

    monkeypatch.setattr(demo_build, "_insert", insert)
    with pytest.raises(OSError, match="disk full"):
        build_demo(tmp_path / "w.duckdb", until=Period(2017, 12))
    assert "participants" in inserted  # it failed in the writer, after other inserts
    assert list(tmp_path.iterdir()) == []


# --- national scale ------------------------------------------------------------------------


@pytest.mark.slow
def test_national_scale(tmp_path: Path) -> None:
    info = build_demo(tmp_path / "national.duckdb", scale="national", until=PINNED_UNTIL)
    assert info.source == "demo:national"
    with store.connect(tmp_path / "national.duckdb") as con:
        assert con.execute("SELECT count(*) FROM regions").fetchall()[0][0] == 11
        types = dict(
            con.execute("SELECT office_type, count(*) FROM branches GROUP BY 1").fetchall()
        )
        assert types == {"KC": 103, "KCP": 203}
        codes = [c for (c,) in con.execute("SELECT branch_code FROM branches").fetchall()]
        assert all(re.match(CODE_PATTERN, c) for c in codes)
        bali = con.execute(
            "SELECT branch_code FROM branches WHERE region_code = 'BANUSPA'"
        ).fetchall()
        assert {c for (c,) in bali} >= BALI_CODES
        registered, active, _ = status(con, 2017, 12)
        assert abs(registered - 5_000_000) <= 500_000
        assert abs(active - 1_800_000) <= 180_000
        assert_dps_calibrated(con)


# --- history up to last month ----------------------------------------------------------------

PRESENT = Period(2026, 10)
"""A pinned "last month" for the full-history demo (the CLI's default is the month before
today; the tests must not depend on today's date)."""


@pytest.fixture(scope="module")
def bali_present(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("present") / "bali.duckdb"
    build_demo(path, scale="bali", until=PRESENT)
    return path


@pytest.mark.slow
def test_history_reaches_until_and_keeps_the_seed(bali_present: Path) -> None:
    with store.connect(bali_present) as con:
        info = store.info(con)
        assert (info.first_period, info.last_period) == (Period(2015, 7), PRESENT)
        assert info.complete_through == PRESENT
        assert info.data_cutoff <= PRESENT.cutoff
        assert_dps_calibrated(con)


@pytest.mark.slow
def test_history_follows_the_national_trend(bali_present: Path) -> None:
    """Active members grow as the published national BPU figures do: ≈ 1,8 M (2017) →
    9,19 M (Dec 2023) → 9,58 M (Feb 2025), i.e. × 5,2 and × 5,4 of the end of 2017."""
    with store.connect(bali_present) as con:
        base = status(con, 2017, 12)[1]
        ratio_2023 = status(con, 2023, 12)[1] / base
        ratio_2025 = status(con, 2025, 2)[1] / base
    assert 4.7 <= ratio_2023 <= 5.7, ratio_2023
    assert 4.9 <= ratio_2025 <= 5.9, ratio_2025
    assert ratio_2025 > ratio_2023


@pytest.mark.slow
def test_members_pay_the_rates_in_force(bali_present: Path) -> None:
    """The rates table shows in the data: the PP 49/2020 relief (JKK and JKM cut by 99 %) and
    the PP 50/2025 halving (transport from January 2026, other sectors from April 2026)."""

    def monthly_jkm(con: duckdb.DuckDBPyConnection, first: str, segment_is: str) -> set[int]:
        rows = con.execute(
            f"""
            SELECT DISTINCT c.amount_jkm // c.months FROM contributions c
            JOIN participants p USING (participant_id)
            WHERE c.months = 1 AND c.first_month = DATE '{first}' AND {segment_is}
            """
        ).fetchall()
        return {r[0] for r in rows}

    transport, other = "p.segment = 'ojek_online'", "p.segment <> 'ojek_online'"
    with store.connect(bali_present) as con:
        assert monthly_jkm(con, "2019-10-01", other) == {6_800}
        assert monthly_jkm(con, "2020-10-01", other) == {68}
        assert monthly_jkm(con, "2021-03-01", other) == {6_800}
        assert monthly_jkm(con, "2026-02-01", transport) == {3_400}
        assert monthly_jkm(con, "2026-02-01", other) == {6_800}
        assert monthly_jkm(con, "2026-06-01", other) == {3_400}
        # the relief's due day is the 30th: late payers pay on the 31st, not from the 16th
        share = {year: _share_paid_on_31st(con, year) for year in (2019, 2020)}
    assert reference.due_date(2020, 10).day == 30
    assert share[2020] > 3 * share[2019], share


def _share_paid_on_31st(con: duckdb.DuckDBPyConnection, year: int) -> float:
    """Of the one-month payments for October ``year`` made in October, the share made on the
    31st."""
    late, total = con.execute(
        f"""
        SELECT count(*) FILTER (WHERE day(paid_on) = 31), count(*)
        FROM contributions WHERE first_month = DATE '{year}-10-01' AND months = 1
          AND paid_on BETWEEN DATE '{year}-10-01' AND DATE '{year}-10-31'
        """
    ).fetchall()[0]
    return late / total


@pytest.mark.slow
def test_memberships_long_in_arrears_are_closed_after_2018(bali_present: Path) -> None:
    with store.connect(bali_present) as con:
        registered, active, _ = status(con, 2025, 12)
        before = con.execute(
            "SELECT count(*) FROM participants WHERE exited_on <= DATE '2018-12-31'"
        ).fetchall()[0][0]
        after = con.execute(
            "SELECT count(*) FROM participants WHERE exited_on > DATE '2018-12-31'"
        ).fetchall()[0][0]
    assert after > 10 * before  # the clean-up starts in 2019
    assert active / registered > 0.5


def test_until_outside_the_demo_range_is_refused(tmp_path: Path) -> None:
    from bpu_reports.errors import BpuReportsError

    for until in (Period(2017, 6), Period(2999, 1)):
        with pytest.raises(BpuReportsError, match="--until"):
            build_demo(tmp_path / "x.duckdb", until=until)
    assert not (tmp_path / "x.duckdb").exists()
