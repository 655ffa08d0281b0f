"""Words the reports use, in Bahasa Indonesia and English, in one place."""

from __future__ import annotations

from bpu_reports.report.formats import Lang

LABELS: dict[str, dict[str, str]] = {
    # KPI cards
    "registered": {"id": "Peserta terdaftar", "en": "Registered members"},
    "active": {"id": "Peserta aktif", "en": "Active members"},
    "active_share": {"id": "Rasio aktif", "en": "Active share"},
    "in_arrears": {"id": "Menunggak", "en": "In arrears"},
    "inactive": {"id": "Nonaktif", "en": "Non-active"},
    "on_time": {"id": "Tepat waktu", "en": "On time"},
    "on_time_rate": {"id": "Tingkat kepatuhan", "en": "On-time rate"},
    "new_registrations": {"id": "Peserta baru", "en": "New members"},
    "collected_amount": {"id": "Iuran terkumpul", "en": "Contributions collected"},
    "target_progress": {"id": "Capaian target", "en": "Target progress"},
    "vs_prev": {"id": "vs bulan lalu", "en": "vs last month"},
    "vs_year": {"id": "vs tahun lalu", "en": "vs a year ago"},
    "of_target": {"id": "dari target", "en": "of target"},
    # tables
    "segment": {"id": "Segmen", "en": "Segment"},
    "channel": {"id": "Kanal", "en": "Channel"},
    "bucket": {"id": "Bulan tertunggak", "en": "Months behind"},
    "members": {"id": "Peserta", "en": "Members"},
    "arrears_value": {"id": "Nilai tunggakan", "en": "Arrears value"},
    "collectable": {"id": "masih dapat ditagih", "en": "still collectable"},
    "months": {"id": "Bulan dibayar", "en": "Months paid"},
    "payments": {"id": "Pembayaran", "en": "Payments"},
    "share": {"id": "Porsi", "en": "Share"},
    "program": {"id": "Program", "en": "Programme"},
    "amount": {"id": "Jumlah", "en": "Amount"},
    "total": {"id": "Total", "en": "Total"},
    "event": {"id": "Kegiatan", "en": "Event"},
    "held_on": {"id": "Tanggal", "en": "Date"},
    "venue": {"id": "Tempat", "en": "Venue"},
    "potential": {"id": "Potensi", "en": "Potential"},
    "paid": {"id": "Sudah bayar", "en": "Paid"},
    "enrolled": {"id": "Mendaftar", "en": "Registered"},
    "active_now": {"id": "Aktif kini", "en": "Active now"},
    "active_3m": {"id": "Aktif +3 bln", "en": "Active +3 mo"},
    "active_6m": {"id": "Aktif +6 bln", "en": "Active +6 mo"},
    "conversion": {"id": "Konversi", "en": "Conversion"},
    "branch": {"id": "Kantor cabang", "en": "Branch"},
    "office_type": {"id": "Jenis", "en": "Type"},
    "net_change": {"id": "Pertumbuhan bersih", "en": "Net change"},
    "rank": {"id": "Peringkat", "en": "Rank"},
    "none": {"id": "tidak ada", "en": "none"},
    "other": {"id": "lainnya", "en": "other"},
    # cover and appendix
    "report_branch": {"id": "Laporan Bulanan Peserta BPU", "en": "BPU Members Monthly Report"},
    "report_region": {
        "id": "Laporan Bulanan Peserta BPU — Kantor Wilayah",
        "en": "BPU Members Monthly Report — Region",
    },
    "region": {"id": "Kantor wilayah", "en": "Region"},
    "period": {"id": "Periode", "en": "Period"},
    "cutoff": {"id": "Data s.d.", "en": "Data up to"},
    "warehouse_cutoff": {"id": "Data gudang tersedia s.d.", "en": "Warehouse data up to"},
    "source": {"id": "Sumber data", "en": "Data source"},
    "version": {"id": "Versi data", "en": "Data version"},
    "generated": {"id": "Dibuat", "en": "Generated"},
    "demo": {"id": "DATA DEMO", "en": "DEMO DATA"},
    "demo_note": {
        "id": "Data demo buatan — bukan data peserta sebenarnya.",
        "en": "Synthetic demo data — not real member data.",
    },
    "classification": {
        "id": "TERBATAS — untuk penggunaan internal BPJS Ketenagakerjaan",
        "en": "RESTRICTED — for BPJS Ketenagakerjaan internal use",
    },
    "contents": {"id": "Daftar isi", "en": "Contents"},
    "page": {"id": "Halaman", "en": "Page"},
    "page_of": {"id": "dari", "en": "of"},
}

SEGMENTS: dict[str, dict[str, str]] = {
    "ojek_online": {"id": "Ojek online", "en": "Online drivers"},
    "pedagang_pasar": {"id": "Pedagang pasar", "en": "Market traders"},
    "petani": {"id": "Petani", "en": "Farmers"},
    "nelayan": {"id": "Nelayan", "en": "Fishers"},
    "seniman": {"id": "Seniman", "en": "Artists"},
    "pemandu_wisata": {"id": "Pemandu wisata", "en": "Tour guides"},
    "lainnya": {"id": "Lainnya", "en": "Other"},
    "kantor": {"id": "Kantor cabang", "en": "Branch office"},
    "sosialisasi": {"id": "Sosialisasi", "en": "Outreach events"},
    "wadah": {"id": "Wadah (kelompok)", "en": "Associations (wadah)"},
    "perisai": {"id": "Agen Perisai", "en": "Perisai agents"},
    "online": {"id": "Online (JMO)", "en": "Online (JMO)"},
}


def t(key: str, lang: Lang = "id") -> str:
    """The label ``key`` in ``lang``."""
    return LABELS[key][lang]


def value_label(value: str, lang: Lang = "id") -> str:
    """A segment or channel code in words (unknown codes are shown as they are)."""
    return SEGMENTS.get(value, {}).get(lang, value)
