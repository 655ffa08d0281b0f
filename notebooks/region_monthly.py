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
r.kpis()

# %%
r.summary()

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

# %% [markdown] tags=["lang-en"]
# ## Membership

# %%
r.chart("membership")

# %%
r.chart("target")

# %% [markdown] tags=["lang-id"]
# ## Kepatuhan

# %% [markdown] tags=["lang-en"]
# ## Compliance

# %%
r.chart("on_time")

# %%
r.table("ageing")

# %% [markdown] tags=["lang-id"]
# ## Iuran

# %% [markdown] tags=["lang-en"]
# ## Collections

# %%
r.chart("collections")

# %%
r.table("programs")

# %% [markdown] tags=["lang-id"]
# ## Segmen dan kanal

# %% [markdown] tags=["lang-en"]
# ## Segments and channels

# %%
r.table("segments")

# %%
r.table("channels")

# %% [markdown] tags=["lang-id"]
# ## Sosialisasi sejak awal tahun

# %% [markdown] tags=["lang-en"]
# ## Outreach, year to date

# %%
r.table("events", in_month=False)

# %% [markdown] tags=["lang-id"]
# ## Lampiran: definisi

# %% [markdown] tags=["lang-en"]
# ## Appendix: definitions

# %%
r.definitions()

# %%
r.data_source()
