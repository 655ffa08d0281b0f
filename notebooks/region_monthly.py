# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [raw]
# Region monthly report. Run top to bottom. Parameters in the next cell; report text in the markdown cells (tags lang-id / lang-en). This cell is not part of the report.

# %% tags=["parameters"]
region = "BANUSPA"  # kantor wilayah (region code)
period = "2017-07"  # report month, YYYY-MM
lang = "id"  # "id" (Bahasa Indonesia) or "en"
db = ""  # warehouse file; empty: $BPU_REPORTS_DB or data/bpu.duckdb
metrics_file = ""  # set by the monthly batch: metrics computed once for all reports

# %%
from bpu_reports.report import open_report

r = open_report("region", region, period, lang=lang, db=db, metrics_file=metrics_file)
r.cover()

# %% [markdown] tags=["lang-id"]
# ## Ringkasan eksekutif

# %% [markdown] tags=["lang-en"]
# ## Executive summary

# %%
r.summary()

# %% [markdown] tags=["lang-id"]
# ## Kantor cabang di bawah target
#
# Kantor cabang yang proyeksi Desembernya, pada laju rata-rata tiga bulan terakhir, tidak mencapai target tahun ini; yang paling jauh di bawah target lebih dulu.

# %% [markdown] tags=["lang-en"]
# ## Branches behind target
#
# Branches whose December projection, at the average pace of the last three months, falls short of this year's target; the furthest behind first.

# %%
r.table("behind_target")

# %% [markdown] tags=["lang-id"]
# ## Perubahan terbesar bulan ini
#
# Kantor cabang dengan kenaikan dan penurunan peserta aktif terbesar dibandingkan bulan lalu, beserta perubahan tingkat kepatuhannya.

# %% [markdown] tags=["lang-en"]
# ## Largest changes this month
#
# The branches whose active members rose and fell most since last month, with the change in their on-time rate.

# %%
r.table("movers")

# %% [markdown] tags=["lang-id"]
# ## Kantor cabang
#
# Peringkat menurut peserta aktif; tingkat kepatuhan, pertumbuhan bersih bulan ini dan capaian target.

# %% [markdown] tags=["lang-en"]
# ## Branches
#
# Ranked by active members; on-time rate, net change this month and target progress.

# %%
r.table("branches")

# %% [markdown] tags=["lang-id"]
# ### Tren per kantor cabang
#
# Peserta aktif selama 13 bulan terakhir.

# %% [markdown] tags=["lang-en"]
# ### Branch trends
#
# Active members over the last 13 months.

# %%
r.chart("small_multiples")

# %% [markdown] tags=["lang-id"]
# ## Keanggotaan
#
# Peserta terdaftar seluruh kantor cabang menurut status pembayaran pada akhir setiap bulan selama 13 bulan terakhir, lalu jumlah terdaftar tahun ini dengan proyeksi sampai Desember dan target wilayah.

# %% [markdown] tags=["lang-en"]
# ## Membership
#
# Registered members of all branches by payment status at each month-end over the last 13 months, then this year's registrations with the projection to December and the region's target.

# %%
r.chart("membership")

# %%
r.chart("target")

# %% [markdown] tags=["lang-id"]
# ## Kepatuhan
#
# Kiri: porsi peserta aktif yang membayar iuran bulan berjalan paling lambat pada jatuh tempo. Kanan dan tabel: peserta menurut lama tunggakan; tunggakan 1–3 bulan masih dapat ditagih.

# %% [markdown] tags=["lang-en"]
# ## Compliance
#
# Left: the share of active members who paid for the month by its due date. Right and table: members by months behind; arrears of 1–3 months can still be collected.

# %%
r.side_by_side("on_time", "ageing")

# %%
r.table("ageing")

# %% [markdown] tags=["lang-id"]
# ## Iuran
#
# Iuran yang diterima seluruh kantor cabang per bulan menurut program: JKK (kecelakaan kerja), JKM (kematian) dan JHT (hari tua, opsional).

# %% [markdown] tags=["lang-en"]
# ## Collections
#
# Contributions received by all branches per month by programme: JKK (work accident), JKM (death) and JHT (old-age savings, optional).

# %%
r.chart("collections")

# %%
r.table("programs")

# %% [markdown] tags=["lang-id"]
# ## Segmen dan kanal
#
# Peserta menurut segmen pekerjaan dan kanal pendaftaran, yang terbesar lebih dulu.

# %% [markdown] tags=["lang-en"]
# ## Segments and channels
#
# Members by occupation segment and by registration channel, the largest first.

# %%
r.table("segments")

# %%
r.table("channels")

# %% [markdown] tags=["lang-id"]
# ## Sosialisasi sejak awal tahun
#
# Kegiatan sosialisasi tahun ini per kantor cabang: jumlah kegiatan, potensi, yang mendaftar, yang sudah membayar dan yang masih aktif. Laporan setiap kantor cabang memuat daftar kegiatannya.

# %% [markdown] tags=["lang-en"]
# ## Outreach, year to date
#
# The year's outreach events per branch: events held, potential, registered, paid and still active. Each branch's own report lists its events.

# %%
r.table("outreach_by_office")

# %% [markdown] tags=["lang-id"]
# ## Lampiran: definisi

# %% [markdown] tags=["lang-en"]
# ## Appendix: definitions

# %%
r.definitions()

# %%
r.data_source()
