"""Sigill's settings: one typed object from a TOML file and SIGILL_* environment variables.

Precedence, lowest first: built-in defaults (the embedded default in development
mode), the TOML file, the environment, then command-line flags. A variable
`SIGILL_STORE_BACKEND=cosmos` sets `[store] backend`; a top-level key such as
`port` is `SIGILL_PORT`. A bad value stops the start with one line naming the key.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from identity.staff_loa import DEFAULT_LOA1_AMR, rules_from
from identity.staff_tokens import DEFAULT_ADMIN_ROLE, DEFAULT_SCOPE, TokenPolicy

ENV_PREFIX = "SIGILL_"
# Conditional Access authentication context ids are c1 ... c99.
_AUTH_CONTEXT_ID = r"^c([1-9]|[1-9][0-9])$"
DEV_LOA3_AUTH_CONTEXT = "c1"


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
    # Key Vault mode: the secret holding the lookup (HMAC) key, in the vault of `keyvault_key_id`.
    keyvault_lookup_secret: str = "sigill-lookup-key"  # noqa: S105 - a secret's name, not a secret


class EntraSettings(_Section):
    """Staff sign-in; README "Staff sign-in with Microsoft Entra ID" shows the tenant's side."""

    # Tenant id -> organisation domain; only these tenants may sign in.
    tenants: dict[str, str] = Field(default_factory=dict)
    audiences: list[str] = Field(default_factory=list)
    issuer_template: str = "https://login.microsoftonline.com/{tid}/v2.0"
    jwks_url: str = "https://login.microsoftonline.com/common/discovery/v2.0/keys"
    # The delegated permission every staff token must carry in `scp`.
    scope: str = Field(default=DEFAULT_SCOPE, pattern=r"^[\x21-\x7e]{1,100}$")
    # The app role (token claim `roles`) of an organisation's administrators.
    admin_role: str = Field(default=DEFAULT_ADMIN_ROLE, pattern=r"^[\x21-\x7e]{1,120}$")
    # Level-of-assurance rules (identity/staff_loa.py): the plain sign-in, then what raises or lowers it.
    plain_loa: int = Field(default=2, ge=1, le=2)
    loa3_auth_contexts: list[Annotated[str, Field(pattern=_AUTH_CONTEXT_ID)]] = Field(default_factory=list)
    loa3_amr: list[str] = Field(default_factory=list)
    loa1_amr: list[str] = Field(default_factory=lambda: sorted(DEFAULT_LOA1_AMR))

    def token_policy(self, *, development: bool) -> TokenPolicy:
        """The policy staff tokens are validated by; the development tenant binds c1 to LoA3 unless told otherwise."""
        contexts = self.loa3_auth_contexts or ([DEV_LOA3_AUTH_CONTEXT] if development else [])
        rules = rules_from(
            loa3_auth_contexts=contexts,
            loa3_amr=self.loa3_amr,
            loa1_amr=self.loa1_amr,
            plain_loa=self.plain_loa,
        )
        return TokenPolicy(scope=self.scope, admin_role=self.admin_role, loa_rules=rules)


class LimitSettings(_Section):
    attachment_max_mb: int = Field(default=100, gt=0)
    message_max_mb: int = Field(default=250, gt=0)
    max_recipients: int = Field(default=25, gt=0, le=30)
    # Open connections the server holds at once; one more is answered 503 and closed.
    max_connections: int = Field(default=1000, gt=0)
    # A request body must keep coming while the server waits for it: at least `body_min_rate` bytes a second,
    # measured over windows of `body_timeout_s` seconds. A slower body is answered 408 and its connection closed.
    body_timeout_s: float = Field(default=30.0, gt=0, le=3600)
    body_min_rate: int = Field(default=1024, ge=1)


class SmtpSettings(_Section):
    """E-mail over SMTP; unset `host` means no SMTP (development mode then writes to its sink)."""

    host: str = ""
    port: int = Field(default=587, ge=1, le=65535)
    username: str = ""
    password: str = Field(default="", repr=False)
    # Require STARTTLS before authenticating and sending (port 587).
    starttls: bool = True
    from_address: str = ""
    timeout: float = Field(default=30.0, gt=0, le=600)

    @model_validator(mode="after")
    def _needs_a_sender_address(self) -> SmtpSettings:
        if self.host and "@" not in self.from_address:
            raise ValueError("from_address: SMTP needs the address mails are sent from")
        if self.password and not self.username:
            raise ValueError("username: a password needs a username")
        return self

    @property
    def configured(self) -> bool:
        return bool(self.host)


class SmsSettings(_Section):
    """SMS through Azure Communication Services: a connection string, or an endpoint and access key."""

    connection_string: str = Field(default="", repr=False)
    endpoint: str = ""
    access_key: str = Field(default="", repr=False)
    # The ACS number (E.164) or alphanumeric sender id messages come from.
    from_number: str = ""
    timeout: float = Field(default=30.0, gt=0, le=600)

    @model_validator(mode="after")
    def _one_way_to_authenticate(self) -> SmsSettings:
        if self.connection_string and (self.endpoint or self.access_key):
            raise ValueError(
                "connection_string: give a connection string or an endpoint and access key, not both"
            )
        if bool(self.endpoint) != bool(self.access_key):
            raise ValueError("access_key: an endpoint needs its access key, and an access key its endpoint")
        if self.configured and not self.from_number:
            raise ValueError("from_number: SMS needs the number messages are sent from")
        return self

    @property
    def configured(self) -> bool:
        return bool(self.connection_string or self.endpoint)


class WorkerSettings(_Section):
    """The outbox worker (notify/worker.py)."""

    # False when a separate `sigill worker` process sends, so `sigill serve` only serves.
    run_in_serve: bool = True
    # Seconds between looks at the outbox; unset: 0.5 in development, 5 in production.
    poll_interval: float | None = Field(default=None, gt=0, le=300)
    concurrency: int = Field(default=4, ge=1, le=64)
    max_attempts: int = Field(default=8, ge=1, le=50)
    # Seconds before the first retry of a failed notification; each further retry waits about twice as long.
    retry_delay: float = Field(default=30.0, gt=0, le=3600)


class ProviderTlsSettings(_Section):
    """A provider reached with mutual TLS: its address, the relying party's certificate and key, its CA (paths)."""

    # Unset: the built-in simulator in development, the provider's production address in production.
    base_url: str = ""
    client_cert: str = ""
    client_key: str = ""
    ca_file: str = ""

    @model_validator(mode="after")
    def _certificate_with_its_key(self) -> ProviderTlsSettings:
        if bool(self.client_cert) != bool(self.client_key):
            raise ValueError("client_key: a client certificate needs its key, and a key its certificate")
        if self.base_url and not self.base_url.startswith(("https://", "http://")):
            raise ValueError("base_url: give an http(s):// address")
        return self

    @property
    def configured(self) -> bool:
        """Production offers the method only with the relying party's certificate."""
        return bool(self.client_cert)


class BankIdSettings(ProviderTlsSettings):
    """BankID relying-party API v6.0 (identity/eid/bankid.py)."""


class FrejaSettings(ProviderTlsSettings):
    """Freja eID REST API (identity/eid/freja.py)."""

    # PEM file of the certificate(s) whose key signs Freja's results; unset in development: the simulator's.
    signing_certificate: str = ""
    # PLUS is Freja eID+, the registration level approved for LoA3.
    min_registration_level: Literal["EXTENDED", "PLUS"] = "PLUS"


class SithsSettings(_Section):
    """SITHS through an OpenID provider (identity/eid/oidc.py)."""

    # The provider's issuer URL (discovery at {issuer}/.well-known/openid-configuration); unset in
    # development: the built-in simulator; in production: SITHS is not offered.
    issuer: str = ""
    client_id: str = Field(default="sigill", min_length=1)
    client_secret: str = Field(default="", repr=False)
    acr: Literal["http://id.elegnamnden.se/loa/1.0/loa3", "http://id.elegnamnden.se/loa/1.0/loa4"] = (
        "http://id.elegnamnden.se/loa/1.0/loa3"
    )


class PortalSettings(_Section):
    """The recipient portal (portal/): how long a link lasts, and the rules of SMS codes (seconds)."""

    # A link opens for this many days after the message was sent; after that it shows the neutral page.
    link_valid_days: int = Field(default=30, ge=1, le=3650)
    code_lifetime_s: float = Field(default=600, gt=0, le=86400)
    code_max_wrong: int = Field(default=5, ge=1, le=100)
    code_lockout_s: float = Field(default=900, gt=0, le=86400)
    code_min_interval_s: float = Field(default=60, ge=0, le=86400)
    code_max_sends: int = Field(default=5, ge=1, le=100)
    code_send_window_s: float = Field(default=3600, gt=0, le=86400)


class AuditSettings(_Section):
    """Signed checkpoints of the audit chains, kept outside the database (docs/decisions.md, "Audit checkpoints")."""

    # "file": JSON lines at `checkpoint_path` (default <data_dir>/audit-checkpoints.jsonl), for development;
    # "blob": one create-only blob per checkpoint in `checkpoint_container`, which must be immutable (WORM).
    checkpoint_sink: Literal["file", "blob"] = "file"
    checkpoint_path: Path | None = None
    checkpoint_container: str = Field(default="audit-checkpoints", pattern=r"^[a-z0-9](?:-?[a-z0-9]){2,62}$")
    # The storage account of the container; unset: the one [blobs] names.
    checkpoint_connection_string: str = Field(default="", repr=False)
    checkpoint_account_url: str = ""
    # `sigill serve` writes a checkpoint this often for each organisation whose chain moved.
    checkpoint_interval_s: float = Field(default=60.0, gt=0, le=86400)
    # Key Vault mode: the EC P-256 key that signs checkpoints (ES256): a key name in the vault of
    # [keys] keyvault_key_id, or a full key id. File mode signs with an Ed25519 key beside the key file.
    signing_key: str = Field(default="sigill-audit-signing", min_length=1)


_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def _guid_or_empty(value: str) -> str:
    if value and not _GUID.match(value):
        raise ValueError(f"give a GUID (8-4-4-4-12 hexadecimal digits), not {value!r}")
    return value


# A GUID as Microsoft Entra and Bot Service write them; empty means "not configured".
_GuidOrEmpty = Annotated[str, AfterValidator(_guid_or_empty)]


class TeamsSettings(_Section):
    """The Teams app package (`sigill manifests build`, sigill/manifests.py); empty ids use development placeholders."""

    # The Azure Bot registration's Microsoft App ID and the tenant it lives in (single-tenant bot).
    bot_app_id: _GuidOrEmpty = ""
    tenant_id: _GuidOrEmpty = ""
    # The app's own id in the Teams catalogue; unset: the bot's app id.
    app_id: _GuidOrEmpty = ""
    # The package version; raise it for every upload that changes the package.
    version: str = Field(default="1.0.0", pattern=r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
    # Single sign-on (`webApplicationInfo`): the Entra app registration of the API, and its Application ID URI
    # (unset: api://<public host>/<sso_app_id>).
    sso_app_id: _GuidOrEmpty = ""
    sso_resource: str = Field(default="", max_length=2048)
    # Developer information Teams shows; the URLs default to pages under public_url.
    organisation_name: str = Field(default="Sigill", min_length=1, max_length=32)
    website_url: str = Field(default="", max_length=2048)
    privacy_url: str = Field(default="", max_length=2048)
    terms_url: str = Field(default="", max_length=2048)
    accent_color: str = Field(default="#1F4E79", pattern=r"^#[0-9a-fA-F]{6}$")
    # The bot's credential towards Azure Bot Service (production): a client secret, or a PFX certificate file.
    # The secret is never logged; prefer SIGILL_TEAMS_BOT_CLIENT_SECRET over writing it in the file.
    bot_client_secret: str = Field(default="", repr=False)
    bot_certificate_path: str = Field(default="", max_length=4096)
    # The level of assurance of a Teams user's turn (unset: [entra] plain_loa). A Teams activity says who the
    # user is, never how they signed in, so it cannot vouch for level 3.
    bot_loa: int | None = Field(default=None, ge=1, le=2)

    @model_validator(mode="after")
    def _one_bot_credential(self) -> TeamsSettings:
        if self.bot_client_secret and self.bot_certificate_path:
            raise ValueError("bot_certificate_path: give a client secret or a certificate, not both")
        return self


class WebappSettings(_Section):
    """The staff web app's sign-in in a plain browser (MSAL.js redirect); README "The staff web app"."""

    # The Entra app registration the browser signs in with; unset: [teams] sso_app_id (the same registration).
    client_id: _GuidOrEmpty = ""
    authority: str = Field(default="https://login.microsoftonline.com/organizations", max_length=2048)
    # The API permission asked for; unset: <[teams] sso_resource or api://<public host>/<client id>>/<[entra] scope>.
    api_scope: str = Field(default="", max_length=2048)


class OutlookSettings(_Section):
    """The Outlook add-in's XML manifest (`sigill manifests build`, sigill/manifests.py).

    Its version is [teams] version with a fourth part, its provider [teams] organisation_name, and its sign-in the
    same app registration as the Teams tab ([teams] sso_app_id, sso_resource).
    """

    # The add-in's own id (the manifest's <Id>): production needs it; development derives a stable one from
    # public_url. Keep it for the add-in's whole life: a new id is a new add-in for every user.
    addin_id: _GuidOrEmpty = ""


class Settings(_Section):
    mode: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    # Not 0 ("any free port"): the tokens, links and hints the server hands out name its port, so it must
    # be known before it listens.
    port: int = Field(default=8080, ge=1, le=65535)
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
    smtp: SmtpSettings = SmtpSettings()
    sms: SmsSettings = SmsSettings()
    worker: WorkerSettings = WorkerSettings()
    bankid: BankIdSettings = BankIdSettings()
    freja: FrejaSettings = FrejaSettings()
    siths: SithsSettings = SithsSettings()
    portal: PortalSettings = PortalSettings()
    audit: AuditSettings = AuditSettings()
    teams: TeamsSettings = TeamsSettings()
    webapp: WebappSettings = WebappSettings()
    outlook: OutlookSettings = OutlookSettings()

    @model_validator(mode="after")
    def _checkpoint_sink_is_reachable(self) -> Settings:
        if self.audit.checkpoint_sink == "blob" and not (
            self.audit.checkpoint_connection_string
            or self.audit.checkpoint_account_url
            or self.blobs.azure_connection_string
            or self.blobs.azure_account_url
        ):
            raise ValueError(
                "audit.checkpoint_connection_string: the blob checkpoint sink needs a storage account"
                " (a connection string or an account URL, here or under [blobs])"
            )
        return self

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
    def sso_resource(self) -> str:
        """The Application ID URI of the API's app registration, which the Teams tab and the Outlook add-in ask
        tokens for: [teams] sso_resource, else api://<public host>/<[teams] sso_app_id>; empty without either."""
        if self.teams.sso_resource:
            return self.teams.sso_resource
        if not self.teams.sso_app_id:
            return ""
        parts = urlsplit(self.base_url)
        host = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname
        return f"api://{host}/{self.teams.sso_app_id}"

    @property
    def staff_token_audiences(self) -> list[str]:
        """Every `aud` a staff token may carry: [entra] audiences, and the SSO registration's Application ID URI
        and client id (a token from `authentication.getAuthToken` or `Office.auth.getAccessToken` names one of
        the two, by the registration's token version)."""
        sso = [self.sso_resource, self.teams.sso_app_id]
        return list(dict.fromkeys([*self.entra.audiences, *(a for a in sso if a)]))

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
    if not settings.entra.tenants or not settings.staff_token_audiences:
        raise ValueError(
            "entra: production needs at least one tenant and one audience ([entra] audiences or [teams] sso_app_id)"
        )
    for key in ("issuer_template", "jwks_url"):
        if not getattr(settings.entra, key).startswith("https://"):
            raise ValueError(f"entra.{key}: production needs an https:// address")
    _require_eid_parts(settings)
    _require_bot_parts(settings)


def _require_bot_parts(settings: Settings) -> None:
    """A configured bot authenticates to Azure Bot Service: its tenant and a credential."""
    teams = settings.teams
    if not teams.bot_app_id:
        return
    if not teams.tenant_id:
        raise ValueError("teams.tenant_id: the bot needs the tenant of its Azure Bot registration")
    if not (teams.bot_client_secret or teams.bot_certificate_path):
        raise ValueError(
            "teams.bot_client_secret: the bot needs a client secret or a certificate (bot_certificate_path)"
        )


def _require_eid_parts(settings: Settings) -> None:
    """A configured e-identification provider is reached over https, and Freja's results are verifiable."""
    for name, section in (("bankid", settings.bankid), ("freja", settings.freja)):
        if section.configured and section.base_url and not section.base_url.startswith("https://"):
            raise ValueError(f"{name}.base_url: production needs an https:// address")
    if settings.freja.configured and not settings.freja.signing_certificate:
        raise ValueError("freja.signing_certificate: production needs Freja's signing certificate")
    if settings.siths.issuer and not settings.siths.issuer.startswith("https://"):
        raise ValueError("siths.issuer: production needs an https:// address")


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
