"""Sending over SMTP (the standard library's ``smtplib``), with retries.

One connection serves a whole run, opened at the first message and opened again after it
breaks. Each message is one transaction (``MAIL``, ``RCPT``, ``DATA``):

- a temporary failure — a ``4xx`` reply, a refused or broken connection, a timeout — is
  retried with exponential backoff (``tenacity``): ``retries`` more attempts, waiting
  ``backoff`` seconds, then twice that, and so on (at most a minute);
- a permanent failure — a ``5xx`` reply — is not retried: the message failed, the next one
  goes on;
- a server that cannot be used at all — still unreachable after the retries, or refusing
  the login or TLS — ends the run's sending: ``Mailer.down`` says why, and every later message
  fails at once without a new attempt (the next run sends them).

What a failure records is the server's reply code and text on one line, with any address in
it masked (``k***@example.invalid``); never the password.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from types import TracebackType

import tenacity

from bpu_reports.data.recipients import mask
from bpu_reports.deliver.settings import MailServer

MAX_WAIT = 60.0
"""The longest wait between two attempts, in seconds."""
_ADDRESS = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;]+")
_QUEUED = re.compile(r"queued as ([A-Za-z0-9._-]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Sent:
    """A message the server accepted: after ``attempts`` attempts, with the server's queue id
    when its reply gives one (``250 2.0.0 Ok: queued as 4F2A8``)."""

    attempts: int
    queue_id: str | None


class SendFailed(Exception):
    """A message the server did not accept. ``reply`` is what to record (code and text, no
    address); ``permanent`` a ``5xx`` (or an unusable server); ``down`` that the server could
    not be used at all, so the run sends nothing more."""

    def __init__(self, reply: str, attempts: int, *, permanent: bool, down: bool = False):
        super().__init__(reply)
        self.reply, self.attempts, self.permanent, self.down = reply, attempts, permanent, down


class _Failure(Exception):
    """One failed attempt: ``temporary`` (retry), ``connection`` (the connection, not the
    message, failed: open a new one, and count the server down if it persists)."""

    def __init__(self, reply: str, *, temporary: bool, connection: bool):
        super().__init__(reply)
        self.reply, self.temporary, self.connection = reply, temporary, connection


def clean(text: str | bytes) -> str:
    """Server text as a ledger or a log may keep it: one line, addresses masked, at most 300
    characters."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    line = " ".join(text.split())
    return _ADDRESS.sub(lambda m: mask(m.group(0)), line)[:300]


def _reply(code: int, text: str | bytes) -> _Failure:
    """The failure of an SMTP reply ``code``: ``4xx`` temporary; ``421`` (the server is
    closing) also a connection failure."""
    return _Failure(
        f"{code} {clean(text)}".strip(),
        temporary=400 <= code < 500,
        connection=code == 421,
    )


class Mailer:
    """The run's connection to ``server``; use as a context manager (closes it)."""

    def __init__(
        self,
        server: MailServer,
        *,
        retries: int = 4,
        backoff: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.server, self.retries, self.backoff, self._sleep = server, retries, backoff, sleep
        self.down: str | None = None
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def send(self, message: EmailMessage, sender: str, to: str) -> Sent:
        """Send ``message`` from ``sender`` to ``to`` (the envelope); ``SendFailed`` if the
        server did not accept it (see the module's docstring)."""
        if self.down is not None:
            raise SendFailed(f"not attempted: {self.down}", 0, permanent=False, down=True)
        data = message.as_bytes(policy=SMTP_POLICY)
        attempts = 0

        def once() -> str | None:
            nonlocal attempts
            attempts += 1
            return self._transaction(data, sender, to)

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.retries + 1),
            wait=tenacity.wait_exponential(multiplier=self.backoff, max=MAX_WAIT),
            retry=tenacity.retry_if_exception(lambda e: isinstance(e, _Failure) and e.temporary),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            queue_id = retrying(once)
        except _Failure as failure:
            down = failure.connection  # unreachable after the retries, or unusable
            if down:
                self.down = f"the mail server {self.server} could not be used: {failure.reply}"
            raise SendFailed(
                failure.reply, attempts, permanent=not failure.temporary or down, down=down
            ) from None
        return Sent(attempts, queue_id)

    def _transaction(self, data: bytes, sender: str, to: str) -> str | None:
        smtp = self._connection()
        try:
            code, text = smtp.mail(sender)
            if code != 250:
                raise _reply(code, text)
            code, text = smtp.rcpt(to)
            if code not in (250, 251):
                raise _reply(code, text)
            code, text = smtp.data(data)
            if code != 250:
                raise _reply(code, text)
        except _Failure as exc:
            self._reset(drop=exc.connection)
            raise
        except smtplib.SMTPResponseException as exc:  # DATA refused before the message
            refused = _reply(exc.smtp_code, exc.smtp_error)
            self._reset(drop=refused.connection)
            raise refused from None
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._reset(drop=True)
            raise _Failure(
                f"the connection to {self.server} broke: {_os_reason(exc)}",
                temporary=True,
                connection=True,
            ) from None
        found = _QUEUED.search(text.decode("utf-8", "replace"))
        return found.group(1) if found else None

    def _reset(self, *, drop: bool) -> None:
        """After a failed transaction: ``RSET`` for the next one, or a new connection."""
        if not drop and self._smtp is not None:
            try:
                self._smtp.rset()
                return
            except (smtplib.SMTPException, OSError):
                pass
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        server = self.server
        context = ssl.create_default_context()
        try:
            if server.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    server.host, server.port, timeout=server.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
            try:
                smtp.ehlo()
                if server.security == "starttls":
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if server.user:
                    smtp.login(server.user, server.password or "")
            except BaseException:
                smtp.close()
                raise
        except smtplib.SMTPNotSupportedError as exc:  # no STARTTLS, or no AUTH, offered
            raise _Failure(
                f"{server} does not offer what the URL asks for: {clean(str(exc))}",
                temporary=False,
                connection=True,
            ) from None
        except smtplib.SMTPResponseException as exc:  # greeting, EHLO, STARTTLS or login
            failure = _reply(exc.smtp_code, exc.smtp_error)
            failure.connection = True
            raise failure from None
        except ssl.SSLError as exc:  # a certificate that does not verify: retrying won't help
            raise _Failure(
                f"TLS with {server} failed: {clean(exc.reason or str(exc))}",
                temporary=False,
                connection=True,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise _Failure(
                f"cannot connect to {server}: {_os_reason(exc)}",
                temporary=True,
                connection=True,
            ) from None
        self._smtp = smtp
        return smtp


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return clean(exc.strerror)
    return clean(str(exc)) or type(exc).__name__
