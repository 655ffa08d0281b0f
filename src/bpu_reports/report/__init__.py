"""What report notebooks call: formats, charts, tables, narrative and KPI blocks."""

from bpu_reports.report.book import Report, open_report

__all__ = ["Report", "open_report"]
