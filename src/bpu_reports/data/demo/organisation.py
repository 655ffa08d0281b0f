"""Regions and offices of each demo scale, with each office's size and character.

The organisation is the same for every seed (its sizes come from the fixed ``ORG_SEED``): a
seed changes the members and their behaviour, not which offices exist.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

from bpu_reports.data.contract import CODE_PATTERN
from bpu_reports.data.demo import places
from bpu_reports.errors import ParameterError

ORG_SEED = 20170730
SCALES = ("bali", "national")
BALI_REGION = ("BANUSPA", "Bali, Nusa Tenggara, Papua")
NATIONAL_REGISTERED_2017 = 5_000_000
"""Registered BPU members at the end of 2017, all offices (the national demo's headline)."""
EXIT_ALLOWANCE = 1.035
"""Gross registrations per member still registered at the end of 2017 (exits, see members)."""

PROFILES = ("city", "tourism", "rural", "coastal")


@dataclass(frozen=True)
class Office:
    code: str
    name: str
    region_code: str
    office_type: str  # KC / KCP
    place: str  # used in event titles and venues
    profile: str  # one of PROFILES: drives the segment mix
    size: int  # gross registrations from 2015-07 to the end of 2017
    province: int  # NIK province code
    regency: int  # NIK regency code (unique per office within the province)
    events_per_month: float
    confirmed: bool = True  # False: a plausible office invented for the demo
    bali: bool = False  # Balinese names
    lapse_factor: float = 1.0  # < 1: members keep paying longer (an active BPU marketing unit)

    def __post_init__(self) -> None:
        if not re.match(CODE_PATTERN, self.code):
            raise ValueError(f"bad office code {self.code!r}")


def _bali(
    code: str,
    name: str,
    office_type: str,
    place: str,
    profile: str,
    size: int,
    regency: int,
    events: float,
    confirmed: bool,
    lapse: float = 1.0,
) -> Office:
    return Office(
        code, name, BALI_REGION[0], office_type, place, profile, size, 51, regency, events,
        confirmed=confirmed, bali=True, lapse_factor=lapse,
    )  # fmt: skip


BALI: tuple[Office, ...] = (
    # DPS's size is set by its calibration (16.800 registered at 2017-07), not by this figure.
    # Denpasar has a BPU marketing unit: its members lapse a little less than elsewhere.
    _bali("DPS", "KC Bali Denpasar", "KC", "Denpasar", "city", 20_000, 71, 1.2, True, 0.88),
    _bali("GIA", "KC Bali Gianyar", "KC", "Gianyar", "tourism", 9_000, 4, 0.6, True),
    _bali("SGR", "KC Buleleng (Singaraja)", "KC", "Singaraja", "coastal", 7_500, 8, 0.5, True),
    _bali("BDU", "KC Bali Badung", "KC", "Mangupura", "tourism", 11_000, 3, 0.7, False),
    _bali("TAB", "KCP Tabanan", "KCP", "Tabanan", "rural", 3_600, 2, 0.25, False),
    _bali("JMB", "KCP Jembrana", "KCP", "Negara", "coastal", 1_300, 1, 0.1, False),
    _bali("KLK", "KCP Klungkung", "KCP", "Semarapura", "rural", 380, 5, 0.0, False),
    _bali("KRA", "KCP Karangasem", "KCP", "Amlapura", "rural", 950, 6, 0.06, False),
)


@dataclass(frozen=True)
class Organisation:
    scale: str
    regions: tuple[tuple[str, str], ...]
    offices: tuple[Office, ...]


def organisation(scale: str) -> Organisation:
    if scale == "bali":
        return Organisation(scale, (BALI_REGION,), BALI)
    if scale == "national":
        return _national()
    raise ParameterError(f"unknown demo scale {scale!r}: use {' or '.join(SCALES)}")


def _national() -> Organisation:
    rng = np.random.default_rng(ORG_SEED)
    taken = {o.code for o in BALI}
    drafts: list[tuple[str, str, str, str, int, int]] = []  # region, type, place, code, prov, reg
    for region, _, provinces in places.REGIONS:
        kc, kcp = places.OFFICES[region]
        for i, (office_type, place) in enumerate(
            [("KC", p) for p in places.split(kc)] + [("KCP", p) for p in places.split(kcp)]
        ):
            code = _code(place, taken)
            taken.add(code)
            province = provinces[i % len(provinces)]
            drafts.append((region, office_type, place, code, province, 11 + i // len(provinces)))
    kc_mask = np.array([d[1] == "KC" for d in drafts])
    metro = np.array([d[0] in places.METRO_REGIONS for d in drafts])
    remote = np.array([d[4] in places.REMOTE_PROVINCES for d in drafts])
    # Big-city KCs are large; pioneer offices skew small, many of them quiet.
    raw = np.where(
        kc_mask,
        np.minimum(rng.lognormal(np.log(24_000), 0.45, len(drafts)), 70_000)
        * np.where(metro, 1.35, 1.0),
        np.minimum(rng.lognormal(np.log(5_500), 0.85, len(drafts)), 20_000)
        * np.where(remote, 0.45, 1.0),
    )
    target = NATIONAL_REGISTERED_2017 * EXIT_ALLOWANCE - sum(o.size for o in BALI)
    sizes = np.maximum(raw * target / raw.sum(), 250).round(-1).astype(int)
    coastal = {p.lower() for p in places.split(places.COASTAL)}
    offices = []
    for (region, office_type, place, code, province, regency), size in zip(
        drafts, sizes, strict=True
    ):
        is_coastal = any(c in place.lower() for c in coastal)
        if office_type == "KC":
            profile = "city"
        else:
            profile = "coastal" if is_coastal or rng.random() < 0.2 else "rural"
        events = round(min(size / 16_000, 2.0), 3) if size >= 1_000 else 0.0
        offices.append(
            Office(
                code=code,
                name=f"{office_type} {place}",
                region_code=region,
                office_type=office_type,
                place=place,
                profile=profile,
                size=int(size),
                province=province,
                regency=regency,
                events_per_month=events,
                confirmed=False,
            )
        )
    # Bali's offices, as in the bali scale, sit in BANUSPA after its other KCs.
    ordered = [o for o in offices if o.region_code != BALI_REGION[0]]
    banuspa = [o for o in offices if o.region_code == BALI_REGION[0]]
    ordered += [*BALI, *banuspa]
    return Organisation("national", tuple((c, n) for c, n, _ in places.REGIONS), tuple(ordered))


def _code(place: str, taken: set[str]) -> str:
    """A short uppercase code from a place name: its initial and two later consonants."""
    words = re.sub(r"[^A-Za-z ]", "", place).upper().split()
    letters = words[0][0] + re.sub(r"[AEIOU]", "", words[0][1:])
    if len(words) > 1:  # "Medan Kota" -> M + D + K...: keep the last word's initial early
        letters = words[0][0] + re.sub(r"[AEIOU]", "", words[0][1:])[:1] + words[-1][0]
        letters += re.sub(r"[AEIOU]", "", words[-1][1:])
    pairs = itertools.combinations(range(1, len(letters)), 2)
    candidates = [letters[0] + letters[i] + letters[j] for i, j in pairs]
    full = "".join(words)  # short names: let vowels in (DUMAI -> DUM) before numbering
    pairs = itertools.combinations(range(1, len(full)), 2)
    candidates += [full[0] + full[i] + full[j] for i, j in pairs]
    candidates += [f"{letters[:3]}{n}" for n in range(2, 10)]
    return next(c for c in candidates if c not in taken)
