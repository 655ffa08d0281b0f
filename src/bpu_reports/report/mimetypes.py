"""The names under which a report's outputs reach the runner and the renderer: what a
notebook displays beside its HTML, and the marker the print variant replaces with its table
of contents. One light module, so that the batch and its workers read them without loading
the charts (matplotlib, seaborn) they never draw."""

KPIS = "application/vnd.bpu-reports.kpis+json"
"""The KPI block's figures (``report.kpi``): what the manifest, the mail and the workbook read."""

TABLE = "application/vnd.bpu-reports.table+json"
"""A report table's figures (``report.table``): name, title, typed columns, raw rows."""

NARROW_SVG = "application/vnd.bpu-reports.narrow-svg+xml"
"""A chart's second drawing, about 4 in wide, that the screen HTML shows on a phone."""

TOC_MARK = "<!--bpu-toc-->"
"""Where the cover asks for the print variant's table of contents."""
