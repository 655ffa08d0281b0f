"""Mail settings: the server URL, the password kept secret, the numbers from the
environment, and one clear line (exit 2) for each mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpu_reports.cli import main
from bpu_reports.config import Settings
from bpu_reports.deliver.settings import MailServer, MailSettingsError, mail_config, parse_server
from bpu_reports.errors import BpuReportsError

SECRET = "s3cret-Passw0rd-xyz"


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://127.0.0.1:2525", MailServer("plain", "127.0.0.1", 2525)),
        ("smtp://mail.example.invalid", MailServer("plain", "mail.example.invalid", 25)),
        (
            "smtp+starttls://bpu@mail.example.invalid",
            MailServer("starttls", "mail.example.invalid", 587, "bpu"),
        ),
        (
            "smtps://bpu@mail.example.invalid:4650",
            MailServer("tls", "mail.example.invalid", 4650, "bpu"),
        ),
        # a user that is itself an address is written percent-encoded
        (
            "smtps://bpu%40example.invalid@mail.example.invalid",
            MailServer("tls", "mail.example.invalid", 465, "bpu@example.invalid"),
        ),
        ("smtp://[::1]:2525", MailServer("plain", "::1", 2525)),
    ],
)
def test_server_urls(url, server):
    assert parse_server(url, password=SECRET) == server


def test_the_password_is_never_shown():
    server = parse_server("smtps://bpu@mail.example.invalid", password=SECRET)
    assert server.password == SECRET
    assert SECRET not in repr(server) and SECRET not in str(server)
    assert str(server) == "smtps://bpu@mail.example.invalid:465"
    settings = Settings.resolve(environ={"BPU_REPORTS_SMTP_PASSWORD": SECRET})
    assert settings.smtp_password is not None
    assert settings.smtp_password.get_secret_value() == SECRET
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    assert SECRET not in settings.model_dump_json()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mail.example.invalid", "has scheme 'http': use smtp://, smtp+starttls://"),
        ("smtp://:25", "names no host"),
        ("smtp://mail.example.invalid:99999", "is malformed"),
        ("smtp://mail.example.invalid:25/inbox", "has a path or query"),
        (f"smtp://bpu:{SECRET}@mail.example.invalid", "carries a password: remove it from"),
        ("smtp+starttls://bpu@mail.example.invalid", "BPU_REPORTS_SMTP_PASSWORD is not set"),
    ],
)
def test_bad_urls_say_what_is_wrong_without_the_password(url, says):
    with pytest.raises(MailSettingsError) as raised:
        parse_server(url, password=None)
    message = str(raised.value)
    assert says in message
    assert SECRET not in message
    assert "\n" not in message


def _settings(**values) -> Settings:
    return Settings(**{"mail_from": "laporan@bpjs.example.invalid", **values})


def test_mail_config_resolves_the_flag_over_the_environment():
    config = mail_config(
        _settings(smtp="smtp://env.example.invalid:25"), "smtp://flag:2525", need_server=True
    )
    assert config.server == MailServer("plain", "flag", 2525)
    config = mail_config(_settings(smtp="smtp://env.example.invalid:25"), None, need_server=True)
    assert config.server == MailServer("plain", "env.example.invalid", 25)
    assert config.max_bytes == 10_000_000 and config.retries == 4 and config.backoff == 2.0


def test_a_dry_run_needs_no_server_but_a_sender():
    assert mail_config(_settings(), None, need_server=False).server is None
    with pytest.raises(MailSettingsError, match="no mail server: give --smtp"):
        mail_config(_settings(), None, need_server=True)
    with pytest.raises(MailSettingsError, match="BPU_REPORTS_MAIL_FROM is not set"):
        mail_config(Settings(), None, need_server=False)


def test_a_bad_address_is_refused_masked():
    with pytest.raises(MailSettingsError) as raised:
        mail_config(_settings(mail_operator="kepala.kantor@"), None, need_server=False)
    assert "BPU_REPORTS_MAIL_OPERATOR" in str(raised.value)
    assert "kepala.kantor" not in str(raised.value)


def test_numbers_from_the_environment():
    settings = Settings.resolve(
        environ={
            "BPU_REPORTS_MAIL_MAX_MB": "2.5",
            "BPU_REPORTS_SMTP_RETRIES": "1",
            "BPU_REPORTS_SMTP_BACKOFF": " 0.5 ",
            "BPU_REPORTS_LEDGER": "/srv/bpu/ledger.sqlite",
            "BPU_REPORTS_MAIL_FROM": " laporan@bpjs.example.invalid ",
        }
    )
    assert (settings.mail_max_mb, settings.smtp_retries, settings.smtp_backoff) == (2.5, 1, 0.5)
    assert settings.ledger_path == Path("/srv/bpu/ledger.sqlite")
    assert settings.mail_from == "laporan@bpjs.example.invalid"
    assert Settings.resolve(environ={}).ledger_path == Path("reports/.delivery/ledger.sqlite")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BPU_REPORTS_SMTP_RETRIES", "four"),
        ("BPU_REPORTS_SMTP_RETRIES", "-1"),
        ("BPU_REPORTS_SMTP_BACKOFF", "nan"),
        ("BPU_REPORTS_MAIL_MAX_MB", "inf"),
    ],
)
def test_a_bad_number_is_one_line(name, value):
    with pytest.raises(BpuReportsError, match=f"^{name}='{value}' is not .*: fix or unset it$"):
        Settings.resolve(environ={name: value})


def test_the_command_refuses_bad_settings_with_exit_2(deliver_db, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BPU_REPORTS_MAIL_FROM", "laporan@bpjs.example.invalid")
    monkeypatch.setenv("BPU_REPORTS_SMTP_PASSWORD", SECRET)
    monkeypatch.delenv("BPU_REPORTS_SMTP", raising=False)
    base = ["--db", str(deliver_db), "--out", str(tmp_path), "deliver", "--period", "2017-07"]
    assert main(base) == 2
    assert "error: no mail server: give --smtp" in capsys.readouterr().err
    assert main([*base, "--smtp", f"smtp://bpu:{SECRET}@127.0.0.1:25", "--verbose"]) == 2
    err = capsys.readouterr().err
    assert "carries a password" in err and SECRET not in err
    monkeypatch.delenv("BPU_REPORTS_MAIL_FROM")
    assert main([*base, "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "BPU_REPORTS_MAIL_FROM is not set" in err
