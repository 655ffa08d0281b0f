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
# National monthly report. Run top to bottom. Parameters in the next cell; report text in the markdown cells (tags lang-id / lang-en). This cell is not part of the report.

# %% tags=["parameters"]
national = "NATIONAL"  # the whole country (always NATIONAL)
period = "2017-07"  # report month, YYYY-MM
lang = "id"  # "id" (Bahasa Indonesia) or "en"
db = ""  # warehouse file; empty: $BPU_REPORTS_DB or data/bpu.duckdb
metrics_file = ""  # set by the monthly batch: metrics computed once for all reports

# %%
from bpu_reports.report import open_report

r = open_report("national", national, period, lang=lang, db=db, metrics_file=metrics_file)
r.cover()

# %% [markdown] tags=["lang-id"]
# ## Ringkasan eksekutif

# %% [markdown] tags=["lang-en"]
# ## Executive summary

# %%
r.summary()

# %% [markdown] tags=["lang-id"]
# ### Tren nasional
#
# Status kepesertaan seluruh kantor cabang selama 13 bulan terakhir, dan peserta terdaftar terhadap target tahun ini.

# %% [markdown] tags=["lang-en"]
# ### National trend
#
# Membership status of all branches together over the last 13 months, and registered members against this year's target.

# %%
r.chart("membership")

# %%
r.chart("target")

# %% [markdown] tags=["lang-id"]
# ## Kantor wilayah
#
# Peringkat menurut peserta aktif; tingkat kepatuhan, pertumbuhan bersih bulan ini, capaian target, dan selisih proyeksi Desember dengan target (negatif: kurang). Baris terakhir adalah total nasional.

# %% [markdown] tags=["lang-en"]
# ## Regions
#
# Ranked by active members; on-time rate, net change this month, target progress, and the December projection less the target (negative: short). The last row is the national total.

# %%
r.table("regions")

# %% [markdown] tags=["lang-id"]
# ## Kantor cabang di bawah target
#
# Kantor cabang di seluruh wilayah yang proyeksi Desembernya, pada laju rata-rata tiga bulan terakhir, tidak mencapai target tahun ini; yang paling jauh di bawah target lebih dulu.

# %% [markdown] tags=["lang-en"]
# ## Branches furthest behind target
#
# Branches across all regions whose December projection, at the average pace of the last three months, falls short of this year's target; the furthest behind first.

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
# ## Sosialisasi sejak awal tahun
#
# Kegiatan sosialisasi tahun ini per kantor wilayah: jumlah kegiatan, potensi, yang mendaftar, yang sudah membayar dan yang masih aktif. Laporan wilayah merinci per kantor cabang.

# %% [markdown] tags=["lang-en"]
# ## Outreach, year to date
#
# The year's outreach events per region: events held, potential, registered, paid and still active. Each region's report shows them per branch.

# %%
r.table("outreach_by_office")

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
# ## Lampiran: definisi

# %% [markdown] tags=["lang-en"]
# ## Appendix: definitions

# %%
r.definitions()

# %%
r.data_source()
