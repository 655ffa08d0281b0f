"""The data room: the contract tables (six of data, one of recipients), imports from files or
PostgreSQL, the DuckDB warehouse, the demo generator and reference rates; it may import
``config``, ``errors`` and ``period``, never ``metrics``, ``report``, ``render``, ``run`` or
``deliver``."""
