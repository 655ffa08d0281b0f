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
# Branch monthly report. Run top to bottom (Run > Run All Cells). Change the parameters in the next cell; the report text lives in the markdown cells, one per language (tags lang-id / lang-en). This cell is not part of the report.

# %% tags=["parameters"]
branch = "DPS"  # kantor cabang (branch code)
period = "2017-07"  # report month, YYYY-MM
lang = "id"  # "id" (Bahasa Indonesia) or "en"
db = ""  # warehouse file; empty: $BPU_REPORTS_DB or data/bpu.duckdb
metrics_file = ""  # set by the monthly batch: metrics computed once for all reports

# %%
from bpu_reports.report import open_report

r = open_report("branch", branch, period, lang=lang, db=db, metrics_file=metrics_file)
r.cover()

# %% [markdown] tags=["lang-id"]
# ## Ringkasan eksekutif

# %% [markdown] tags=["lang-en"]
# ## Executive summary

# %%
r.summary()

# %% [markdown] tags=["lang-id"]
# ## Keanggotaan
#
# Peserta terdaftar menurut status pembayaran pada akhir setiap bulan selama 13 bulan terakhir: *aktif* (lunas sampai bulan berjalan), *menunggak* (tertunggak 1–3 bulan, masih dapat membayar) dan *nonaktif* (lebih dari 3 bulan).

# %% [markdown] tags=["lang-en"]
# ## Membership
#
# Registered members by payment status at each month-end over the last 13 months: *active* (paid up to the month), *in arrears* (1–3 months behind, can still pay) and *non-active* (more than 3 months behind).

# %%
r.chart("membership")

# %% [markdown] tags=["lang-id"]
# ### Target kepesertaan
#
# Jumlah peserta terdaftar tahun ini, proyeksi sampai Desember dengan laju tiga bulan terakhir, dan target akhir tahun.

# %% [markdown] tags=["lang-en"]
# ### Membership target
#
# Registered members this year, the projection to December at the pace of the last three months, and the year-end target.

# %%
r.chart("target")

# %% [markdown] tags=["lang-id"]
# ## Kepatuhan
#
# Kiri: porsi peserta aktif yang membayar iuran bulan berjalan paling lambat pada jatuh tempo (tanggal 15, diundur ke hari kerja berikutnya bila jatuh pada hari libur). Kanan: peserta menurut lama tunggakan; tunggakan 1–3 bulan masih dapat ditagih, dan koordinator wadah dapat mengingatkan anggotanya.

# %% [markdown] tags=["lang-en"]
# ## Compliance
#
# Left: the share of active members who paid for the month by its due date (the 15th, moved to the next working day when it falls on a holiday). Right: members by months behind; arrears of 1–3 months can still be collected, and association coordinators can remind their members.

# %%
r.side_by_side("on_time", "ageing")

# %%
r.table("ageing")

# %% [markdown] tags=["lang-id"]
# ## Iuran
#
# Iuran yang diterima per bulan menurut program: JKK (kecelakaan kerja), JKM (kematian) dan JHT (hari tua, opsional).

# %% [markdown] tags=["lang-en"]
# ## Collections
#
# Contributions received per month by programme: JKK (work accident), JKM (death) and JHT (old-age savings, optional).

# %%
r.chart("collections")

# %%
r.table("programs")

# %% [markdown] tags=["lang-id"]
# ### Pola pembayaran
#
# Pembayaran bulan ini menurut jumlah bulan yang dibayar sekaligus.

# %% [markdown] tags=["lang-en"]
# ### Prepayment mix
#
# This month's payments by the number of months paid at once.

# %%
r.table("prepayment")

# %% [markdown] tags=["lang-id"]
# ## Segmen dan kanal

# %% [markdown] tags=["lang-en"]
# ## Segments and channels

# %%
r.table("segments")

# %%
r.table("channels")

# %% [markdown] tags=["lang-id"]
# ## Sosialisasi
#
# ### Kegiatan bulan ini

# %% [markdown] tags=["lang-en"]
# ## Outreach
#
# ### Events this month

# %%
r.table("events", in_month=True)

# %% [markdown] tags=["lang-id"]
# ### Sejak awal tahun
#
# Potensi → mendaftar → membayar → masih aktif, untuk setiap kegiatan tahun ini.

# %% [markdown] tags=["lang-en"]
# ### Year to date
#
# Potential → registered → paid → still active, for each event this year.

# %%
r.chart("funnel")

# %%
r.table("events", in_month=False)

# %% [markdown] tags=["lang-id"]
# ## Retensi kohort
#
# Porsi peserta yang masih aktif *k* bulan setelah bulan pendaftarannya.

# %% [markdown] tags=["lang-en"]
# ## Cohort retention
#
# The share of members still active *k* months after the month they registered.

# %%
r.chart("cohorts")

# %% [markdown] tags=["lang-id"]
# ## Lampiran: definisi

# %% [markdown] tags=["lang-en"]
# ## Appendix: definitions

# %%
r.definitions()

# %% [markdown] tags=["lang-id"]
# ### Sumber data

# %% [markdown] tags=["lang-en"]
# ### Data source

# %%
r.data_source()
