"""Settings resolved once — defaults, then ``BPU_REPORTS_*`` environment, then flags — and
passed explicitly to whatever needs them."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict

DEFAULT_DB = Path("data/bpu.duckdb")
DEFAULT_OUT = Path("reports")


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
        environ: dict[str, str] | None = None,
    ) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            db=db or Path(env.get("BPU_REPORTS_DB", DEFAULT_DB)),
            out=out or Path(env.get("BPU_REPORTS_OUT", DEFAULT_OUT)),
            verbose=verbose,
            quiet=quiet,
        )
