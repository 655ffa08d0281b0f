"""The data room: the six tables' contract, imports from files or PostgreSQL, the DuckDB
warehouse, the demo generator and reference rates; it may import ``config``, ``errors`` and
``period``, never ``metrics``, ``report``, ``render`` or ``run``."""
