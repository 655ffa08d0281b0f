"""One report e-mail: valid MIME, the subject, the body's figures in the reader's language,
the PDF attached, and no name anywhere."""

from __future__ import annotations

import datetime as dt
import email
import string
from email import policy

import pytest
import yaml

from bpu_reports.deliver.message import Report, body, build, mail_word
from bpu_reports.report.words import WORDS

NOW = dt.datetime(2017, 8, 3, 1, 2, 3, tzinfo=dt.UTC)
PDF = b"%PDF-1.7\n" + b"x" * 1_234_567
ENTRY = {
    "key": "DPS/branch_monthly",
    "notebook": "branch_monthly.ipynb",
    "kind": "branch",
    "code": "DPS",
    "name": "KC Bali Denpasar",
    "lang": "id",
    "kpis": {"active": 3175, "on_time_rate": 0.6699212598425197, "new_registrations": 374},
}


def parsed(message):
    return email.message_from_bytes(message.as_bytes(policy=policy.SMTP), policy=policy.default)


def test_the_message_in_indonesian():
    message = build(
        Report("2017-07", ENTRY, PDF),
        to="kepala.dps@example.invalid",
        role="Kepala Kantor Cabang",
        lang="id",
        sender="laporan-bpu@bpjs.example.invalid",
        now=NOW,
    )
    back = parsed(message)
    assert back["From"] == "laporan-bpu@bpjs.example.invalid"
    assert back["To"] == "kepala.dps@example.invalid"
    assert back["Subject"] == "Laporan BPU Juli 2017 — KC Bali Denpasar"
    assert back["Date"] == "Thu, 03 Aug 2017 01:02:03 +0000"
    assert back["Message-ID"].endswith("@bpjs.example.invalid>")
    assert back["Auto-Submitted"] == "auto-generated"
    text = back.get_body(("plain",)).get_content()
    assert text.splitlines() == [
        "Yth. Kepala Kantor Cabang,",
        "",
        "Terlampir laporan bulanan peserta BPU KC Bali Denpasar untuk Juli 2017.",
        "",
        "Angka utama Juli 2017:",
        "- Peserta aktif: 3.175",  # 3175 with the Indonesian thousands dot
        "- Tingkat kepatuhan: 67,0%",  # 0.66992 → 67,0%
        "- Peserta baru: 374",
        "",
        "Lampiran: BPU-DPS-2017-07.pdf (1,2 MB)",  # 1.234.576 bytes
        "",
        "-- ",
        "Pesan ini dikirim otomatis oleh sistem laporan BPU; mohon tidak membalas.",
    ]
    (attachment,) = list(back.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "BPU-DPS-2017-07.pdf"
    assert attachment.get_content() == PDF


def test_an_english_reader_of_an_indonesian_report_gets_a_correction_in_english():
    message = build(
        Report("2017-07", ENTRY, PDF[:40_000]),
        to="bidang.dps@example.invalid",
        role="Kepala Bidang Kepesertaan",
        lang="en",
        sender="laporan-bpu@bpjs.example.invalid",
        correction=True,
        now=NOW,
    )
    back = parsed(message)
    assert back["Subject"] == "Correction: BPU report July 2017 — KC Bali Denpasar"
    lines = back.get_body(("plain",)).get_content().splitlines()
    assert lines[:9] == [
        "Dear Kepala Bidang Kepesertaan,",
        "",
        "Attached is the monthly BPU members report for KC Bali Denpasar, July 2017.",
        "This report replaces the version sent earlier.",
        "This report is not available in English; the Indonesian edition is attached.",
        "",
        "Headline figures, July 2017:",
        "- Active members: 3,175",
        "- On-time rate: 67.0%",
    ]
    assert "Attachment: BPU-DPS-2017-07.pdf (40 KB)" in lines


def test_national_and_other_reports_are_named_apart():
    national = {
        **ENTRY, "kind": "national", "code": "NATIONAL", "name": "Nasional",
        "notebook": "national_monthly.ipynb",
    }  # fmt: skip
    assert Report("2017-07", national, PDF).office("en") == "National"
    assert Report("2017-07", national, PDF).filename == "BPU-NATIONAL-2017-07.pdf"
    intro = body(Report("2017-07", national, PDF), role="", lang="en").splitlines()[2]
    assert intro == "Attached is the national monthly BPU members report for July 2017."
    intro = body(Report("2017-07", national, PDF), role="", lang="id").splitlines()[2]
    assert intro == "Terlampir laporan bulanan peserta BPU tingkat nasional untuk Juli 2017."
    outreach = {**ENTRY, "notebook": "outreach.ipynb", "title": "Sosialisasi"}
    message = build(
        Report("2017-07", outreach, PDF),
        to="kepala.dps@example.invalid",
        role="",
        lang="id",
        sender="laporan-bpu@bpjs.example.invalid",
    )
    assert message["Subject"] == "Laporan BPU Juli 2017 — KC Bali Denpasar (Sosialisasi)"
    text = parsed(message).get_body(("plain",)).get_content()
    assert text.splitlines()[0] == "Yth. Bapak/Ibu,"
    assert next(message.iter_attachments()).get_filename() == "BPU-DPS-2017-07-outreach.pdf"


def test_missing_figures_show_a_dash():
    report = Report("2017-07", {**ENTRY, "kpis": {}}, PDF)
    assert "- Peserta aktif: —" in body(report, role="Kepala", lang="id")


def test_a_bad_address_is_a_value_error():
    with pytest.raises(ValueError):
        build(
            Report("2017-07", ENTRY, PDF),
            to="not an address",
            role="Kepala",
            lang="id",
            sender="laporan-bpu@bpjs.example.invalid",
        )


def test_mail_words_are_complete_and_used_once_per_concept():
    from importlib.resources import files

    text = files("bpu_reports.report.resources").joinpath("words.yaml").read_text("utf-8")
    section = yaml.safe_load(text)["mail"]

    def fields(s):
        return {name for _, name, _, _ in string.Formatter().parse(s) if name}

    for key, texts in section.items():
        assert set(texts) == {"id", "en"}, key
        assert fields(texts["id"]) == fields(texts["en"]), key
        assert key not in WORDS, f"{key} is a report word too: one concept, one key"
    assert mail_word("correction", "id") == "Koreksi"
