"""The report appendix and docs/metrics.md define the same metrics."""

import re
from pathlib import Path

from bpu_reports.report.words import DEFINITIONS, WORDS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def test_every_documented_metric_is_in_the_report_appendix():
    rows = re.findall(r"^\| ([a-z][^|]+?) \| [^|]+ \| ", DOCS.read_text(), re.M)
    documented = {r.strip() for r in rows} - {"metric", "breakdowns"}
    assert len(documented) > 20
    in_appendix = {d.metric for d in DEFINITIONS}
    assert documented - in_appendix == set()


def test_appendix_has_both_languages_and_names_each_term_by_a_word():
    for d in DEFINITIONS:
        assert d.term in WORDS, d.metric
        assert d.term_in("id") and d.term_in("en") and d.text["id"] and d.text["en"]
