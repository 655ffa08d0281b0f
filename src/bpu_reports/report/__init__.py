"""The report room: what notebooks call (``open_report``, charts, tables, words, formats, KPI
blocks, narrative); it may import ``metrics``, ``data``, ``period``, ``errors``, ``config``
and the package version, never ``run``, ``render`` or ``deliver``."""

from bpu_reports.report.book import Report, open_report

__all__ = ["Report", "open_report"]
