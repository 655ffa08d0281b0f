"""The report languages and every word the reports show in them.

The words live in one data file, ``resources/words.yaml`` (each key with its ``id`` and
``en`` text), loaded once when this module is imported: a wording fix is one edit there, and
a label, a chart phrase and a definition of the same concept share one key::

    word("active_members", "id")              # 'Peserta aktif'
    word("chart_target", "en", year=2017)     # 'Registered members vs 2017 target'
    value_word("ojek_online", "id")           # 'Ojek online'

:func:`check_lang` and :func:`locale` are the one check of a report language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Literal, cast

import yaml

from bpu_reports.data.contract import CHANNELS, SEGMENTS

Lang = Literal["id", "en"]
LOCALES: dict[str, str] = {"id": "id_ID", "en": "en_US"}
"""The Babel (CLDR) locale of each report language."""


def check_lang(lang: str) -> Lang:
    """``lang`` if it is a report language; ``ValueError`` otherwise."""
    if lang not in LOCALES:
        raise ValueError(f"unknown language {lang!r}: use 'id' or 'en'")
    return cast(Lang, lang)


def locale(lang: str) -> str:
    """The Babel locale of the report language ``lang`` (``id_ID``, ``en_US``)."""
    return LOCALES[check_lang(lang)]


@dataclass(frozen=True)
class Definition:
    """One entry of the report's appendix: ``metric`` as docs/metrics.md names it,
    ``term`` the key of the word it is called by, ``text`` its meaning per language."""

    metric: str
    term: str
    text: Mapping[str, str]

    def term_in(self, lang: Lang) -> str:
        return word(self.term, lang)


def _load() -> tuple[dict[str, dict[str, str]], tuple[Definition, ...]]:
    text = files("bpu_reports.report.resources").joinpath("words.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    words = {
        str(key): {str(lang): str(text) for lang, text in texts.items()}
        for key, texts in data["words"].items()
    }
    definitions = tuple(
        Definition(str(metric), str(d["term"]), {"id": str(d["id"]), "en": str(d["en"])})
        for metric, d in data["definitions"].items()
    )
    return words, definitions


WORDS, DEFINITIONS = _load()
"""Every word by key (``WORDS[key][lang]``), and the appendix's definitions in report order."""


def word(key: str, lang: Lang, **fields: Any) -> str:
    """The text of ``key`` in ``lang``, its ``{placeholders}`` filled from ``fields``."""
    text = WORDS[key][check_lang(lang)]
    return text.format(**fields) if fields else text


CODES = frozenset(SEGMENTS + CHANNELS)
"""The segment and channel codes of the data contract; each is a key of :data:`WORDS`."""


def value_word(code: str, lang: Lang) -> str:
    """A segment or channel code in words (``ojek_online`` → "Ojek online"); any other
    value is shown as it is."""
    return word(code, lang) if code in CODES else code
