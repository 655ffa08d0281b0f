"""The one catalogue of words (report/resources/words.yaml): complete in both languages,
one name per concept, every word used, the language check in one place."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from bpu_reports.data.contract import CHANNELS, SEGMENTS
from bpu_reports.report import formats
from bpu_reports.report.words import CODES, DEFINITIONS, WORDS, check_lang, value_word, word

ROOT = Path(__file__).resolve().parents[2]


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def string_constants(path: Path) -> set[str]:
    """Every string literal of a Python file (not its comments)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def test_every_word_has_both_languages_with_the_same_placeholders():
    assert len(WORDS) > 80
    for key, texts in WORDS.items():
        assert set(texts) == {"id", "en"}, key
        assert texts["id"].strip() and texts["en"].strip(), key
        assert fields(texts["id"]) == fields(texts["en"]), key


def test_no_two_keys_carry_the_same_words():
    seen: dict[tuple[str, str], str] = {}
    for key, texts in WORDS.items():
        pair = (texts["id"].casefold(), texts["en"].casefold())
        assert pair not in seen, f"{key!r} says what {seen[pair]!r} says: one concept, one key"
        seen[pair] = key


def test_every_word_is_used():
    """Each key is a string literal somewhere in src/ (outside words.py) or a notebook, or
    the term of a definition."""
    used: set[str] = {d.term for d in DEFINITIONS}
    for path in (ROOT / "src" / "bpu_reports").rglob("*.py"):
        if path.name != "words.py":
            used |= string_constants(path)
    for path in (ROOT / "notebooks").rglob("*.py"):
        used |= string_constants(path)
    assert set(WORDS) - used == set()


def test_every_segment_and_channel_code_has_a_word():
    assert set(SEGMENTS) | set(CHANNELS) == CODES
    assert not CODES - set(WORDS)
    assert value_word("ojek_online", "id") == "Ojek online"
    assert value_word("perisai", "en") == "Perisai agents"
    assert value_word("lainnya", "id") == "Lainnya"  # capitalised, as a table cell reads
    assert value_word("total", "id") == "total"  # not a code: shown as it is


def test_words_fill_their_placeholders():
    assert word("chart_target", "id", year=2017) == "Peserta terdaftar vs target 2017"
    assert word("chart_target", "en", year=2017) == "Registered members vs 2017 target"
    assert word("vs_month", "id", month="Juli 2016") == "vs Juli 2016"


@pytest.mark.parametrize(
    "wrong",
    [
        r"\bpp\b",  # "poin persentase" in words
        r"\bbln\b|\bmo\b",  # months in words
        r"Sudah bayar",
        r"\bk bulan\b|\bk months\b",
    ],
)
def test_no_abbreviations_in_any_word(wrong):
    for key, texts in WORDS.items():
        for text in texts.values():
            assert not re.search(wrong, text), (key, text)


def test_the_language_check_is_one():
    assert check_lang("id") == "id"
    for call in (
        lambda: check_lang("fr"),
        lambda: word("registered", "fr"),  # type: ignore[arg-type]
        lambda: formats.number(1, "fr"),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValueError, match="unknown language 'fr': use 'id' or 'en'"):
            call()
