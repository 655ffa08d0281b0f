"""Outreach events (*sosialisasi*): the seed's Denpasar events plus plausible ones elsewhere.

Members registered at an event carry its id, its segment and the channel ``sosialisasi``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from bpu_reports.data.contract import SEGMENTS
from bpu_reports.data.demo import behaviour
from bpu_reports.data.demo.organisation import Office
from bpu_reports.data.demo.timeline import T_REF, Timeline, t_of
from bpu_reports.period import Period

PHRASE = {
    "ojek_online": "pengemudi ojek online",
    "pedagang_pasar": "pedagang pasar",
    "petani": "kelompok tani",
    "nelayan": "nelayan",
    "seniman": "seniman dan perajin",
    "pemandu_wisata": "pemandu wisata",
    "lainnya": "pekerja mandiri",
}
VENUES = {
    "ojek_online": ("Lapangan {place}", "Terminal {place}", "GOR {place}"),
    "pedagang_pasar": ("Pasar {place}", "Pasar Induk {place}", "Balai Pertemuan Pasar {place}"),
    "petani": ("Balai Penyuluhan Pertanian {place}", "Kantor Camat {place}"),
    "nelayan": ("Tempat Pelelangan Ikan {place}", "Pelabuhan Perikanan {place}"),
    "seniman": ("Taman Budaya {place}", "Gedung Kesenian {place}"),
    "pemandu_wisata": ("Balai Pertemuan HPI {place}", "Gedung Pariwisata {place}"),
    "lainnya": ("Aula Kantor Cabang {place}", "Kantor Camat {place}", "Balai Kota {place}"),
}
BALI_VENUES = {"petani": ("Balai Subak {place}",), "seniman": ("Balai Banjar {place}",)}


@dataclass(frozen=True)
class Special:
    """An event of the seed's story, placed exactly."""

    held_on: dt.date
    title: str
    venue: str
    segment: str
    potential: int
    registrants: int | None = None  # None: drawn like any event's
    first_months: int = 0  # > 0: every member pays this many months at registration
    lapse: float = 1.0  # lapse-hazard multiplier of its members


RENON = Special(
    dt.date(2017, 7, 30),
    "Sosialisasi BPU pengemudi Grab",
    "Lapangan Puputan Renon",
    "ojek_online",
    potential=2000,
    registrants=450,  # registered at once, each paying 6 months
    first_months=6,
    lapse=2.6,  # many stop paying once the six months run out
)
MARKET_TRADERS = (  # the branch's next targets after Renon: potential ≈ 1.500 in all
    # held on, title, venue, potential
    ("2017-08-20", "pedagang pasar Sesetan", "Pasar Desa Sesetan", 350),
    ("2017-09-10", "pedagang Dangin Puri Kangin", "Balai Banjar Desa Dangin Puri Kangin", 280),
    ("2017-09-24", "pedagang pasar Ubung Kaja", "Pasar Desa Ubung Kaja", 260),
    ("2017-10-15", "pedagang Tiara Dewata", "Pusat Perbelanjaan Tiara Dewata", 300),
    ("2017-11-12", "pedagang Pasar Kumbasari", "Pasar Kumbasari", 310),
)
SPECIAL: dict[str, tuple[Special, ...]] = {
    "DPS": (
        RENON,
        *(
            Special(
                dt.date.fromisoformat(day), f"Sosialisasi BPU {what}", venue, "pedagang_pasar", n
            )
            for day, what, venue, n in MARKET_TRADERS
        ),
    )
}
QUIET_MONTHS = {"DPS": (Period(2017, 7), Period(2017, 11))}
"""Months whose only events are the special ones."""


@dataclass(frozen=True)
class Events:
    """One branch's events in date order; ``registrants`` are the members each recruits."""

    held_on: np.ndarray  # datetime64[D]
    segment: np.ndarray  # int8 index into SEGMENTS
    potential: np.ndarray
    registrants: np.ndarray
    first_months: np.ndarray
    lapse: np.ndarray
    title: list[str]
    venue: list[str]

    def __len__(self) -> int:
        return len(self.held_on)

    def t(self, tl: Timeline) -> np.ndarray:
        return tl.month_t(self.held_on)


def generate(office: Office, rng: np.random.Generator, tl: Timeline) -> Events:
    T = tl.T
    pace = np.minimum(0.6 + 0.6 * np.arange(T) / T_REF, 1.2) * np.sqrt(behaviour.growth(tl))
    rate = office.events_per_month * pace
    if office.code in QUIET_MONTHS:
        first, last = QUIET_MONTHS[office.code]
        rate[t_of(first) : t_of(last) + 1] = 0.0
    t = np.repeat(np.arange(T), rng.poisson(rate))
    n = len(t)
    held_on = tl.weekend_day(t, rng.random(n))
    mix = np.array(behaviour.SEGMENT_MIX[office.profile]) * behaviour.EVENT_APPEAL
    segment = behaviour.choose(rng, np.tile(mix / mix.sum(), (n, 1)))
    potential = np.clip(np.round(rng.lognormal(np.log(220), 0.6, n), -1), 40, 1500).astype(int)
    registrants = rng.binomial(potential, rng.beta(3, 12, n))
    pick = rng.random(n)
    titles = [f"Sosialisasi BPU {PHRASE[SEGMENTS[s]]}" for s in segment]
    venues = [_venue(office, SEGMENTS[s], u) for s, u in zip(segment, pick, strict=True)]

    special = SPECIAL.get(office.code, ())
    sp_pot = np.array([s.potential for s in special], dtype=int)
    drawn = rng.binomial(sp_pot, 0.24) if special else np.zeros(0, int)
    sp_reg = [
        int(d) if s.registrants is None else s.registrants
        for s, d in zip(special, drawn, strict=True)
    ]

    held = np.concatenate([held_on, np.array([s.held_on for s in special], "datetime64[D]")])
    order = np.argsort(held, kind="stable")
    all_titles = [*titles, *(s.title for s in special)]
    all_venues = [*venues, *(s.venue for s in special)]
    return Events(
        held_on=held[order],
        segment=np.concatenate([segment, [SEGMENTS.index(s.segment) for s in special]])[
            order
        ].astype(np.int8),
        potential=np.concatenate([potential, sp_pot])[order],
        registrants=np.concatenate([registrants, np.array(sp_reg, dtype=int)])[order],
        first_months=np.concatenate([np.zeros(n, int), [s.first_months for s in special]])[
            order
        ].astype(np.int8),
        lapse=np.concatenate([np.ones(n), [s.lapse for s in special]])[order],
        title=[all_titles[i] for i in order],
        venue=[all_venues[i] for i in order],
    )


def _venue(office: Office, segment: str, u: float) -> str:
    choices = VENUES[segment] + (BALI_VENUES.get(segment, ()) if office.bali else ())
    return choices[int(u * len(choices))].format(place=office.place)
