"""Named catalogues (charts, tables, data sets): each name maps to the function that makes it
and one line per report language saying what it shows. ``Report.chart``, ``Report.table`` and
``Report.data``, their docstrings (``r.chart?`` in JupyterLab) and the tests all read the same
catalogue, so a chart added here is listed, documented and tested without a second list."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bpu_reports.report.words import Lang

T = TypeVar("T")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One catalogue entry; calling it calls ``make`` with the same arguments."""

    name: str
    make: Callable[..., T]
    about: Mapping[str, str]  # one line per report language: {"id": …, "en": …}

    def __call__(self, *args: Any, **kwargs: Any) -> T:
        return self.make(*args, **kwargs)

    def describe(self, lang: Lang = "en") -> str:
        """What the entry shows, in ``lang``."""
        return self.about[lang]


def catalogue(entries: Iterable[Entry[T]]) -> dict[str, Entry[T]]:
    """Entries by name, in the order given (the report's order)."""
    out: dict[str, Entry[T]] = {}
    for entry in entries:
        if entry.name in out:
            raise ValueError(f"{entry.name!r} is in the catalogue twice")
        if set(entry.about) != {"id", "en"}:
            raise ValueError(f"{entry.name!r} needs one line in 'id' and one in 'en'")
        out[entry.name] = entry
    return out


def listing(entries: Mapping[str, Entry[Any]], indent: str = "    ") -> str:
    """The names and what each shows (English, then Indonesian), one per line, for
    docstrings."""
    width = max((len(n) for n in entries), default=0)
    return "\n".join(
        f"{indent}{name:<{width}}  {e.about['en']} / {e.about['id']}" for name, e in entries.items()
    )


def unknown(kind: str, name: object, entries: Mapping[str, Entry[Any]]) -> ValueError:
    """The error for a name that is not in the catalogue; it lists the names there are."""
    return ValueError(f"unknown {kind} {name!r}; choose from {', '.join(entries)}")
