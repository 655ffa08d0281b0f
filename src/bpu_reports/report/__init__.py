"""The report room: what notebooks call (``open_report``, charts, tables, words, formats, KPI
blocks, narrative); it may import ``metrics``, ``data``, ``period``, ``errors``, ``config``
and the package version, never ``run``, ``render`` or ``deliver``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bpu_reports.report.book import Report, open_report

__all__ = ["Report", "open_report"]


def __getattr__(name: str) -> Any:
    """``Report`` and ``open_report`` load the charts (matplotlib, seaborn) on first use, so
    the runner, the renderer and the mailer can read ``words``, ``formats`` and
    ``mimetypes`` without them."""
    if name in __all__:
        from bpu_reports.report import book

        return getattr(book, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
