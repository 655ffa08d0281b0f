"""The outreach events' labels under their bars: each event's date over its venue, the
venue shortened only as far as the room under its bars asks, so that two events never read
the same (:func:`event_labels`, :func:`short_venue`)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from babel.dates import format_date

from bpu_reports.report.charts.layout import text_width
from bpu_reports.report.charts.style import NOTE_SIZE
from bpu_reports.report.words import Lang, locale

EVENT_SIZE = NOTE_SIZE  # the events' labels under their bars
VENUE_LINES = 2  # lines a venue may take under its date
INITIALS = 2  # leading words of a venue that may be cut to initials; more read as a code


def event_labels(
    events: pd.DataFrame,
    lang: Lang,
    room: float,
    offices: bool = False,
    places: Mapping[str, str] | None = None,
) -> list[str]:
    """One label per row of ``events``: its date (``30 Jul``; ``DPS · 30 Jul`` when
    ``offices``, in a region or the country) over its venue (the title when there is none)
    in at most two lines of ``room`` points at the event labels' size.

    A venue is shown whole when it fits; else without the name of its own office's town
    (``places``: branch code → office name, "Pasar Induk Denpasar" → "Pasar Induk" in
    KC Bali Denpasar), then with one or two leading words cut to initials ("Balai Pertemuan
    Pasar Kreneng" → "B. P. Pasar Kreneng"), else cut with "…" at the end. Events whose
    labels would still read the same show, after "…", the words that tell their venues
    apart with one shared word before them ("… Kreneng Timur", "… Kreneng Barat"); the same
    venue on the same day is numbered ("12 Mar (1)", "12 Mar (2)")."""
    places = places or {}
    dates = []
    venues = []
    for row in events.itertuples():
        when = format_date(_day(row.held_on), "d MMM", locale=locale(lang))
        dates.append(f"{row.branch_code} · {when}" if offices else when)
        named = (v for v in (row.venue, row.title) if isinstance(v, str) and v.strip())
        venues.append(next(named, "").split())
    towns = [_words(places.get(str(row.branch_code), "")) for row in events.itertuples()]
    shown = [short_venue(v, room, town) for v, town in zip(venues, towns, strict=True)]
    for group in _same(dates, shown):
        words = [venues[i] for i in group]
        if len({tuple(w) for w in words}) == 1:
            continue
        common = max(_common_prefix(words) - 1, 0)  # one shared word for context
        for i in group:
            shown[i] = short_venue(["…", *venues[i][common:]], room)
    for group in _same(dates, shown):
        for k, i in enumerate(group, start=1):
            dates[i] = f"{dates[i]} ({k})"
    return ["\n".join([d, *s]) for d, s in zip(dates, shown, strict=True)]


def short_venue(
    words: Sequence[str], room: float, town: frozenset[str] = frozenset(), lines: int = VENUE_LINES
) -> list[str]:
    """``words`` in at most ``lines`` lines of ``room`` points (see :func:`event_labels`):
    whole, else without trailing ``town`` words, else one or two leading words to initials,
    else cut at the end."""
    words = list(words) or ["—"]
    bare = list(words)
    while len(bare) > 1 and _key(bare[-1]) in town:
        bare.pop()
    candidates = [words, bare] + [
        [_initial(w) for w in bare[:k]] + bare[k:] for k in range(1, min(len(bare), INITIALS + 1))
    ]
    for candidate in candidates:
        if (wrapped := _wrap(candidate, room, lines)) is not None:
            return wrapped
    return _cut(bare, room, lines)


def _wrap(words: Sequence[str], room: float, lines: int) -> list[str] | None:
    """Words filled greedily into lines of ``room`` points; None when they take more than
    ``lines`` lines or one word alone is wider than the room."""
    out: list[str] = []
    for w in words:
        if out and _fits(f"{out[-1]} {w}", room):
            out[-1] = f"{out[-1]} {w}"
        elif _fits(w, room):
            out.append(w)
        else:
            return None
    return out if len(out) <= lines else None


def _cut(words: Sequence[str], room: float, lines: int) -> list[str]:
    """Words filled into ``lines`` lines of ``room`` points, the last line cut with "…"."""
    out: list[str] = []
    rest = list(words)
    while len(rest) > 1 and len(out) < lines - 1:
        line = rest.pop(0)
        if not _fits(line, room):
            rest.insert(0, line)
            break
        while rest and _fits(f"{line} {rest[0]}", room):
            line = f"{line} {rest.pop(0)}"
        out.append(line)
    last = " ".join(rest)
    while len(last) > 1 and not _fits(last, room):
        last = last[:-2].rstrip() + "…"
    return [*out, last]


def _fits(text: str, room: float) -> bool:
    return text_width(text, EVENT_SIZE) <= room


def _initial(word_: str) -> str:
    """``Balai`` → ``B.``; short words, acronyms (``GOR``) and numbers stay as they are."""
    if len(word_) <= 2 or word_.isupper() or not word_[0].isalpha():
        return word_
    return word_[0] + "."


def _key(word_: str) -> str:
    return re.sub(r"\W", "", word_).casefold()


def _words(name: str) -> frozenset[str]:
    return frozenset(_key(w) for w in name.split()) - {""}


def _common_prefix(venues: Sequence[Sequence[str]]) -> int:
    """How many leading words all ``venues`` share."""
    n = 0
    for column in zip(*venues, strict=False):
        if len({_key(w) for w in column}) > 1:
            break
        n += 1
    return n


def _same(dates: Sequence[str], shown: Sequence[Sequence[str]]) -> list[list[int]]:
    """Groups (two or more) of events whose labels read the same, each in drawing order."""
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, (d, s) in enumerate(zip(dates, shown, strict=True)):
        groups[(d, *s)].append(i)
    return [g for g in groups.values() if len(g) > 1]


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else pd.Timestamp(value).date()
