"""Settings resolved once — defaults, then ``BPU_REPORTS_*`` environment, then flags — and
passed explicitly to whatever needs them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from bpu_reports.errors import BpuReportsError

DEFAULT_DB = Path("data/bpu.duckdb")
DEFAULT_OUT = Path("reports")
DB_ENV = "BPU_REPORTS_DB"
OUT_ENV = "BPU_REPORTS_OUT"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    db: Path = DEFAULT_DB
    out: Path = DEFAULT_OUT
    verbose: bool = False
    quiet: bool = False

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
        return cls(
            db=warehouse_path(db, environ=env),
            out=_chosen(out, env, OUT_ENV, DEFAULT_OUT, "--out"),
            verbose=verbose,
            quiet=quiet,
        )


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
