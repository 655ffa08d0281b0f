"""The report appendix and docs/metrics.md define the same metrics."""

import re
from pathlib import Path

from bpu_reports.report.book import definitions_data

DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def test_every_documented_metric_is_in_the_report_appendix():
    rows = re.findall(r"^\| ([a-z][^|]+?) \| [^|]+ \| ", DOCS.read_text(), re.M)
    documented = {r.strip() for r in rows} - {"metric", "breakdowns"}
    in_appendix = {d["key"] for d in definitions_data()}
    assert documented - in_appendix == set()


def test_appendix_has_both_languages():
    for d in definitions_data():
        assert d["term"]["id"] and d["term"]["en"] and d["text"]["id"] and d["text"]["en"]
