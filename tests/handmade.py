"""A hand-made warehouse whose metric values are worked out by hand in the tests.

Branch A (region R1), report month July 2017 (cut-off 31 July; due date Monday 17 July because
the 15th is a Saturday). Every payment is at the Rp16.800 minimum (10.000 JKK + 6.800 JKM).

  p1  reg 2017-01-10, pays monthly on the 10th Jan…Jul        -> active, on time
  p2  reg 2017-01-10, Jan–Jun paid 01-10, Jul paid 07-17     -> active, on time (on the due date)
  p3  reg 2017-01-10, Jan–Jun paid 01-10, Jul paid 07-18     -> active, late (a day after)
  p4  reg 2017-01-10, Jan–Jun paid 01-10, Jul paid 08-02     -> 1 behind (paid after cut-off)
  p5  reg 2017-03-05 at event 1, 12 months Mar 17–Feb 18     -> active, on time (prepaid)
  p6  reg 2017-02-01, Feb paid 02-01, Mar–Jul paid 07-20     -> active, late (back-payment)
  p7  reg 2017-07-05, never paid                              -> 1 behind (registration month)
  p8  reg 2016-10-01, Oct 16–Apr 17 (7 months) paid 16-10-01  -> 3 behind, in arrears
  p9  reg 2016-10-01, Oct 16–Mar 17 (6 months) paid 16-10-01  -> 4 behind, non-active
  p10 reg 2016-05-01, exited 2017-07-20                       -> not registered in July
  p11 reg 2016-05-01, exits 2017-08-05, Aug 16–Jul 17 prepaid -> active, on time
  p12 reg 2016-11-01, 12 months Nov 16–Oct 17 paid 16-11-01   -> active, on time (across a year)
  p13 reg 2017-08-01                                          -> after the cut-off: absent
  p14 reg 2017-07-30 at event 2, Jul–Dec paid 07-30           -> active, late (after the due date)
  p15 reg 2017-07-30 at event 2, never paid                   -> 1 behind

Branch B (region R1):
  q1  reg 2017-06-20, Jun paid 06-20, Jul paid 07-14          -> active, on time
  q2  reg 2017-06-01, never paid                              -> 2 behind
  q3  reg 2017-01-02, Jan–Jun paid 01-02, Jul paid 07-16 (Sun) -> active, on time
  q4  reg 2017-01-02, Jan paid 01-02, Feb paid 02-16          -> on time in Feb (15th a holiday)
  q5  reg 2017-01-02, Jan paid 01-02, Feb paid 02-17          -> late in Feb; July: non-active
"""

from __future__ import annotations

from factories import event, member, payment

P = "pedagang_pasar"


def handmade_tables() -> dict[str, list[dict]]:
    members = [
        member(1, "A", "2017-01-10"),
        member(2, "A", "2017-01-10"),
        member(3, "A", "2017-01-10"),
        member(4, "A", "2017-01-10"),
        member(5, "A", "2017-03-05", segment=P, channel="sosialisasi", event=1),
        member(6, "A", "2017-02-01", segment=P),
        member(7, "A", "2017-07-05", segment=P),
        member(8, "A", "2016-10-01", segment=P),
        member(9, "A", "2016-10-01", segment=P),
        member(10, "A", "2016-05-01", segment="petani", exited="2017-07-20"),
        member(11, "A", "2016-05-01", exited="2017-08-05"),
        member(12, "A", "2016-11-01"),
        member(13, "A", "2017-08-01", segment="petani"),
        member(14, "A", "2017-07-30", channel="sosialisasi", event=2),
        member(15, "A", "2017-07-30", channel="sosialisasi", event=2),
        member(101, "B", "2017-06-20"),
        member(102, "B", "2017-06-01"),
        member(103, "B", "2017-01-02"),
        member(104, "B", "2017-01-02"),
        member(105, "B", "2017-01-02"),
    ]
    pays = [
        *(payment(100 + m, 1, f"2017-{m:02d}-10", f"2017-{m:02d}-01", 1) for m in range(1, 8)),
        payment(201, 2, "2017-01-10", "2017-01-01", 6),
        payment(202, 2, "2017-07-17", "2017-07-01", 1),
        payment(301, 3, "2017-01-10", "2017-01-01", 6),
        payment(302, 3, "2017-07-18", "2017-07-01", 1),
        payment(401, 4, "2017-01-10", "2017-01-01", 6),
        payment(402, 4, "2017-08-02", "2017-07-01", 1),
        payment(501, 5, "2017-03-05", "2017-03-01", 12),
        payment(601, 6, "2017-02-01", "2017-02-01", 1),
        payment(602, 6, "2017-07-20", "2017-03-01", 5),
        payment(801, 8, "2016-10-01", "2016-10-01", 7),
        payment(901, 9, "2016-10-01", "2016-10-01", 6),
        payment(1001, 10, "2016-05-01", "2016-05-01", 12),
        payment(1002, 10, "2017-06-01", "2017-05-01", 8),
        payment(1101, 11, "2016-05-01", "2016-05-01", 3),
        payment(1102, 11, "2016-08-01", "2016-08-01", 12),
        payment(1201, 12, "2016-11-01", "2016-11-01", 12),
        payment(1401, 14, "2017-07-30", "2017-07-01", 6),
        payment(10101, 101, "2017-06-20", "2017-06-01", 1),
        payment(10102, 101, "2017-07-14", "2017-07-01", 1),
        payment(10301, 103, "2017-01-02", "2017-01-01", 6),
        payment(10302, 103, "2017-07-16", "2017-07-01", 1),
        payment(10401, 104, "2017-01-02", "2017-01-01", 1),
        payment(10402, 104, "2017-02-16", "2017-02-01", 1),
        payment(10501, 105, "2017-01-02", "2017-01-01", 1),
        payment(10502, 105, "2017-02-17", "2017-02-01", 1),
    ]
    return {
        "regions": [{"region_code": "R1", "region_name": "Region One"}],
        "branches": [
            {
                "branch_code": "A",
                "branch_name": "KC Alpha",
                "region_code": "R1",
                "office_type": "KC",
            },
            {
                "branch_code": "B",
                "branch_name": "KCP Beta",
                "region_code": "R1",
                "office_type": "KCP",
            },
        ],
        "outreach_events": [
            event(1, "A", "2017-03-05", 50, "Pasar pagi"),
            event(2, "A", "2017-07-30", 100, "Pengemudi online"),
            event(3, "B", "2016-12-01", 40, "Tahun lalu"),
        ],
        "participants": members,
        "contributions": pays,
        "targets": [
            {"branch_code": "A", "year": 2017, "target_registered": 20},
            {"branch_code": "B", "year": 2017, "target_registered": 10},
        ],
    }
