"""A throwaway PostgreSQL server in a temporary folder, for tests and the benchmark.

``start()`` runs ``initdb`` and ``pg_ctl start`` from Debian's ``postgresql`` package on a free
TCP port of 127.0.0.1 (socket in the same folder, so no system server is touched or needed).
TCP logins need a password (scram-sha-256); the Unix socket trusts the cluster's superuser,
which is how ``psql()`` sets things up. As root the server runs as the ``postgres`` OS user,
because ``initdb`` refuses to run as root. ``stop()`` kills the server and removes the folder.

Imported by ``tests/pg/conftest.py`` and by ``bench/postgres.py`` (through ``sys.path``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
"""The cluster's superuser role (``initdb -U``), reached through the socket only."""


class PostgresMissing(RuntimeError):
    """The PostgreSQL server programs are not installed."""


@dataclass(frozen=True)
class Cluster:
    root: Path
    port: int
    user: str
    password: str
    database: str
    bindir: Path
    os_user: str | None  # the OS user the server runs as, when not the current one

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def socket_dir(self) -> Path:
        return self.root / "run"

    def url(self, *, password: bool = True, database: str | None = None) -> str:
        """``postgresql://`` URL of the test role over TCP, with or without its password."""
        secret = f":{self.password}" if password else ""
        return (
            f"postgresql://{self.user}{secret}@{self.host}:{self.port}/{database or self.database}"
        )

    def psql(self, sql: str, *, database: str | None = None) -> str:
        """Run ``sql`` as the superuser over the socket; stdout (unaligned, tuples only)."""
        done = subprocess.run(
            [
                str(self.bindir / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                str(self.socket_dir),
                "-p",
                str(self.port),
                "-U",
                SUPERUSER,
                "-d",
                database or self.database,
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout


def bindir() -> Path:
    """The newest installed server's ``bin`` folder (Debian keeps it out of ``PATH``)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise PostgresMissing(
        "PostgreSQL server programs (initdb, pg_ctl) not found: run scripts/system-deps.sh "
        "as root, or `apt-get install postgresql`"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(*, user: str = "bpu", password: str = "s3cret-Pw!9", database: str = "bpu") -> Cluster:
    """A running cluster with role ``user`` (password ``password``) owning ``database``."""
    bins = bindir()
    os_user = SUPERUSER if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="bpu-pg-"))
    (root / "run").mkdir()
    if os_user is not None:
        entry = pwd.getpwnam(os_user)
        for path in (root, root / "run"):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    cluster = Cluster(root, free_port(), user, password, database, bins, os_user)
    try:
        _run(
            cluster,
            "initdb",
            "-D",
            str(root / "data"),
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale",
            "C.UTF-8",
        )
        hba = root / "data" / "pg_hba.conf"
        hba.write_text(
            "local all all trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
            "host all all ::1/128 scram-sha-256\n"
        )
        options = (
            f"-p {cluster.port} -k {cluster.socket_dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c password_encryption=scram-sha-256"
        )
        _run(
            cluster,
            "pg_ctl",
            "-D",
            str(root / "data"),
            "-l",
            str(root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        quoted = password.replace("'", "''")
        cluster.psql(f"CREATE ROLE {user} LOGIN PASSWORD '{quoted}'", database="postgres")
        cluster.psql(f"CREATE DATABASE {database} OWNER {user}", database="postgres")
    except BaseException:
        stop(cluster)
        raise
    return cluster


def stop(cluster: Cluster) -> None:
    """Stop the server at once (nothing in it is worth a clean shutdown) and remove its folder."""
    if (cluster.root / "data" / "postmaster.pid").exists():
        with contextlib.suppress(subprocess.CalledProcessError, RuntimeError):
            _run(
                cluster, "pg_ctl", "-D", str(cluster.root / "data"), "-m", "immediate", "-w", "stop"
            )
    shutil.rmtree(cluster.root, ignore_errors=True)


@contextlib.contextmanager
def running(**kwargs: str) -> Iterator[Cluster]:
    cluster = start(**kwargs)
    try:
        yield cluster
    finally:
        stop(cluster)


def _run(cluster: Cluster, program: str, *args: str) -> None:
    command = [str(cluster.bindir / program), *args]
    if cluster.os_user is not None:
        command = ["runuser", "-u", cluster.os_user, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=cluster.root)
    if done.returncode:
        log = cluster.root / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(
            f"{program} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
            f"\n{tail}"
        )
