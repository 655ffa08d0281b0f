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
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [raw]
# Example: a section of one's own (docs/analyst-guide.md). Run top to bottom on the defaults below against the demo warehouse. Every recipe of the guide is here: a title, markdown per language, a seaborn chart in the house style, the numbers behind a report table shown as a house table, a plain DataFrame. This cell is not part of the report.

# %% tags=["parameters"]
branch = "DPS"  # kantor cabang (branch code)
period = "2017-07"  # report month, YYYY-MM
lang = "id"  # "id" (Bahasa Indonesia) or "en"
db = ""  # warehouse file; empty: $BPU_REPORTS_DB or data/bpu.duckdb
metrics_file = ""  # set by the monthly batch: metrics computed once for all reports

# %%
import seaborn as sns

from bpu_reports.report import house, open_report

r = open_report("branch", branch, period, lang=lang, db=db, metrics_file=metrics_file)
r.cover(title={"id": "Profil Segmen Peserta", "en": "Member Segments"}[lang])

# %% [markdown] tags=["lang-id"]
# ## Peserta per segmen
#
# Peserta terdaftar dan aktif menurut segmen pekerjaan pada akhir bulan.

# %% [markdown] tags=["lang-en"]
# ## Members by segment
#
# Registered and active members by occupation segment at the month-end.

# %%
segments = r.data("segments")  # tidy numbers; counts under 5 are NaN, flagged "suppressed"
long = segments.melt(
    id_vars="value", value_vars=["registered", "active"], var_name="status", value_name="members"
)
names = {
    "id": {"registered": "Terdaftar", "active": "Aktif"},
    "en": {"registered": "Registered", "active": "Active"},
}[lang]
long["status"] = long.status.map(names)
long["value"] = long.value.str.replace("_", " ")

with house.style():
    fig, ax = house.figure("full", height=2.6)
    sns.barplot(
        data=long, x="value", y="members", hue="status", ax=ax,
        palette=[house.color("muted"), house.color("active")],
    )
    house.number_axis(ax, lang)
    ax.set(xlabel="", ylabel="")
    ax.legend(title="", loc="upper right")
    ax.set_title({"id": "Terdaftar dan aktif per segmen", "en": "Registered and active by segment"}[lang])
house.show(fig)

# %%
labels = {
    "id": {"value": "Segmen", "registered": "Terdaftar", "active": "Aktif", "active_share": "Rasio aktif"},
    "en": {"value": "Segment", "registered": "Registered", "active": "Active", "active_share": "Active share"},
}[lang]
r.table_from(segments[["value", "registered", "active", "active_share", "suppressed"]], labels=labels)

# %% [markdown] tags=["lang-id"]
# ### Tren keanggotaan
#
# Tiga bulan terakhir, langsung dari `r.data("membership")`.

# %% [markdown] tags=["lang-en"]
# ### Membership trend
#
# The last three months, straight from `r.data("membership")`.

# %%
r.data("membership").tail(3)
