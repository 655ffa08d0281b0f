"""Find personal identifiers of a warehouse in report outputs, in time linear in the text."""

from __future__ import annotations

import re
from collections.abc import Iterable

_DIGITS = re.compile(r"\d{6,}")
_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def leaks(texts: Iterable[str], people: Iterable[tuple[str | None, ...]]) -> set[str]:
    """Values among ``people`` (nik, full_name, phone, …) that occur in any of ``texts``.

    Numbers are matched as whole digit runs, names as whole word sequences (1–5 words),
    e-mail addresses (values with an ``@``) anywhere, in any case.
    """
    numbers: set[str] = set()
    names: set[str] = set()
    addresses: set[str] = set()
    for row in people:
        for value in row:
            if not value:
                continue
            value = " ".join(value.split()).lower()
            (addresses if "@" in value else numbers if value.isdigit() else names).add(value)
    found: set[str] = set()
    for text in texts:
        lowered = text.lower()
        found |= {a for a in addresses if a in lowered}
        found |= numbers & set(_DIGITS.findall(text))
        words = [w.lower() for w in _WORDS.findall(text)]
        grams = {" ".join(words[i : i + n]) for n in range(1, 6) for i in range(len(words) - n + 1)}
        found |= names & grams
    return found
