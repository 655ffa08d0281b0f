"""The data contract (SPEC §1): the six tables a data team exports to us, and ``recipients``
(who receives which report by e-mail), which an export may leave out.

The tables are declared once, in ``TABLES``; the pandera schemas that validate an import and the
DuckDB DDL of the warehouse are both derived from that one declaration.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bpu_reports.errors import ScopeError

if TYPE_CHECKING:  # pandera costs 0.4 s to import; only the importer needs it
    import pandera.pandas as pa

Kind = Literal["code", "id", "text", "email", "date", "int", "money", "bool", "key"]

CODE_PATTERN = r"^[A-Za-z0-9_-]{1,32}\Z"
"""Branch and region codes: they become folder names, so nothing that could escape a path.
``\\Z``, not ``$``: with ``re.match`` (pandera's ``str_matches``) ``$`` lets a trailing newline
through."""
CODE = re.compile(CODE_PATTERN)
ID_MAX_LENGTH = 64
"""Identifiers (member, payment, event) are text of 1–64 characters: ``00123`` ≠ ``123``."""
INT32_MAX = 2**31 - 1
"""Counts (``potential``, ``target_registered``, ``months``) are 32-bit in the warehouse."""
INT64_MAX = 2**63 - 1
"""Rupiah amounts are 64-bit in the warehouse: a whole number beyond this is "too large"."""
FIRST_DATE = dt.date(1990, 1, 1)
"""No date of the contract is earlier: an older one is a placeholder (``1900-01-01``)."""
LAST_DATE = dt.date(2100, 12, 31)
"""Dates allowed in the future (``held_on``, ``first_month``) are no later than this."""
NO_DATE = dt.date(9999, 12, 31)
"""The "no date" sentinel of source systems: in a nullable date column (``exited_on``) it is
read as empty; anywhere else it is a date in the future like any other."""
MEMBER_KEY = "member_key"
"""Internal whole-number key of a member, assigned on load (``store.insert``): the metric pass
joins and groups on it instead of the text ``participant_id``. Not part of any export."""

SEGMENTS = (
    "ojek_online",
    "pedagang_pasar",
    "petani",
    "nelayan",
    "seniman",
    "pemandu_wisata",
    "lainnya",
)
CHANNELS = ("kantor", "sosialisasi", "wadah", "perisai", "online")
OFFICE_TYPES = ("KC", "KCP")
PERSONAL_COLUMNS = ("nik", "full_name", "phone")
"""Columns real exports carry; kept in the warehouse, never read by a metric or a report."""
LANGUAGES = ("id", "en")
RECIPIENT_PERSONAL = ("email", "name")
"""The recipients' personal columns: read only by delivery, never shown, published or logged."""

_DUCKDB_TYPE: dict[Kind, str] = {
    "code": "VARCHAR",
    "id": "VARCHAR",
    "text": "VARCHAR",
    "email": "VARCHAR",
    "date": "DATE",
    "int": "INTEGER",
    "money": "BIGINT",
    "bool": "BOOLEAN",
    "key": "INTEGER",
}
_PANDERA_TYPE: dict[Kind, str] = {
    "code": "str",
    "id": "str",
    "text": "str",
    "email": "str",
    "date": "datetime64[ns]",
    "int": "Int64",
    "money": "Int64",
    "bool": "boolean",
    "key": "Int64",
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    nullable: bool = False
    required: bool = True
    unique: bool = False
    isin: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    internal: bool = False
    """Assigned by the warehouse on load; never read from, nor required in, an export."""
    may_be_future: bool = False
    """A date that may lie after the day of the import (a planned event, a prepaid month);
    other dates must not, and no date may lie after ``LAST_DATE``."""


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    ref_column: str


@dataclass(frozen=True)
class Table:
    name: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def required_columns(self) -> list[str]:
        return [f.name for f in self.fields if f.required and not f.internal]

    @property
    def columns(self) -> list[str]:
        """The contract's columns (what an export carries), internal ones excluded."""
        return [f.name for f in self.fields if not f.internal]

    @property
    def contract_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.internal)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "regions",
            (Field("region_code", "code", unique=True), Field("region_name", "text")),
            key=("region_code",),
        ),
        Table(
            "branches",
            (
                Field("branch_code", "code", unique=True),
                Field("branch_name", "text"),
                Field("region_code", "code"),
                Field("office_type", "code", isin=OFFICE_TYPES),
            ),
            key=("branch_code",),
            foreign_keys=(ForeignKey("region_code", "regions", "region_code"),),
        ),
        Table(
            "participants",
            (
                Field("participant_id", "id", unique=True),
                Field("branch_code", "code"),
                Field("registered_on", "date"),
                Field("segment", "code"),
                Field("channel", "code"),
                Field("declared_income", "money", min_value=0),
                Field("has_jht", "bool"),
                Field("event_id", "id", nullable=True),
                Field("exited_on", "date", nullable=True),
                *(Field(c, "text", nullable=True, required=False) for c in PERSONAL_COLUMNS),
                Field(MEMBER_KEY, "key", unique=True, internal=True),
            ),
            key=("participant_id",),
            foreign_keys=(
                ForeignKey("branch_code", "branches", "branch_code"),
                ForeignKey("event_id", "outreach_events", "event_id"),
            ),
        ),
        Table(
            "contributions",
            (
                Field("payment_id", "id", unique=True),
                Field("participant_id", "id"),
                Field("paid_on", "date"),
                Field("first_month", "date", may_be_future=True),
                Field("months", "int", min_value=1, max_value=12),
                Field("amount_jkk", "money", min_value=0),
                Field("amount_jkm", "money", min_value=0),
                Field("amount_jht", "money", min_value=0),
                Field(MEMBER_KEY, "key", internal=True),
            ),
            key=("payment_id",),
            foreign_keys=(ForeignKey("participant_id", "participants", "participant_id"),),
        ),
        Table(
            "outreach_events",
            (
                Field("event_id", "id", unique=True),
                Field("branch_code", "code"),
                Field("held_on", "date", may_be_future=True),
                Field("title", "text"),
                Field("venue", "text"),
                Field("segment", "code"),
                Field("potential", "int", min_value=0, max_value=INT32_MAX),
            ),
            key=("event_id",),
            foreign_keys=(ForeignKey("branch_code", "branches", "branch_code"),),
        ),
        Table(
            "targets",
            (
                Field("branch_code", "code"),
                Field("year", "int", min_value=2000, max_value=2100),
                Field("target_registered", "int", min_value=0, max_value=INT32_MAX),
            ),
            key=("branch_code", "year"),
            foreign_keys=(ForeignKey("branch_code", "branches", "branch_code"),),
        ),
        Table(
            "recipients",
            (
                # a branch or region code, or NATIONAL (checked by rules, not a foreign key)
                Field("scope_code", "code"),
                Field("email", "email"),
                Field("name", "text"),
                Field("role", "text"),
                Field("lang", "code", isin=LANGUAGES),
                Field("active", "bool"),
            ),
            key=("scope_code", "email"),
        ),
    )
}
LOAD_ORDER = (
    "regions",
    "branches",
    "outreach_events",
    "participants",
    "contributions",
    "targets",
    "recipients",
)
OPTIONAL_TABLES = ("recipients",)
"""Tables an export may leave out: the warehouse then holds them empty."""
DATA_TABLES = tuple(name for name in LOAD_ORDER if name != "recipients")
"""The tables reports are made from: their contents alone make the data version (a change of
recipients re-sends reports, it does not re-make them)."""
NATIONAL = "NATIONAL"
"""The scope code of the head office's (national) report, e.g. in ``recipients``."""
NATIONAL_NAME = "Nasional"
"""The national report's name, as a region's name is the region's."""


BULK_TABLES = ("participants", "contributions")
"""Tables of millions of rows: their keys are checked unique on import (``rules``), not by a
warehouse index, which would cost more to build than the rest of the load together."""


def ddl(table: Table) -> str:
    """``CREATE TABLE`` statement of the warehouse table for ``table``."""
    cols = [
        f"{f.name} {_DUCKDB_TYPE[f.kind]}{'' if f.nullable else ' NOT NULL'}" for f in table.fields
    ]
    if table.name not in BULK_TABLES:
        cols.append(f"PRIMARY KEY ({', '.join(table.key)})")
    return f"CREATE TABLE {table.name} (\n  " + ",\n  ".join(cols) + "\n)"


def _checks(f: Field) -> list[pa.Check]:
    import pandera.pandas as pa

    checks: list[pa.Check] = []
    if f.kind == "code":
        checks.append(
            pa.Check.str_matches(CODE_PATTERN, error="a code of letters, digits, '_' or '-'")
        )
    if f.kind in ("text", "code", "id", "email"):
        checks.append(pa.Check(lambda s: s.str.strip().str.len() > 0, error="not empty"))
    if f.kind == "id":
        checks.append(
            pa.Check(
                lambda s: s.str.len() <= ID_MAX_LENGTH,
                error=f"at most {ID_MAX_LENGTH} characters",
            )
        )
    if f.isin:
        checks.append(pa.Check.isin(list(f.isin), error=f"one of {', '.join(f.isin)}"))
    if f.min_value is not None:
        checks.append(pa.Check.ge(f.min_value, error=f">= {f.min_value}"))
    if f.max_value is not None:
        checks.append(pa.Check.le(f.max_value, error=f"<= {f.max_value}"))
    return checks


def schema(table: Table) -> pa.DataFrameSchema:
    """pandera schema of one table: types (coerced), required columns, nullability, ranges."""
    import pandera.pandas as pa

    columns = {
        f.name: pa.Column(
            _PANDERA_TYPE[f.kind],
            checks=_checks(f),
            nullable=f.nullable,
            unique=f.unique,
            required=f.required,
            coerce=True,
        )
        for f in table.contract_fields
    }
    return pa.DataFrameSchema(
        columns,
        name=table.name,
        strict="filter",  # extra columns are allowed in exports and dropped on load
        unique=list(table.key) if len(table.key) > 1 else None,
        report_duplicates="all",
    )


def check_code(code: str, what: str = "code") -> str:
    """Reject codes that could not be a branch or region code (and could escape a path). The
    whole text must match: ``$`` alone would let a trailing newline through."""
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise ScopeError(
            f"{what} {shown_code(code)!r} is not a valid code: use letters, digits, '_' or '-' "
            "(max 32), e.g. DPS or BANUSPA"
        )
    return code


def shown_code(code: object) -> str:
    """A code as an error message shows it: cut at 40 characters."""
    return code if isinstance(code, str) and len(code) <= 40 else f"{str(code)[:40]}…"
