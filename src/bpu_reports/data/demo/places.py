"""Regions and office places of the national demo (2017: 11 regions, 103 KC, 203 KCP).

The region list follows DOMAIN.md (itself uncertain); the office places outside Bali are real
Indonesian towns chosen to look plausible, not BPJS Ketenagakerjaan's actual office list.
Bali's eight offices are declared in ``organisation.py``.
"""

from __future__ import annotations

REGIONS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    # code, name, NIK province codes used for the region's offices
    ("SUMBAGUT", "Sumatera Bagian Utara", (12, 11)),
    ("SUMBARRIAU", "Sumatera Barat dan Riau", (13, 14, 21)),
    ("SUMBAGSEL", "Sumatera Bagian Selatan", (16, 15, 17, 18, 19)),
    ("BANTEN", "Banten", (36,)),
    ("DKI", "DKI Jakarta", (31,)),
    ("JABAR", "Jawa Barat", (32,)),
    ("JATENGDIY", "Jawa Tengah dan DI Yogyakarta", (33, 34)),
    ("JATIM", "Jawa Timur", (35,)),
    ("KALIMANTAN", "Kalimantan", (61, 63, 62, 64, 65)),
    ("SULAMA", "Sulawesi dan Maluku", (73, 71, 74, 72, 75, 76, 81, 82)),
    ("BANUSPA", "Bali, Nusa Tenggara, Papua", (52, 53, 94, 91)),
)

# Per region: places of the KC offices, then of the KCP offices (Bali's are added separately).
OFFICES: dict[str, tuple[str, str]] = {
    "SUMBAGUT": (
        "Medan Kota, Medan Utara, Medan Belawan, Binjai, Pematangsiantar, Tanjung Morawa, "
        "Banda Aceh, Lhokseumawe, Rantau Prapat",
        "Sibolga, Padang Sidempuan, Kisaran, Tebing Tinggi, Kabanjahe, Lubuk Pakam, Stabat, "
        "Tarutung, Balige, Gunung Sitoli, Kota Pinang, Panyabungan, Langsa, Meulaboh, Takengon, "
        "Sigli, Bireuen, Tapaktuan, Kutacane, Subulussalam",
    ),
    "SUMBARRIAU": (
        "Padang, Bukittinggi, Pekanbaru Kota, Pekanbaru Panam, Dumai, Batam Nagoya, "
        "Batam Sekupang, Tanjung Pinang",
        "Solok, Payakumbuh, Pariaman, Sawahlunto, Painan, Lubuk Sikaping, Bangkinang, "
        "Pangkalan Kerinci, Rengat, Tembilahan, Siak, Ujung Batu, Bagan Batu, Pasir Pengaraian, "
        "Tanjung Balai Karimun, Natuna, Dharmasraya, Duri",
    ),
    "SUMBAGSEL": (
        "Palembang, Palembang Kenten, Jambi, Bengkulu, Bandar Lampung, Metro, Pangkal Pinang, "
        "Lubuk Linggau",
        "Baturaja, Lahat, Muara Enim, Sekayu, Kayu Agung, Pagar Alam, Muara Bungo, Kuala Tungkal, "
        "Sarolangun, Muara Bulian, Bangko, Sungai Penuh, Curup, Manna, Mukomuko, Kotabumi, "
        "Kalianda, Pringsewu, Menggala, Liwa, Tanjung Pandan, Prabumulih",
    ),
    "BANTEN": (
        "Serang, Cilegon, Tangerang Kota, Tangerang Cikokol, Cikupa, Serpong",
        "Pandeglang, Rangkasbitung, Balaraja, Ciputat, Labuan, Cikande",
    ),
    "DKI": (
        "Jakarta Salemba, Jakarta Menara Jamsostek, Jakarta Kebon Sirih, Jakarta Cilandak, "
        "Jakarta Cengkareng, Jakarta Ceger, Jakarta Kelapa Gading, Jakarta Tanjung Priok, "
        "Jakarta Gambir, Jakarta Mampang, Jakarta Pulo Gadung",
        "Jakarta Sunter, Jakarta Grogol, Jakarta Kramat Jati, Kepulauan Seribu, Jakarta Rawamangun",
    ),
    "JABAR": (
        "Bandung Soekarno Hatta, Bandung Suci, Bandung Lodaya, Bekasi Kota, Bekasi Cikarang, "
        "Bogor Kota, Bogor Cileungsi, Depok, Cirebon, Karawang, Purwakarta, Sukabumi, Tasikmalaya",
        "Cimahi, Majalaya, Padalarang, Soreang, Sumedang, Garut, Ciamis, Banjar, Kuningan, "
        "Majalengka, Indramayu, Subang, Cianjur, Pelabuhan Ratu, Cibinong, Cikampek, Jatibarang, "
        "Pangandaran, Rancaekek, Cibadak, Leuwiliang, Tambun",
    ),
    "JATENGDIY": (
        "Semarang Pemuda, Semarang Majapahit, Surakarta, Yogyakarta, Kudus, Pekalongan, Tegal, "
        "Purwokerto, Magelang, Salatiga, Klaten",
        "Sleman, Bantul, Wonosari, Wates, Kendal, Demak, Jepara, Pati, Rembang, Blora, Purwodadi, "
        "Sragen, Karanganyar, Wonogiri, Sukoharjo, Boyolali, Temanggung, Wonosobo, Banjarnegara, "
        "Purbalingga, Cilacap, Kebumen, Purworejo, Brebes",
    ),
    "JATIM": (
        "Surabaya Rungkut, Surabaya Darmo, Surabaya Tanjung Perak, Surabaya Karimunjawa, "
        "Sidoarjo, Gresik, Malang, Kediri, Madiun, Jember, Pasuruan, Mojokerto, Probolinggo",
        "Batu, Blitar, Tulungagung, Trenggalek, Nganjuk, Jombang, Lamongan, Tuban, Bojonegoro, "
        "Ngawi, Ponorogo, Pacitan, Magetan, Lumajang, Bondowoso, Situbondo, Banyuwangi, "
        "Pamekasan, Sumenep, Bangkalan, Sampang, Kepanjen, Pare, Genteng, Caruban",
    ),
    "KALIMANTAN": (
        "Pontianak, Singkawang, Banjarmasin, Banjarbaru, Palangkaraya, Balikpapan, Samarinda, "
        "Bontang, Tarakan",
        "Ketapang, Sintang, Sanggau, Putussibau, Mempawah, Sambas, Kotabaru, Batulicin, Tanjung, "
        "Barabai, Kandangan, Pangkalan Bun, Sampit, Muara Teweh, Kuala Kapuas, Tenggarong, "
        "Sangatta, Tanah Grogot, Penajam, Tanjung Redeb, Nunukan",
    ),
    "SULAMA": (
        "Makassar, Makassar Somba Opu, Manado, Kendari, Palu, Gorontalo, Ambon, Parepare",
        "Maros, Gowa, Bulukumba, Bone, Palopo, Sengkang, Sidrap, Pinrang, Jeneponto, Bitung, "
        "Tomohon, Kotamobagu, Tondano, Baubau, Kolaka, Raha, Luwuk, Poso, Tolitoli, Mamuju, "
        "Majene, Marisa, Ternate, Tual, Masohi",
    ),
    "BANUSPA": (
        "Mataram, Kupang, Jayapura",
        "Bima, Sumbawa Besar, Praya, Selong, Ende, Maumere, Waingapu, Sorong, Manokwari, "
        "Merauke, Timika",
    ),
}

METRO_REGIONS = ("DKI", "JABAR", "JATIM", "JATENGDIY", "BANTEN")
"""Regions whose KC offices serve big cities: larger memberships."""
REMOTE_PROVINCES = (53, 91, 94, 81, 82)
"""NTT, Papua, Maluku: sparse, small pioneer offices."""
COASTAL = (
    "Belawan, Sibolga, Meulaboh, Tanjung, Natuna, Tembilahan, Kuala Tungkal, Labuan, "
    "Pelabuhan Ratu, Pangandaran, Indramayu, Rembang, Sumenep, Banyuwangi, Bitung, Baubau, "
    "Tual, Ternate, Ende, Maumere, Selong, Bima, Merauke, Nunukan, Tanjung Priok, Batam"
)
"""Places whose offices see more fishermen."""


def split(names: str) -> list[str]:
    return [n.strip() for n in names.split(",") if n.strip()]
