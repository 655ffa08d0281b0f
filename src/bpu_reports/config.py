"""Settings resolved once — defaults, then ``BPU_REPORTS_*`` environment, then flags — and
passed explicitly to whatever needs them.

Mail delivery (``deliver``, ``generate --deliver``) reads its settings here too, as given:
``BPU_REPORTS_SMTP`` (the server URL; ``--smtp`` overrides it), ``BPU_REPORTS_SMTP_PASSWORD``
(kept as a secret: never in a ``repr``, a log or an error), ``BPU_REPORTS_MAIL_FROM``,
``BPU_REPORTS_MAIL_OPERATOR``, ``BPU_REPORTS_MAIL_MAX_MB`` (default 10), ``BPU_REPORTS_LEDGER``
(default ``OUT/.delivery/ledger.sqlite``), ``BPU_REPORTS_SMTP_RETRIES`` (default 4) and
``BPU_REPORTS_SMTP_BACKOFF`` (seconds, default 2). The URL is checked by ``deliver.settings``
when mail is sent, so a command that sends none never fails on it; a number that is not one
is refused by every command, with one line naming the variable.

``BPU_REPORTS_MEMORY`` (for example ``7GB``) caps the memory DuckDB takes for a warehouse
connection (the metric pass of a national month is the largest user): unset, DuckDB takes up
to 80 % of the machine's; past the cap it works in temporary files, more slowly."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from bpu_reports.errors import BpuReportsError

DEFAULT_DB = Path("data/bpu.duckdb")
DEFAULT_OUT = Path("reports")
DB_ENV = "BPU_REPORTS_DB"
OUT_ENV = "BPU_REPORTS_OUT"
SMTP_ENV = "BPU_REPORTS_SMTP"
SMTP_PASSWORD_ENV = "BPU_REPORTS_SMTP_PASSWORD"
MAIL_FROM_ENV = "BPU_REPORTS_MAIL_FROM"
MAIL_OPERATOR_ENV = "BPU_REPORTS_MAIL_OPERATOR"
MAIL_MAX_MB_ENV = "BPU_REPORTS_MAIL_MAX_MB"
LEDGER_ENV = "BPU_REPORTS_LEDGER"
SMTP_RETRIES_ENV = "BPU_REPORTS_SMTP_RETRIES"
SMTP_BACKOFF_ENV = "BPU_REPORTS_SMTP_BACKOFF"
BATCH_KEY_ENV = "BPU_REPORTS_BATCH_KEY"
MEMORY_ENV = "BPU_REPORTS_MEMORY"
"""The monthly batch's secret for its metrics files: set in the environment of the batch's
workers and kernels only, never a notebook parameter, never written to disk."""
_N = TypeVar("_N", int, float)
DELIVERY_FOLDER = ".delivery"
"""The private folder under ``--out`` that holds the delivery ledger and the dry-run outbox."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    db: Path = DEFAULT_DB
    out: Path = DEFAULT_OUT
    verbose: bool = False
    quiet: bool = False
    smtp: str | None = None
    smtp_password: SecretStr | None = Field(default=None, repr=False)
    mail_from: str | None = None
    mail_operator: str | None = None
    mail_max_mb: float = 10.0
    ledger: Path | None = None
    smtp_retries: int = 4
    smtp_backoff: float = 2.0

    @property
    def ledger_path(self) -> Path:
        """The delivery ledger: ``BPU_REPORTS_LEDGER``, else ``OUT/.delivery/ledger.sqlite``."""
        return self.ledger or self.out / DELIVERY_FOLDER / "ledger.sqlite"

    @classmethod
    def resolve(
        cls,
        *,
        db: Path | None = None,
        out: Path | None = None,
        verbose: bool = False,
        quiet: bool = False,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        env = os.environ if environ is None else environ
        password = env.get(SMTP_PASSWORD_ENV, "")
        ledger = env.get(LEDGER_ENV, "")
        return cls(
            db=warehouse_path(db, environ=env),
            out=_chosen(out, env, OUT_ENV, DEFAULT_OUT, "--out"),
            verbose=verbose,
            quiet=quiet,
            smtp=_text(env, SMTP_ENV),
            smtp_password=SecretStr(password) if password else None,
            mail_from=_text(env, MAIL_FROM_ENV),
            mail_operator=_text(env, MAIL_OPERATOR_ENV),
            mail_max_mb=_number(env, MAIL_MAX_MB_ENV, float, 10.0, "a size in MB, e.g. 10"),
            ledger=checked_path(Path(ledger), LEDGER_ENV) if ledger.strip() else None,
            smtp_retries=_number(env, SMTP_RETRIES_ENV, int, 4, "a whole number, e.g. 4"),
            smtp_backoff=_number(env, SMTP_BACKOFF_ENV, float, 2.0, "seconds, e.g. 2"),
        )


def _text(env: Mapping[str, str], name: str) -> str | None:
    """The variable's text without surrounding spaces; empty or blank is unset."""
    value = env.get(name, "").strip()
    return value or None


def _number(env: Mapping[str, str], name: str, kind: type[_N], default: _N, example: str) -> _N:
    """The variable as a finite number of ``kind``, not negative; unset or blank is
    ``default``."""
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value: _N | None = kind(text)
    except ValueError:
        value = None
    if value is None or value < 0 or not math.isfinite(value):
        raise BpuReportsError(f"{name}={text!r} is not {example}: fix or unset it")
    return value


def memory_limit(environ: Mapping[str, str] | None = None) -> str | None:
    """``BPU_REPORTS_MEMORY`` as DuckDB's ``memory_limit`` (a number and a unit: ``7GB``,
    ``6000MB``, ``80%``); None when unset. A value DuckDB would not take is a
    ``BpuReportsError`` naming the variable."""
    text = _text(os.environ if environ is None else environ, MEMORY_ENV)
    if text is None:
        return None
    if re.fullmatch(r"\d+(\.\d+)?\s*(%|[KMGT]i?B)", text, re.IGNORECASE) is None:
        raise BpuReportsError(
            f"{MEMORY_ENV}={text!r} is not an amount of memory such as 7GB or 6000MB: "
            "fix or unset it"
        )
    return text


def warehouse_path(
    db: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    look_up: bool = False,
) -> Path:
    """The warehouse file, decided in one place for the CLI, the library and notebooks:
    ``db`` if given (not empty), else ``$BPU_REPORTS_DB`` (empty or blank: unset), else
    ``data/bpu.duckdb``. With ``look_up`` the default is searched for in the working folder
    and then each parent, the nearest that has one winning (notebooks run from
    ``notebooks/``); with none, it is ``data/bpu.duckdb`` here. A path whose name is not
    UTF-8 is a ``BpuReportsError``.

    Example: ``warehouse_path("")`` is ``Path("data/bpu.duckdb")`` when the variable is unset.
    """
    env = os.environ if environ is None else environ
    if db or env.get(DB_ENV, "").strip() or not look_up:
        return _chosen(Path(db) if db else None, env, DB_ENV, DEFAULT_DB, "--db")
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / DEFAULT_DB).exists():
            return folder / DEFAULT_DB
    return DEFAULT_DB


def _chosen(flag: Path | None, env: Mapping[str, str], name: str, default: Path, what: str) -> Path:
    """The flag, else the environment variable, else the default. An empty or blank variable
    means unset (``Path("")`` would be the current folder)."""
    if flag:
        return checked_path(flag, what)
    value = env.get(name, "")
    return checked_path(Path(value), name) if value.strip() else default


def shown(text: object) -> str:
    """``text`` as it can be printed: bytes that are not UTF-8 (a file name on Linux may hold
    any) as ``\\xff`` escapes instead of a ``UnicodeEncodeError`` while printing."""
    return str(text).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def checked_path(path: Path, what: str) -> Path:
    """``path`` if its name is UTF-8 text; reports, the manifest and the portal's links name
    their files in UTF-8, so a path holding other bytes is refused before anything runs."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BpuReportsError(
            f"{what} {shown(text)} is not valid UTF-8: rename it, or give a UTF-8 path"
        ) from None
    return path


def writable_folder(folder: Path, what: str = "--out") -> None:
    """Refuse an output folder this user may not write, before anything runs: the folder if
    it exists, else the nearest folder above it that does (where it would be created)."""
    existing = folder
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if not os.path.isdir(existing):
        return  # a file in the way: the command names it when it makes the folder
    if not os.access(existing, os.W_OK | os.X_OK):
        where = "" if existing == folder else f" (its folder {existing})"
        raise BpuReportsError(
            f"cannot write to the output folder {folder}{where}: permission denied: "
            f"make it writable, or choose another {what}"
        )
