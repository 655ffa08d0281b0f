"""``bpu-reports db status`` and the warehouse's data range (``--period latest``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from bpu_reports.cli import main
from bpu_reports.data import store
from bpu_reports.period import Period
from bpu_reports.run.selection import resolve_period
from factories import build_warehouse, event, member, payment
from handmade import handmade_tables


def test_status_json_counts_rows_and_lists_offices(capsys, handmade_db: Path) -> None:
    assert main(["--db", str(handmade_db), "db", "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    tables = handmade_tables()
    assert data["rows"] == {name: len(tables[name]) for name in data["rows"]}
    assert data["source"] == "test" and data["demo"] is False
    # the data range runs from the first registration (2016-05-01) to the last payment or
    # registration (2017-08-02, p4's late payment); August is not complete
    assert (data["first_period"], data["last_period"]) == ("2016-05", "2017-08")
    assert data["complete_through"] == "2017-07"
    assert data["data_cutoff"] == "2017-08-02"
    (region,) = data["regions"]
    assert region["code"] == "R1" and region["name"] == "Region One"
    assert [(b["code"], b["office_type"]) for b in region["branches"]] == [
        ("A", "KC"),
        ("B", "KCP"),
    ]
    # personal data never: the status is about offices and counts only
    text = json.dumps(data)
    assert "Test Member" not in text and "51710" not in text


def test_status_text_names_the_range_and_the_codes(capsys, handmade_db: Path) -> None:
    assert main(["--db", str(handmade_db), "db", "status"]) == 0
    out = capsys.readouterr().out
    assert "2016-05 … 2017-08" in out
    assert "2017-07 (--period latest)" in out
    assert "KC Alpha" in out and "KCP Beta" in out


def test_planned_events_and_a_month_ending_on_its_last_day(tmp_path: Path) -> None:
    """An outreach event planned for next year does not stretch the data range; data whose
    last date is a month's last day make that month complete."""
    tables = handmade_tables()
    tables["outreach_events"] = [*tables["outreach_events"], event(9, "A", "2031-01-05", 10)]
    tables["participants"] = [m for m in tables["participants"] if m["participant_id"] != 13]
    tables["contributions"] = [
        *(p for p in tables["contributions"] if p["paid_on"] <= dt.date(2017, 7, 31)),
        payment(99_001, 1, "2017-07-31", "2017-08-01", 1),
    ]
    path = build_warehouse(tmp_path / "w.duckdb", tables)
    with store.connect(path) as con:
        info = store.info(con)
    assert (info.last_period, info.complete_through) == (Period(2017, 7), Period(2017, 7))
    assert info.data_cutoff == dt.date(2017, 7, 31)


def test_period_latest_is_the_last_complete_month(handmade_db: Path) -> None:
    with store.connect(handmade_db) as con:
        info = store.info(con)
    assert resolve_period("latest", info=info) == Period(2017, 7)
    assert resolve_period("previous", today=dt.date(2026, 11, 25)) == Period(2026, 10)


def test_text_identifiers_keep_leading_zeros(tmp_path: Path) -> None:
    """``00123`` and ``123`` are two members, each with their own payment."""
    tables = handmade_tables()
    tables["participants"] = [
        {**member(1, "A", "2017-01-10"), "participant_id": "00123"},
        {**member(2, "A", "2017-01-10"), "participant_id": "123"},
    ]
    tables["contributions"] = [
        {**payment(1, 1, "2017-07-10", "2017-07-01", 1), "participant_id": "00123"},
        {**payment(2, 2, "2017-06-10", "2017-06-01", 1), "participant_id": "123"},
    ]
    path = build_warehouse(tmp_path / "w.duckdb", tables)
    with store.connect(path) as con:
        rows = con.execute(
            "SELECT participant_id, member_key FROM participants ORDER BY participant_id"
        ).fetchall()
        paid = con.execute(
            "SELECT participant_id, max(first_month) FROM contributions c "
            "JOIN participants p USING (participant_id, member_key) GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert [r[0] for r in rows] == ["00123", "123"]
    assert rows[0][1] != rows[1][1]
    assert paid == [("00123", dt.date(2017, 7, 1)), ("123", dt.date(2017, 6, 1))]
