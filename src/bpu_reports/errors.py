"""One exception root. The CLI turns any ``BpuReportsError`` into one line and exit code 2."""

from __future__ import annotations

from dataclasses import dataclass, field


class BpuReportsError(Exception):
    """Root of every error this package raises on purpose (bad input, missing data, …)."""

    exit_code: int = 2


class PeriodError(BpuReportsError):
    """A report period that is malformed or outside the warehouse's data."""


class ScopeError(BpuReportsError):
    """An unknown or malformed branch / region code."""


class WarehouseError(BpuReportsError):
    """The warehouse file is missing, locked, corrupt or of an unknown layout."""


class ParameterError(BpuReportsError):
    """A report parameter with an unknown name or a value of the wrong type."""


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
