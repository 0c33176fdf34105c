"""The [audit] settings: where checkpoints go, how often, and one line naming the key when they cannot work."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sigill import config


def test_checkpoints_default_to_a_file_every_minute() -> None:
    audit = config.load(None, environ={}).audit
    assert (audit.checkpoint_sink, audit.checkpoint_path, audit.checkpoint_interval_s) == ("file", None, 60.0)
    assert audit.checkpoint_container == "audit-checkpoints"


def test_the_environment_sets_the_audit_section() -> None:
    audit = config.load(
        None,
        environ={
            "SIGILL_AUDIT_CHECKPOINT_SINK": "blob",
            "SIGILL_AUDIT_CHECKPOINT_ACCOUNT_URL": "https://sigillaudit.blob.core.windows.net",
            "SIGILL_AUDIT_CHECKPOINT_CONTAINER": "sigill-audit",
            "SIGILL_AUDIT_CHECKPOINT_INTERVAL_S": "30",
            "SIGILL_AUDIT_CHECKPOINT_PATH": "/srv/worm/checkpoints.jsonl",
        },
    ).audit
    assert audit.checkpoint_sink == "blob" and audit.checkpoint_container == "sigill-audit"
    assert audit.checkpoint_interval_s == 30.0
    assert audit.checkpoint_path == Path("/srv/worm/checkpoints.jsonl")


def test_the_blob_sink_may_use_the_attachment_storage_account() -> None:
    settings = config.load(
        None,
        environ={
            "SIGILL_AUDIT_CHECKPOINT_SINK": "blob",
            "SIGILL_BLOBS_AZURE_ACCOUNT_URL": "https://x.example",
        },
    )
    assert settings.audit.checkpoint_sink == "blob"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"SIGILL_AUDIT_CHECKPOINT_SINK": "blob"}, "audit.checkpoint_connection_string: the blob checkpoint"),
        ({"SIGILL_AUDIT_CHECKPOINT_SINK": "syslog"}, "audit.checkpoint_sink:"),
        ({"SIGILL_AUDIT_CHECKPOINT_INTERVAL_S": "0"}, "audit.checkpoint_interval_s:"),
        ({"SIGILL_AUDIT_CHECKPOINT_CONTAINER": "Audit_Trail"}, "audit.checkpoint_container:"),
    ],
)
def test_unusable_audit_settings_name_their_key(environ: dict[str, str], expected: str) -> None:
    with pytest.raises(config.ConfigError) as caught:
        config.load(None, environ=environ)
    assert str(caught.value).startswith(expected), caught.value


def test_help_lists_both_audit_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sigill", "audit", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert "checkpoint" in result.stdout and "verify" in result.stdout
    assert "sign each organisation's audit chain head now" in result.stdout
