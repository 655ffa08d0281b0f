from __future__ import annotations

import pytest

from bpu_reports.run import single


@pytest.fixture(autouse=True)
def own_trust_database(tmp_path_factory, monkeypatch):
    """Executed notebooks are signed in the Jupyter trust database of the user running the
    batch: in tests, a database of the test's own (workers inherit the environment)."""
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path_factory.mktemp("jupyter-data")))
    single._notary.cache_clear()
    yield
    single._notary.cache_clear()
