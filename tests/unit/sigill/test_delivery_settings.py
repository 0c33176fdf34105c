"""[smtp], [sms] and [worker]: which channel each setting gives, and the mistakes refused at start."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from notify.dev_sink import DevEmailSender, DevSink, DevSmsSender
from notify.email_smtp import SmtpEmailSender
from notify.sms_acs import AcsSmsSender
from sigill import config
from sigill.delivery import email_sender, sms_sender

PRODUCTION = {
    "mode": "production",
    "public_url": "https://sigill.example.se",
    "entra": {
        "tenants": {"00000000-0000-0000-0000-000000000001": "kommun.example"},
        "audiences": ["api://x"],
    },
}


def settings(**overrides: Any) -> config.Settings:
    return config.load(None, environ={}, overrides=overrides)


def sink(tmp_path: Path) -> DevSink:
    return DevSink(tmp_path / "dev-outbox.jsonl", lambda: datetime.now(UTC))


def test_development_sends_both_channels_to_the_sink(tmp_path: Path) -> None:
    chosen = settings(data_dir=tmp_path)
    assert isinstance(email_sender(chosen, sink(tmp_path)), DevEmailSender)
    assert isinstance(sms_sender(chosen, sink(tmp_path)), DevSmsSender)


async def test_configured_channels_are_used_even_in_development(tmp_path: Path) -> None:
    chosen = settings(
        data_dir=tmp_path,
        smtp={"host": "smtp.example.se", "from_address": "noreply@kommun.example"},
        sms={
            "endpoint": "https://acs.example.communication.azure.com",
            "access_key": "a2V5",
            "from_number": "+46700000000",
        },
    )
    assert isinstance(email_sender(chosen, sink(tmp_path)), SmtpEmailSender)
    sender = sms_sender(chosen, sink(tmp_path))
    assert isinstance(sender, AcsSmsSender)
    await sender.close()


def test_production_never_uses_the_sink(tmp_path: Path) -> None:
    chosen = settings(data_dir=tmp_path, **PRODUCTION)
    assert email_sender(chosen, sink(tmp_path)) is None
    assert sms_sender(chosen, sink(tmp_path)) is None


def test_settings_come_from_the_environment_too() -> None:
    chosen = config.load(
        None,
        environ={
            "SIGILL_SMTP_HOST": "smtp.example.se",
            "SIGILL_SMTP_PORT": "2525",
            "SIGILL_SMTP_FROM_ADDRESS": "noreply@kommun.example",
            "SIGILL_SMTP_STARTTLS": "false",
            "SIGILL_WORKER_RUN_IN_SERVE": "false",
        },
    )
    assert (chosen.smtp.host, chosen.smtp.port, chosen.smtp.starttls) == ("smtp.example.se", 2525, False)
    assert chosen.worker.run_in_serve is False
    assert "hemligt" not in repr(chosen.smtp.model_copy(update={"password": "hemligt"}))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"smtp": {"host": "smtp.example.se"}}, "smtp: from_address: SMTP needs the address"),
        (
            {"smtp": {"host": "x", "from_address": "a@b.se", "password": "p"}},
            "smtp: username: a password needs",
        ),
        ({"sms": {"endpoint": "https://x"}}, "sms: access_key: an endpoint needs its access key"),
        ({"sms": {"connection_string": "endpoint=https://x/;accesskey=a2V5"}}, "sms: from_number: SMS needs"),
        (
            {
                "sms": {
                    "connection_string": "c",
                    "endpoint": "https://x",
                    "access_key": "k",
                    "from_number": "+46",
                }
            },
            "sms: connection_string: give a connection string or",
        ),
        ({"worker": {"concurrency": 0}}, "worker.concurrency"),
        ({"smtp": {"hostname": "x"}}, "smtp.hostname: unknown setting"),
    ],
)
def test_a_channel_that_cannot_work_stops_the_start_with_one_line(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(config.ConfigError) as raised:
        settings(**overrides)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)
