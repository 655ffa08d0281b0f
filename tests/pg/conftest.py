"""A real PostgreSQL server for the import tests: one throwaway cluster per session
(``pgcluster``), one fresh database per test. Fails, never skips, when PostgreSQL is absent."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import adbc_driver_postgresql.dbapi as pg
import pgcluster
import pyarrow as pa
import pytest

from bpu_reports.cli import main

_names = (f"t{n}" for n in itertools.count(1))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pgcluster.Cluster]:
    try:
        cluster = pgcluster.start()
    except pgcluster.PostgresMissing as exc:
        pytest.fail(str(exc))
    yield cluster
    pgcluster.stop(cluster)


@dataclass
class Database:
    """One empty database of the session's cluster, owned by the password-protected role."""

    cluster: pgcluster.Cluster
    name: str

    @property
    def url(self) -> str:
        return self.cluster.url(database=self.name)

    @property
    def url_without_password(self) -> str:
        return self.cluster.url(database=self.name, password=False)

    def connect(self) -> Any:
        return pg.connect(self.url, autocommit=True)

    def execute(self, *statements: str) -> None:
        with self.connect() as con, con.cursor() as cur:
            for sql in statements:
                cur.execute(sql)

    def query(self, sql: str) -> list[tuple]:
        with self.connect() as con, con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    def load(self, tables: dict[str, pa.Table], schema: str = "public") -> None:
        """Create each table of ``tables`` in ``schema`` (Arrow types become PostgreSQL's)."""
        with self.connect() as con, con.cursor() as cur:
            cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            for name, table in tables.items():
                cur.adbc_ingest(name, table, mode="create", db_schema_name=schema)


@pytest.fixture
def pgdb(pg_cluster: pgcluster.Cluster) -> Database:
    name = next(_names)
    pg_cluster.psql(f"CREATE DATABASE {name} OWNER {pg_cluster.user}", database="postgres")
    return Database(pg_cluster, name)


class Cli:
    """``main(argv)`` in-process, with what it printed (as ``tests/hardening`` does)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]):
        self.capsys = capsys

    def __call__(self, *argv: object) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main([str(a) for a in argv])
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)
