"""The render room: executed notebooks to screen HTML and A4 PDF, and the portal page; it may
import ``report``, ``publish``, ``period``, ``errors`` and the package version, never ``data``,
``metrics`` (no SQL here), ``run`` or ``deliver``."""
