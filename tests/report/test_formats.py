import datetime as dt

import pytest

from bpu_reports.period import Period
from bpu_reports.report import formats as f
from bpu_reports.report.formats import MISSING


@pytest.mark.parametrize(
    ("call", "id_text", "en_text"),
    [
        (lambda lang: f.number(16_800, lang), "16.800", "16,800"),
        (lambda lang: f.number(1234.56, lang, 1), "1.234,6", "1,234.6"),
        (lambda lang: f.percent(0.6, lang), "60,0%", "60.0%"),
        (lambda lang: f.rupiah(16_800, lang), "Rp16.800", "Rp16,800"),
        (lambda lang: f.rupiah(999_999, lang), "Rp999.999", "Rp999,999"),  # whole below a juta
        (lambda lang: f.rupiah(1_000_000, lang), "Rp1 juta", "Rp1 million"),
        (lambda lang: f.rupiah(2_500_000, lang), "Rp2,5 juta", "Rp2.5 million"),
        (lambda lang: f.rupiah(121_720_000, lang), "Rp121,7 juta", "Rp121.7 million"),
        (lambda lang: f.rupiah(1_200_000_000, lang), "Rp1,2 miliar", "Rp1.2 billion"),
        (lambda lang: f.rupiah(364_200_000_000, lang), "Rp364,2 miliar", "Rp364.2 billion"),
        (lambda lang: f.rupiah(3e12, lang), "Rp3 triliun", "Rp3 trillion"),
        (lambda lang: f.rupiah(3.1e12, lang), "Rp3,1 triliun", "Rp3.1 trillion"),
        # 999,96 miliar rounds to the next scale, not to "1000 miliar"
        (lambda lang: f.rupiah(999_960_000_000, lang), "Rp1 triliun", "Rp1 trillion"),
        (lambda lang: f.rupiah(-2_500_000, lang), "−Rp2,5 juta", "−Rp2.5 million"),
        (lambda lang: f.scale_word(1e3, lang), "ribu", "thousand"),
        (lambda lang: f.scale_word(1e9, lang), "miliar", "billion"),
        (lambda lang: f.months(1, lang), "1 bulan", "1 month"),
        (lambda lang: f.months(6, lang), "6 bulan", "6 months"),
        (lambda lang: f.month(Period(2017, 7), lang), "Juli 2017", "July 2017"),
        (lambda lang: f.month("2017-08", lang, short=True), "Agu 2017", "Aug 2017"),
        (lambda lang: f.day(dt.date(2017, 7, 30), lang), "30 Juli 2017", "July 30, 2017"),
        (lambda lang: f.signed(-56, lang), "−56", "−56"),
        (lambda lang: f.signed(1234, lang), "+1.234", "+1,234"),
        (lambda lang: f.points(0.025, lang), "+2,5 poin persentase", "+2.5 percentage points"),
        (lambda lang: f.points(-0.008, lang), "−0,8 poin persentase", "−0.8 percentage points"),
    ],
)
def test_formats_in_both_languages(call, id_text, en_text):
    assert call("id") == id_text
    assert call("en") == en_text


@pytest.mark.parametrize("value", [None, float("nan")])
def test_missing_values_render_as_a_dash(value):
    assert f.number(value) == f.percent(value) == f.rupiah(value) == MISSING


def test_suppressed_cells_pass_through():
    assert f.number("< 5") == "< 5" and f.percent("–") == "–"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language"):
        f.number(1, "fr")  # type: ignore[arg-type]
