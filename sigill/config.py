"""Sigill's settings: one typed object from a TOML file and SIGILL_* environment variables.

Precedence, lowest first: built-in defaults (the embedded default in development
mode), the TOML file, the environment, then command-line flags. A variable
`SIGILL_STORE_BACKEND=cosmos` sets `[store] backend`; a top-level key such as
`port` is `SIGILL_PORT`. A bad value stops the start with one line naming the key.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ENV_PREFIX = "SIGILL_"


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line naming the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreSettings(_Section):
    backend: Literal["sqlite", "cosmos"] = "sqlite"
    cosmos_endpoint: str = ""
    cosmos_key: str = Field(default="", repr=False)
    cosmos_database: str = "sigill"
    cosmos_verify_tls: bool = True


class BlobSettings(_Section):
    backend: Literal["file", "azure"] = "file"
    azure_connection_string: str = Field(default="", repr=False)
    azure_account_url: str = ""
    container: str = "attachments"


class KeySettings(_Section):
    backend: Literal["file", "keyvault"] = "file"
    keyvault_key_id: str = ""


class EntraSettings(_Section):
    # Tenant id -> organisation domain; only these tenants may sign in.
    tenants: dict[str, str] = Field(default_factory=dict)
    audiences: list[str] = Field(default_factory=list)
    issuer_template: str = "https://login.microsoftonline.com/{tid}/v2.0"
    jwks_url: str = "https://login.microsoftonline.com/common/discovery/v2.0/keys"


class LimitSettings(_Section):
    attachment_max_mb: int = Field(default=100, gt=0)
    message_max_mb: int = Field(default=250, gt=0)
    max_recipients: int = Field(default=25, gt=0, le=30)


class Settings(_Section):
    mode: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    data_dir: Path = Path("./var")
    public_url: str = ""
    log_format: Literal["auto", "text", "json"] = "auto"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    demo: bool = True
    store: StoreSettings = StoreSettings()
    blobs: BlobSettings = BlobSettings()
    keys: KeySettings = KeySettings()
    entra: EntraSettings = EntraSettings()
    limits: LimitSettings = LimitSettings()

    @model_validator(mode="after")
    def _development_stays_on_loopback(self) -> Settings:
        if self.mode == "development" and not _is_loopback(self.host):
            raise ValueError(f"host: development mode only listens on a loopback address, not {self.host!r}")
        if self.mode == "production":
            _require_production_parts(self)
        return self

    @property
    def base_url(self) -> str:
        """The address people reach the server at (links in e-mails point here)."""
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"

    @property
    def structured_logs(self) -> bool:
        return self.log_format == "json" or (self.log_format == "auto" and self.mode == "production")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _require_production_parts(settings: Settings) -> None:
    if not settings.public_url.startswith("https://"):
        raise ValueError("public_url: production needs the https:// address people reach the server at")
    if not settings.entra.tenants or not settings.entra.audiences:
        raise ValueError("entra: production needs at least one tenant and one audience")


def load(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the settings; raise ConfigError with one line naming the faulty key."""
    raw: dict[str, Any] = {}
    if config_file is not None:
        raw = _read_toml(config_file)
    _merge(raw, _from_environment(os.environ if environ is None else environ))
    _merge(raw, {k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_first_problem(exc)) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config: file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config: {path} is not valid TOML ({exc})") from None


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    sections = {name for name, f in Settings.model_fields.items() if isinstance(f.default, BaseModel)}
    found: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = name[len(ENV_PREFIX) :].lower()
        section, _, rest = key.partition("_")
        if section in sections and rest:
            found.setdefault(section, {})[rest] = _parse_env_value(value)
        else:
            found[key] = _parse_env_value(value)
    return found


def _parse_env_value(value: str) -> Any:
    # Lists and tables come as inline TOML (SIGILL_ENTRA_AUDIENCES='["api://sigill"]').
    if value[:1] in "[{":
        try:
            return tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            return value
    return value


def _merge(target: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    location = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if not location:
        return message
    if error["type"] == "extra_forbidden":
        return f"{location}: unknown setting"
    return f"{location}: {message}"
