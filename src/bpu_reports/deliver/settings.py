"""The mail server and sender, checked once before anything is sent.

The server is a URL, from ``--smtp`` or ``BPU_REPORTS_SMTP``:

- ``smtp://[USER@]HOST[:PORT]`` — plain SMTP (port 25 unless given);
- ``smtp+starttls://[USER@]HOST[:PORT]`` — SMTP upgraded with STARTTLS (port 587);
- ``smtps://[USER@]HOST[:PORT]`` — SMTP over TLS from the first byte (port 465).

TLS checks the server's certificate against the system's authorities (a default SSL
context). With a user the client logs in, with the password from
``BPU_REPORTS_SMTP_PASSWORD``; a password written into the URL is refused (it would end up in
shell histories and process lists). The password is never part of a ``repr``, a log line or an
error: ``MailServer`` prints as its URL without it.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.headerregistry import Address

from bpu_reports.config import (
    MAIL_FROM_ENV,
    MAIL_OPERATOR_ENV,
    SMTP_ENV,
    SMTP_PASSWORD_ENV,
    Settings,
)
from bpu_reports.data.recipients import mask
from bpu_reports.errors import BpuReportsError

SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}
"""URL scheme → (security, default port)."""
TIMEOUT = 30.0
"""Seconds a connection or a reply may take before it counts as a temporary failure."""


class MailSettingsError(BpuReportsError):
    """A mail setting is missing or malformed (exit 2): the message names the setting."""


@dataclass(frozen=True)
class MailServer:
    """Where and how to send: ``security`` is ``plain``, ``starttls`` or ``tls``; ``user`` is
    who logs in (``None``: no login). ``str()`` is the URL without any password."""

    security: str
    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False, compare=False)
    timeout: float = TIMEOUT

    def __str__(self) -> str:
        scheme = next(name for name, (sec, _) in SCHEMES.items() if sec == self.security)
        user = f"{urllib.parse.quote(self.user, safe='')}@" if self.user else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{user}{host}:{self.port}"


@dataclass(frozen=True)
class MailConfig:
    """Everything delivery needs from the settings: the server (``None`` for a dry run
    without one), the sender, the operator's address (``None``: no summary mail), the largest
    attachment in bytes, and the retry policy (retries after the first attempt; the first
    wait in seconds, doubling each time)."""

    server: MailServer | None
    sender: str
    operator: str | None
    max_bytes: int
    retries: int
    backoff: float


def parse_server(url: str, password: str | None = None) -> MailServer:
    """The server of ``url`` (see the module's docstring); ``MailSettingsError`` naming what is
    wrong, never echoing a password.

    Example: ``parse_server("smtp+starttls://bpu@mail.example.invalid")`` is
    ``MailServer("starttls", "mail.example.invalid", 587, "bpu")``."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise MailSettingsError(
            f"the SMTP URL {_safe(url)} is malformed: use smtp://HOST:PORT, "
            "smtp+starttls://USER@HOST:PORT or smtps://USER@HOST:PORT"
        ) from None
    if parts.scheme not in SCHEMES:
        raise MailSettingsError(
            f"the SMTP URL {_safe(url)} has scheme {parts.scheme!r}: use smtp://, "
            "smtp+starttls:// or smtps://"
        )
    if parts.password is not None:
        raise MailSettingsError(
            f"the SMTP URL {_safe(url)} carries a password: remove it from the URL and set "
            f"{SMTP_PASSWORD_ENV} instead"
        )
    if not parts.hostname:
        raise MailSettingsError(f"the SMTP URL {_safe(url)} names no host: smtp://HOST:PORT")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise MailSettingsError(
            f"the SMTP URL {_safe(url)} has a path or query: give only [USER@]HOST:PORT"
        )
    security, default_port = SCHEMES[parts.scheme]
    user = urllib.parse.unquote(parts.username) if parts.username else None
    if user and not password:
        raise MailSettingsError(
            f"the SMTP URL names the user {user!r} but {SMTP_PASSWORD_ENV} is not set: "
            "set it, or leave the user out to send without logging in"
        )
    return MailServer(security, parts.hostname, port or default_port, user, password or None)


def _safe(url: str) -> str:
    """``url`` as an error may show it: any password between ``:`` and ``@`` replaced by
    ``***``, and no more than 200 characters."""
    head, at, tail = url.strip().rpartition("@")
    if at:
        scheme, sep, who = head.partition("://")
        if sep and ":" in who:
            who = who.split(":", 1)[0] + ":***"
            head = f"{scheme}://{who}"
        url = f"{head}@{tail}"
    return repr(url[:200])


def check_address(text: str | None, setting: str) -> str:
    """``text`` if it is one plain address (``name@domain``), else ``MailSettingsError``."""
    if not text:
        raise MailSettingsError(f"{setting} is not set: give the address mail is sent from")
    try:
        address = Address(addr_spec=text)
    except (HeaderParseError, ValueError, IndexError):
        address = None
    if address is None or not address.username or not address.domain:
        raise MailSettingsError(
            f"{setting}={mask(text)!r} is not an e-mail address: give name@domain"
        )
    return text


def mail_config(settings: Settings, smtp: str | None = None, *, need_server: bool) -> MailConfig:
    """The mail settings of ``settings``, ``smtp`` (the ``--smtp`` flag) overriding
    ``BPU_REPORTS_SMTP``; ``need_server`` false (a dry run) allows no server at all. Missing
    or malformed settings are a ``MailSettingsError``."""
    url = smtp if smtp and smtp.strip() else settings.smtp
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    if url:
        server: MailServer | None = parse_server(url, password)
    elif need_server:
        raise MailSettingsError(
            f"no mail server: give --smtp smtp://HOST:PORT or set {SMTP_ENV} "
            "(or use --dry-run to write the messages without sending them)"
        )
    else:
        server = None
    sender = check_address(settings.mail_from, MAIL_FROM_ENV)
    operator = settings.mail_operator
    if operator is not None:
        check_address(operator, MAIL_OPERATOR_ENV)
    return MailConfig(
        server=server,
        sender=sender,
        operator=operator,
        max_bytes=int(settings.mail_max_mb * 1_000_000),
        retries=settings.smtp_retries,
        backoff=settings.smtp_backoff,
    )
