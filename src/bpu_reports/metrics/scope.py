"""Which branches a computation covers: one branch, one region, a list of codes, or all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

import duckdb

from bpu_reports.data.contract import CODE, check_code, shown_code
from bpu_reports.errors import ScopeError

if TYPE_CHECKING:
    import pandas as pd


class Branch(NamedTuple):
    """A branch as a scope lists it."""

    branch_code: str
    branch_name: str
    office_type: str
    region_code: str
    region_name: str


@dataclass(frozen=True)
class Scope:
    """A resolved scope: its kind, the code(s) asked for, and the branches it covers (in
    region, then branch order). Planning a batch reads ``rows``; the metrics read the same as
    a frame (``branches``), built on first use so that a run with nothing to do never loads
    pandas."""

    kind: str  # "branch", "region", "branches" or "all"
    code: str  # what a report is about: a branch or region code, or "all"
    rows: tuple[Branch, ...]

    @property
    def branch_codes(self) -> list[str]:
        return [b.branch_code for b in self.rows]

    @property
    def region_codes(self) -> set[str]:
        return {b.region_code for b in self.rows}

    @cached_property
    def branches(self) -> pd.DataFrame:
        """branch_code, branch_name, office_type, region_code, region_name."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=list(Branch._fields))

    def only(self, branch_codes: Iterable[str]) -> Scope:
        """The same scope restricted to some of its branches."""
        keep = set(branch_codes)
        return Scope(self.kind, self.code, tuple(b for b in self.rows if b.branch_code in keep))


def _branches(con: duckdb.DuckDBPyConnection) -> tuple[Branch, ...]:
    rows = con.execute(
        """
        SELECT b.branch_code, b.branch_name, b.office_type, b.region_code, r.region_name
        FROM branches b JOIN regions r USING (region_code)
        ORDER BY b.region_code, b.branch_code
        """
    ).fetchall()
    return tuple(Branch(*row) for row in rows)


def _checked(scope: Scope) -> Scope:
    """Codes from the warehouse become folder names too: a warehouse built around the importer
    (which enforces the pattern) must not smuggle in ``../x`` or ``a/b``."""
    for column, what in (("branch_code", "branch"), ("region_code", "region")):
        for code in dict.fromkeys(getattr(b, column) for b in scope.rows):
            if not isinstance(code, str) or not CODE.fullmatch(code):
                raise ScopeError(
                    f"the warehouse holds {what} code {shown_code(code)!r}, which is not a valid "
                    "code (letters, digits, '_' or '-', max 32): fix the export and re-import it"
                )
    return scope


def resolve(
    con: duckdb.DuckDBPyConnection,
    *,
    branch: str | None = None,
    region: str | None = None,
    codes: list[str] | None = None,
) -> Scope:
    """Resolve the scope against the warehouse; unknown codes are a ``ScopeError``."""
    if sum(x is not None for x in (branch, region, codes)) > 1:
        raise ScopeError("give one of --branch, --region or a list of codes, not several")
    table = _branches(con)
    branch_codes = [b.branch_code for b in table]
    if branch is not None:
        check_code(branch, "branch")
        hit = tuple(b for b in table if b.branch_code == branch)
        if not hit:
            raise ScopeError(f"unknown branch {branch!r}: {_suggest(branch, branch_codes)}")
        return _checked(Scope("branch", branch, hit))
    if region is not None:
        check_code(region, "region")
        hit = tuple(b for b in table if b.region_code == region)
        if not hit:
            known = [b.region_code for b in table]
            raise ScopeError(f"unknown region {region!r}: {_suggest(region, known)}")
        return _checked(Scope("region", region, hit))
    if codes is not None:
        for c in codes:
            check_code(c, "branch")
        unknown = sorted(set(codes) - set(branch_codes))
        if unknown:
            raise ScopeError(f"unknown branch {unknown[0]!r}: {_suggest(unknown[0], branch_codes)}")
        asked = set(codes)
        hit = tuple(b for b in table if b.branch_code in asked)
        return _checked(Scope("branches", ",".join(codes), hit))
    return _checked(Scope("all", "all", table))


def _suggest(code: str, known: Iterable[str]) -> str:
    values = sorted(set(known))
    close = [v for v in values if v.upper().startswith(code[:2].upper())][:5]
    listed = close or values[:8]
    more = "" if len(values) <= len(listed) else ", …"
    return f"known codes include {', '.join(listed)}{more}"
