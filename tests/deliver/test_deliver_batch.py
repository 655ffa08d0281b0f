"""The real path end to end: the monthly batch writes KC Bali Gianyar's report in both
languages on the Bali demo warehouse, then ``deliver`` mails it to the office's two demo
readers (the head in Indonesian, the second reader in English) through a real SMTP server."""

from __future__ import annotations

import email
import io
from email import policy
from pathlib import Path

import pytest
from mail_support import SENDER, SmtpServer, free_port
from pypdf import PdfReader

from bpu_reports.cli import main
from bpu_reports.run import single

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
READERS = {"kepala.gia@example.invalid": "id", "kepesertaan.gia@example.invalid": "en"}


@pytest.fixture
def own_trust_database(tmp_path_factory, monkeypatch):
    """Executed notebooks are signed in a Jupyter trust database of the test's own."""
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path_factory.mktemp("jupyter-data")))
    single._notary.cache_clear()
    yield
    single._notary.cache_clear()


def test_generate_then_deliver_on_the_demo(bali_db, tmp_path, monkeypatch, own_trust_database):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "reports:\n"
        f"  - notebook: {ROOT / 'notebooks' / 'branch_monthly.ipynb'}\n"
        "    per: branch\n"
        "    formats: [html, pdf]\n"
        "    languages: [id, en]\n",
        encoding="utf-8",
    )
    out = tmp_path / "reports"
    common = ["--db", str(bali_db), "--out", str(out)]
    assert main([*common, "generate", "--period", "2017-07", "--scope", "GIA",
                 "--spec", str(spec), "--workers", "1"]) == 0  # fmt: skip

    monkeypatch.setenv("BPU_REPORTS_MAIL_FROM", SENDER)
    monkeypatch.delenv("BPU_REPORTS_MAIL_OPERATOR", raising=False)
    server = SmtpServer(free_port()).start()
    try:
        deliver = [*common, "deliver", "--period", "2017-07", "--scope", "GIA",
                   "--smtp", server.url]  # fmt: skip
        assert main(deliver) == 0
        assert main(deliver) == 0  # a re-run sends nothing
    finally:
        server.stop()

    assert sorted(to for m in server.messages for to in m.to) == sorted(READERS)
    for got in server.messages:
        message = email.message_from_bytes(got.data, policy=policy.default)
        (reader,) = got.to
        assert message["To"] == reader
        (attachment,) = list(message.iter_attachments())  # type: ignore[attr-defined]
        assert attachment.get_filename() == "BPU-GIA-2017-07.pdf"
        text = PdfReader(io.BytesIO(attachment.get_content())).pages[0].extract_text()
        assert "KC Bali Gianyar" in text
        month = {"id": "Juli 2017", "en": "July 2017"}[READERS[reader]]
        assert month in text  # the edition in the reader's language
        assert month in message["Subject"]

    published = [p for p in out.rglob("*") if p.is_file() and ".delivery" not in p.parts]
    assert any(p.suffix == ".pdf" for p in published)
    for path in published:
        data = path.read_bytes()
        assert b"@example.invalid" not in data and b"Contoh" not in data, path
