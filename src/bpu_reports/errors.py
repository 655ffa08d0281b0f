"""One exception root. The CLI turns any ``BpuReportsError`` into one line and exit code 2."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field
from pathlib import Path


class BpuReportsError(Exception):
    """Root of every error this package raises on purpose (bad input, missing data, …)."""

    exit_code: int = 2


class PeriodError(BpuReportsError):
    """A report period that is malformed or outside the warehouse's data."""


class ScopeError(BpuReportsError):
    """An unknown or malformed branch / region code."""


class WarehouseError(BpuReportsError):
    """The warehouse file is missing, locked, corrupt or of an unknown layout."""


class RecipientsMissing(WarehouseError):
    """The warehouse has no ``recipients`` table: it was built by a version that did not
    import one. Rebuilding it (``db import`` or ``db init --demo``) adds the table."""


class ParameterError(BpuReportsError):
    """A report parameter with an unknown name or a value of the wrong type."""


class Interrupted(BpuReportsError):
    """The batch was stopped by SIGTERM or SIGINT; ``done`` reports finished, ``not_run`` did
    not (``None`` while the batch had not planned its reports yet). A command that runs no
    reports (a warehouse build) says what it left in ``note`` instead."""

    def __init__(self, signum: int, done: int = 0, not_run: int | None = None, *, note: str = ""):
        super().__init__(signal.Signals(signum).name)
        self.signum, self.done, self.not_run, self.note = signum, done, not_run, note
        self.exit_code = 128 + signum  # as the shell reports a process a signal ended

    def __str__(self) -> str:
        if self.note:
            return self.note
        if self.not_run is None:
            return "interrupted before any report ran; run again to finish"
        return f"interrupted: {self.done} done, {self.not_run} not run; run again to finish"


@dataclass(frozen=True)
class Violation:
    """One broken rule of the data contract, with where it was found."""

    table: str
    column: str | None
    rule: str
    rows: tuple[int, ...] = ()  # 1-based data row numbers in the source file (header excluded)
    count: int = 0

    def describe(self, max_rows: int = 20) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        text = f"{where}: {self.rule}"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:max_rows])
            more = f" (+{self.count - max_rows} more)" if self.count > max_rows else ""
            noun = "row" if self.count == 1 else "rows"
            text += f" — {self.count} {noun}: {shown}{more}"
        return text


@dataclass
class ContractError(BpuReportsError):
    """Imported data broke the data contract; nothing was loaded."""

    violations: list[Violation] = field(default_factory=list)

    def __str__(self) -> str:
        first = self.violations[0].describe() if self.violations else "invalid data"
        others = len(self.violations) - 1
        tail = f"; and {others} more problem(s), listed below" if others > 0 else ""
        return f"import rejected, nothing loaded: {first}{tail}"

    def details(self) -> list[str]:
        return [v.describe() for v in self.violations]


def os_error_line(exc: OSError) -> str:
    """One line for a file error no check foresaw; a file that could not be created (a
    report's hidden temporary file, say) is named by its folder."""
    path = Path(exc.filename) if isinstance(exc.filename, str) else None
    if (
        isinstance(exc, PermissionError)
        and path is not None
        and not path.exists()
        and path.parent.is_dir()
        and not os.access(path.parent, os.W_OK)
    ):
        return (
            f"cannot write in the folder {path.parent}: permission denied: make it writable, "
            "or choose another --out"
        )
    where = f" {path}" if path is not None else ""
    return (
        f"cannot use{where}: {exc.strerror or type(exc).__name__}: "
        "check that the path exists and that you may read and write it"
    )
