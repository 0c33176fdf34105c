"""Settings: defaults, file, environment, and one clear line for every bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigill import config


def test_defaults_are_the_embedded_development_setup() -> None:
    settings = config.load(None, environ={})
    assert settings.mode == "development"
    assert (settings.host, settings.port, settings.data_dir) == ("127.0.0.1", 8080, Path("./var"))
    assert (
        settings.store.backend == "sqlite"
        and settings.blobs.backend == "file"
        and settings.keys.backend == "file"
    )
    assert settings.limits.attachment_max_mb == 100 and settings.limits.message_max_mb == 250
    assert not settings.structured_logs


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sigill.toml"
    path.write_text('port = 9000\n[store]\nbackend = "sqlite"\n[limits]\nattachment_max_mb = 5\n')
    settings = config.load(
        path, environ={"SIGILL_PORT": "9100", "SIGILL_LIMITS_ATTACHMENT_MAX_MB": "7", "OTHER": "x"}
    )
    assert settings.port == 9100
    assert settings.limits.attachment_max_mb == 7


def test_lists_and_tables_come_from_the_environment_as_inline_toml() -> None:
    settings = config.load(
        None,
        environ={
            "SIGILL_ENTRA_AUDIENCES": '["api://sigill"]',
            "SIGILL_ENTRA_TENANTS": '{ "t1" = "vasteras.example" }',
        },
    )
    assert settings.entra.audiences == ["api://sigill"]
    assert settings.entra.tenants == {"t1": "vasteras.example"}


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"SIGILL_PORT": "many"}, "port:"),
        ({"SIGILL_PORT": "70000"}, "port:"),
        ({"SIGILL_MODE": "staging"}, "mode:"),
        ({"SIGILL_STORE_BACKEND": "postgres"}, "store.backend:"),
        ({"SIGILL_LIMITS_ATTACHMENT_MAX_MB": "0"}, "limits.attachment_max_mb:"),
        ({"SIGILL_COLOUR": "blue"}, "colour: unknown setting"),
        ({"SIGILL_HOST": "0.0.0.0"}, "host: development mode only listens on a loopback address"),
        ({"SIGILL_MODE": "production"}, "public_url:"),
    ],
)
def test_a_bad_value_names_its_key_in_one_line(environ: dict[str, str], expected: str) -> None:
    with pytest.raises(config.ConfigError) as caught:
        config.load(None, environ=environ)
    message = str(caught.value)
    assert message.startswith(expected), message
    assert "\n" not in message


def test_production_on_any_address_with_its_parts(tmp_path: Path) -> None:
    settings = config.load(
        None,
        environ={
            "SIGILL_MODE": "production",
            "SIGILL_HOST": "0.0.0.0",
            "SIGILL_PUBLIC_URL": "https://sigill.example.se",
            "SIGILL_ENTRA_TENANTS": '{ "t1" = "vasteras.example" }',
            "SIGILL_ENTRA_AUDIENCES": '["api://sigill"]',
        },
    )
    assert settings.structured_logs
    assert settings.base_url == "https://sigill.example.se"


def test_a_missing_or_broken_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(config.ConfigError, match="does not exist"):
        config.load(tmp_path / "nope.toml", environ={})
    broken = tmp_path / "broken.toml"
    broken.write_text("port = = 1")
    with pytest.raises(config.ConfigError, match="not valid TOML"):
        config.load(broken, environ={})
