"""Fake personal data shaped like real exports': NIK, full name, phone number.

These columns exist so that tests can prove no report ever shows them. Names are combined
from short lists (Balinese birth-order names in Bali, common Indonesian names elsewhere); NIKs
follow the real layout — province, regency, district, birth date (day + 40 for women),
serial — with regency codes per office, so they look right and are unique by construction.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bpu_reports.data.demo.organisation import Office


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(",") if w.strip())


BALI_ORDER = {  # birth-order names
    "m": _words("Wayan, Putu, Gede, Made, Kadek, Nyoman, Komang, Ketut"),
    "f": _words("Wayan, Putu, Luh, Made, Kadek, Nyoman, Komang, Ketut"),
}
BALI_GIVEN = {
    "m": _words(
        "Sudarta, Suardana, Budiarta, Mertayasa, Artawan, Suwitra, Sukadana, Wirawan, Arsana, "
        "Astawa, Sujana, Widiana, Ariawan, Adnyana, Sutama, Parwata, Suarjana, Yasa, Darmawan, "
        "Sudiarsa"
    ),
    "f": _words(
        "Sri Wahyuni, Ayu Lestari, Sukarmi, Kartini, Sutarmi, Ariani, Suciani, Murniati, "
        "Rai Sudani, Yuliantari, Sumiati, Wartini, Mariani, Ayu Puspita, Sekar Arini, Widiastuti"
    ),
}
BALI_TITLE: dict[str, tuple[str, ...]] = {
    "m": ("I",) * 10 + ("Ida Bagus", "I Gusti"),
    "f": ("Ni",) * 11 + ("Ida Ayu",),
}
INDONESIAN_FIRST = {
    "m": _words(
        "Agus, Budi, Joko, Slamet, Andi, Rudi, Dedi, Hendra, Yusuf, Muhammad, Ahmad, Bambang, "
        "Eko, Hadi, Irwan, Rizki, Fajar, Teguh, Wahyu, Asep"
    ),
    "f": _words(
        "Siti, Sri, Dewi, Rina, Nur, Yuni, Wati, Fitri, Ani, Ratna, Indah, Maya, Sari, Nurul, "
        "Putri, Dian, Endang, Ayu, Rini, Tuti"
    ),
}
INDONESIAN_LAST = {
    "m": _words(
        "Santoso, Saputra, Hidayat, Setiawan, Wijaya, Kurniawan, Pratama, Nugroho, Susanto, "
        "Siregar, Nasution, Lubis, Harahap, Simanjuntak, Rahman, Syahputra, Gunawan, Hakim, "
        "Purnomo, Sulistyo"
    ),
    "f": _words(
        "Handayani, Lestari, Rahayu, Wulandari, Susanti, Kurniasih, Maharani, Puspitasari, "
        "Rahmawati, Anggraini, Nasution, Siregar, Fitriani, Utami, Permatasari, Safitri"
    ),
}
PHONE_PREFIXES = np.array(
    _words("11, 12, 13, 21, 22, 23, 52, 53, 14, 15, 16, 55, 56, 57, 58, 17, 18, 19, 59, 77, 78, 81")
    + _words("82, 83, 87, 88, 89, 95, 96, 97, 98, 99, 31, 38"),
    dtype=np.int64,
)
"""Mobile operator prefixes after the leading 08."""


def personal_data(office: Office, n: int, rng: np.random.Generator) -> dict[str, pa.Array]:
    """``nik``, ``full_name`` and ``phone`` for ``n`` members of ``office``."""
    female = rng.random(n) < 0.45
    return {
        "nik": _nik(office, female, rng),
        "full_name": _names(office, female, rng),
        "phone": _phones(n, rng),
    }


def _pick(options: tuple[str, ...], rng: np.random.Generator, n: int) -> pa.Array:
    return pc.take(pa.array(options), pa.array(rng.integers(0, len(options), n)))


def _by_gender(
    female: np.ndarray, lists: dict[str, tuple[str, ...]], rng: np.random.Generator
) -> pa.Array:
    n = len(female)
    return pc.if_else(pa.array(female), _pick(lists["f"], rng, n), _pick(lists["m"], rng, n))


def _names(office: Office, female: np.ndarray, rng: np.random.Generator) -> pa.Array:
    if office.bali:
        parts = [_by_gender(female, d, rng) for d in (BALI_TITLE, BALI_ORDER, BALI_GIVEN)]
    else:
        parts = [_by_gender(female, d, rng) for d in (INDONESIAN_FIRST, INDONESIAN_LAST)]
    return pc.binary_join_element_wise(*parts, " ")


def _nik(office: Office, female: np.ndarray, rng: np.random.Generator) -> pa.Array:
    n = len(female)
    district = rng.integers(1, 25, n)
    born = np.datetime64("1955-01-01") + rng.integers(0, 365 * 44, n).astype("timedelta64[D]")
    year = born.astype("datetime64[Y]").astype(int) + 1970
    month = born.astype("datetime64[M]").astype(int) % 12 + 1
    day = (born - born.astype("datetime64[M]")).astype(int) + 1 + np.where(female, 40, 0)
    stem = (
        ((office.province * 100 + office.regency) * 100 + district) * 1_000_000
        + day * 10_000
        + month * 100
        + year % 100
    )
    # The serial numbers the people sharing a district and a birth date: unique by construction.
    order = np.argsort(stem, kind="stable")
    sorted_stem = stem[order]
    first = np.r_[True, sorted_stem[1:] != sorted_stem[:-1]]
    rank = np.arange(n) - np.maximum.accumulate(np.where(first, np.arange(n), 0))
    serial = np.empty(n, np.int64)
    serial[order] = rank + 1
    if n and serial.max() > 9999:
        raise ValueError(f"{office.code}: too many members share a birth date for NIK serials")
    return pc.cast(pa.array(stem * 10_000 + serial), pa.string())


def _phones(n: int, rng: np.random.Generator) -> pa.Array:
    digits = rng.integers(10**7, 10**8, n) * np.where(rng.random(n) < 0.6, 10, 1)
    number = (800 + PHONE_PREFIXES[rng.integers(0, len(PHONE_PREFIXES), n)]) * np.where(
        digits >= 10**8, 10**9, 10**8
    ) + digits
    return pc.binary_join_element_wise("0", pc.cast(pa.array(number), pa.string()), "")
