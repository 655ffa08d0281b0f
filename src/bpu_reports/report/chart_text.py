"""The words of the charts, in Indonesian and English, by key; :func:`phrase` picks and
fills one, :func:`check_lang` rejects an unknown language before anything is drawn."""

from __future__ import annotations

from typing import Any, cast

from bpu_reports.report.formats import LOCALES, Lang

TEXTS: dict[str, dict[str, str]] = {
    "membership": {"id": "Status kepesertaan", "en": "Membership status"},
    "active": {"id": "Aktif", "en": "Active"},
    "in_arrears": {"id": "Menunggak", "en": "In arrears"},
    "inactive": {"id": "Nonaktif", "en": "Non-active"},
    "members": {"id": "Peserta", "en": "Members"},
    "target": {"id": "Terdaftar vs target {year}", "en": "Registered vs {year} target"},
    "registered": {"id": "Terdaftar", "en": "Registered"},
    "projection": {"id": "Proyeksi", "en": "Projection"},
    "target_line": {"id": "Target {n}", "en": "Target {n}"},
    "short": {
        "id": "Proyeksi Des: {p}, kurang {gap} dari target",
        "en": "Projected Dec: {p}, {gap} short of target",
    },
    "needs": {
        "id": "Perlu +{n}/bulan; laju kini {pace}/bulan",
        "en": "Needs +{n} a month; current pace {pace}",
    },
    "year_end": {"id": "Akhir tahun: {p}", "en": "Year end: {p}"},
    "short_by": {"id": "kurang {gap} dari target", "en": "{gap} short of target"},
    "reached": {"id": "target tercapai", "en": "target reached"},
    "on_track": {
        "id": "Proyeksi Des: {p}, target tercapai",
        "en": "Projected Dec: {p}, target reached",
    },
    "no_target": {"id": "Target belum ditetapkan", "en": "No target set"},
    "on_time": {"id": "Pembayaran tepat waktu", "en": "On-time payments"},
    "of_active": {"id": "% peserta aktif", "en": "% of active members"},
    "ageing": {"id": "Umur tunggakan", "en": "Arrears ageing"},
    "months_behind": {"id": "Bulan tertunggak", "en": "Months behind"},
    "collectable": {"id": "Masih dapat ditagih", "en": "Still collectable"},
    "lapsed": {"id": "Nonaktif", "en": "Non-active"},
    "collections": {"id": "Iuran terkumpul per program", "en": "Contributions by programme"},
    "prepayment": {"id": "Pembayaran per jumlah bulan", "en": "Payments by months covered"},
    "months_n": {"id": "{n} bln", "en": "{n} mo"},
    "other": {"id": "Lainnya", "en": "Other"},
    "funnel": {
        "id": "Sosialisasi {year}: dari potensi sampai aktif",
        "en": "Outreach {year}: from potential to active",
    },
    "potential": {"id": "Potensi", "en": "Potential"},
    "registered_event": {"id": "Mendaftar", "en": "Registered"},
    "paid": {"id": "Sudah bayar", "en": "Paid"},
    "active_now": {"id": "Aktif kini", "en": "Active now"},
    "no_events": {"id": "Tidak ada sosialisasi pada {year}", "en": "No outreach events in {year}"},
    "more_events": {
        "id": "{n} kegiatan terbaru dari {total}",
        "en": "latest {n} of {total} events",
    },
    "cohorts": {
        "id": "Retensi kohort: porsi peserta aktif k bulan setelah mendaftar",
        "en": "Cohort retention: share active k months after registering",
    },
    "months_since": {"id": "Bulan setelah mendaftar (k)", "en": "Months since registration (k)"},
    "small_cohort": {
        "id": "Abu-abu: kohort di bawah 5 peserta, tidak ditampilkan",
        "en": "Grey: cohorts under 5 members, not shown",
    },
    "small_multiples": {"id": "Peserta aktif per kantor cabang", "en": "Active members by branch"},
    "scale_1": {"id": "Rp", "en": "Rp"},
    "scale_1e3": {"id": "Rp ribu", "en": "Rp thousand"},
    "scale_1e6": {"id": "Rp juta", "en": "Rp million"},
    "scale_1e9": {"id": "Rp miliar", "en": "Rp billion"},
    "scale_1e12": {"id": "Rp triliun", "en": "Rp trillion"},
}


def phrase(key: str, lang: Lang, **fields: Any) -> str:
    """The text of ``key`` in ``lang``, with ``{fields}`` filled in."""
    text = TEXTS[key][lang]
    return text.format(**fields) if fields else text


def check_lang(lang: str) -> Lang:
    """``lang`` if it is a report language; ``ValueError`` otherwise."""
    if lang not in LOCALES:
        raise ValueError(f"unknown language {lang!r}: use 'id' or 'en'")
    return cast(Lang, lang)
