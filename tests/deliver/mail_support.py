"""Helpers of the delivery tests (fixtures in conftest.py): the recipients, the July 2017
manifest's offices, a scriptable SMTP server on 127.0.0.1 (aiosmtpd) and settings for it."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bpu_reports.config import Settings

DOMAIN = "example.invalid"
SENDER = f"laporan-bpu@bpjs.{DOMAIN}"
OPERATOR = f"operator.bpu@{DOMAIN}"
PASSWORD = "s3cret-Passw0rd-xyz"
RECIPIENTS = [
    # scope, address, name, role, lang, active
    ("A", f"a.kepala@{DOMAIN}", "Ni Made Contohsari", "Kepala Kantor Cabang", "id", True),
    ("A", f"a.bidang@{DOMAIN}", "Gede Fiktifwan", "Kepala Bidang Kepesertaan", "en", True),
    ("B", f"b.kepala@{DOMAIN}", "Komang Rekaan", "Kepala Kantor Cabang", "id", True),
    ("B", f"b.lama@{DOMAIN}", "Wayan Pensiunan", "Kepala Kantor Cabang", "id", False),
    ("C", f"c.kepala@{DOMAIN}", "Ketut Khayalan", "Kepala Kantor Cabang", "id", True),
    ("R1", f"r1.deputi@{DOMAIN}", "Putu Andaikata", "Deputi Direktur Wilayah", "id", True),
    ("NATIONAL", f"pusat.id@{DOMAIN}", "Made Misalnya", "Direktur Kepesertaan", "id", True),
    ("NATIONAL", f"pusat.en@{DOMAIN}", "Nyoman Umpama", "Direktur Kepesertaan", "en", True),
]
ADDRESSES = [r[1] for r in RECIPIENTS]
NAMES = [r[2] for r in RECIPIENTS]
ACTIVE_WITH_REPORT = [r[1] for r in RECIPIENTS if r[5] and r[0] != "C"]  # 6 messages
PERIOD = "2017-07"
OFFICES = {  # code: (kind, name, notebook)
    "NATIONAL": ("national", "Nasional", "national_monthly"),
    "R1": ("region", "Region One", "region_monthly"),
    "A": ("branch", "KC Alpha", "branch_monthly"),
    "B": ("branch", "KCP Beta", "branch_monthly"),
    "C": ("branch", "KC Gamma", "branch_monthly"),
}
AUTH_WITHOUT_TLS = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
KPIS = {"active": 3175, "on_time_rate": 0.6699212598425197, "new_registrations": 374}


def write_pdf(out: Path, rel: str, data: bytes) -> str:
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def entry(out: Path, pdfs: dict[str, bytes], code: str, lang: str = "id") -> dict[str, Any]:
    """A finished report's manifest entry, its PDF written under ``out``."""
    kind, name, notebook = OFFICES[code]
    stem = notebook if lang == "id" else f"{notebook}.{lang}"
    rel = f"{PERIOD}/{code}/{stem}.pdf"
    return {
        "key": f"{code}/{stem}",
        "notebook": f"{notebook}.ipynb",
        "kind": kind,
        "code": code,
        "name": name,
        "region_code": "R1",
        "period": PERIOD,
        "lang": lang,
        "status": "ok",
        "outputs": {"pdf": rel},
        "digests": {"pdf": write_pdf(out, rel, pdfs[f"{code}.{lang}"])},
        "kpis": KPIS,
        "error": None,
    }


def write_manifest(out: Path, entries: list[dict[str, Any]]) -> None:
    body = {"period": PERIOD, "reports": entries}
    (out / PERIOD).mkdir(parents=True, exist_ok=True)
    (out / PERIOD / "manifest.json").write_text(json.dumps(body, indent=1), encoding="utf-8")


@dataclass
class Received:
    sender: str
    to: list[str]
    data: bytes


@dataclass
class Handler:
    """Stores every accepted message; scripted: ``data_replies`` are given (in order) to the
    next DATA commands instead of accepting them, ``refuse`` maps an address to the reply
    its RCPT gets."""

    messages: list[Received] = field(default_factory=list)
    data_replies: list[str] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    data_commands: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_commands += 1
            if self.data_replies:
                return self.data_replies.pop(0)
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
            return f"250 2.0.0 Ok: queued as Q{len(self.messages):04d}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 at ``port``, started and stopped by the tests. With a
    ``password`` it requires a login (user ``bpu``) without TLS, which aiosmtpd warns about
    for every connection: a test using it marks that warning ``AUTH_WITHOUT_TLS``."""

    def __init__(self, port: int, *, password: str | None = None):
        self.port, self.handler, self.password = port, Handler(), password
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        user = "bpu@" if self.password else ""
        return f"smtp://{user}127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        options: dict[str, Any] = {}
        if self.password:
            options = {
                "authenticator": self._check,
                "auth_required": True,
                "auth_require_tls": False,
                "auth_exclude_mechanism": ["LOGIN"],  # PLAIN only: a refused login, one 535
            }
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10, **options
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def _check(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        ok = auth_data.login == b"bpu" and auth_data.password == self.password.encode()
        return AuthResult(success=ok, handled=False)  # not handled: the server replies 535

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages


def settings_for(out: Path, db: Path, url: str | None, **more: Any) -> Settings:
    """Settings as ``Settings.resolve`` makes them, with quick retries for tests."""
    values: dict[str, Any] = {
        "db": db, "out": out, "smtp": url, "mail_from": SENDER,
        "smtp_retries": 2, "smtp_backoff": 0.01,
    }  # fmt: skip
    values.update(more)
    return Settings(**values)
