"""Which branches a computation covers: one branch, one region, a list of codes, or all."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from bpu_reports.data.contract import CODE, check_code, shown_code
from bpu_reports.errors import ScopeError


@dataclass(frozen=True)
class Scope:
    """A resolved scope: its kind, the code(s) asked for, and the branches it covers."""

    kind: str  # "branch", "region", "branches" or "all"
    code: str  # what a report is about: a branch or region code, or "all"
    branches: pd.DataFrame  # branch_code, branch_name, office_type, region_code, region_name

    @property
    def branch_codes(self) -> list[str]:
        return list(self.branches.branch_code)


def _branches(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """
        SELECT b.branch_code, b.branch_name, b.office_type, b.region_code, r.region_name
        FROM branches b JOIN regions r USING (region_code)
        ORDER BY b.region_code, b.branch_code
        """
    ).df()


def _checked(scope: Scope) -> Scope:
    """Codes from the warehouse become folder names too: a warehouse built around the importer
    (which enforces the pattern) must not smuggle in ``../x`` or ``a/b``."""
    for column, what in (("branch_code", "branch"), ("region_code", "region")):
        for code in scope.branches[column].drop_duplicates():
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
    if branch is not None:
        check_code(branch, "branch")
        hit = table[table.branch_code == branch]
        if hit.empty:
            raise ScopeError(f"unknown branch {branch!r}: {_suggest(branch, table.branch_code)}")
        return _checked(Scope("branch", branch, hit.reset_index(drop=True)))
    if region is not None:
        check_code(region, "region")
        hit = table[table.region_code == region]
        if hit.empty:
            raise ScopeError(f"unknown region {region!r}: {_suggest(region, table.region_code)}")
        return _checked(Scope("region", region, hit.reset_index(drop=True)))
    if codes is not None:
        for c in codes:
            check_code(c, "branch")
        unknown = sorted(set(codes) - set(table.branch_code))
        if unknown:
            raise ScopeError(
                f"unknown branch {unknown[0]!r}: {_suggest(unknown[0], table.branch_code)}"
            )
        return _checked(Scope("branches", ",".join(codes), table[table.branch_code.isin(codes)]))
    return _checked(Scope("all", "all", table))


def _suggest(code: str, known: pd.Series) -> str:
    values = sorted(set(known))
    close = [v for v in values if v.upper().startswith(code[:2].upper())][:5]
    listed = close or values[:8]
    more = "" if len(values) <= len(listed) else ", …"
    return f"known codes include {', '.join(listed)}{more}"
