"""The composition root: every part is built here from the settings, and nowhere else.

`build` opens the parts in order (data directory, store, blobs, keys, ...). When one cannot be
opened it closes those already open and raises `StartupError` with one line for the operator:
the CLI prints it and exits, with no traceback.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from crypto.envelope import Envelope
from crypto.errors import CryptoError
from crypto.hashing import LookupHasher
from crypto.key_cache import CachingEnvelope
from crypto.keyring import Keyring
from crypto.keyring_file import FileKeyring
from crypto.subkeys import derive_key
from identity.dev_issuer import DevIssuer, dev_tenant_id
from identity.eid.oidc import OidcService
from identity.eid.service import EidService
from identity.staff_tokens import StaffTokenValidator
from messaging.ports import Deps, Limits
from sigill import data_dir, delivery, demo, eid
from sigill.audit_anchor import AuditAnchor, open_anchor
from sigill.config import Settings
from sigill.errors import StartupError
from sigill.keyrings import Keys, KeyVaultAccess, open_keys
from store.errors import StoreError
from store.ports import BlobStore, Store

log = logging.getLogger(__name__)

DEV_AUDIENCE = "api://sigill-dev"
# The development token issuer's signing key, in the data directory.
DEV_ISSUER_KEY_FILE = "dev-issuer.pem"
# What the portal's session key is derived for (HKDF info): a key of its own, from the lookup key.
PORTAL_KEY_INFO = b"sigill/1 portal session"


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass
class Components:
    settings: Settings
    store: Store
    blobs: BlobStore
    keyring: Keyring
    file_keyring: FileKeyring | None
    envelope: Envelope
    lookup: LookupHasher
    deps: Deps
    validator: StaffTokenValidator
    dev_issuer: DevIssuer | None = None
    clock: Callable[[], datetime] = utc_now
    # Key Vault clients and their credential, closed last.
    close_keys: Callable[[], Awaitable[None]] | None = field(default=None, repr=False)
    # Signed checkpoints of the audit chains (the signer and the sink outside the database).
    audit_anchor: AuditAnchor | None = None
    # Recipients' e-identification: BankID and Freja eID; SITHS through OpenID Connect (None: not offered).
    eid: EidService | None = None
    oidc: OidcService | None = None
    # The key of the portal's sealed session cookies, derived from the lookup key (never stored).
    portal_key: bytes = field(default=b"", repr=False)

    async def readiness(self) -> dict[str, bool]:
        checks = {"store": self.store.ping(), "blobs": self.blobs.ping(), "keyring": self.keyring.ping()}
        results = {}
        for name, check in checks.items():
            try:
                await check
                results[name] = True
            except Exception:
                log.warning("readiness check failed: %s", name)
                results[name] = False
        return results

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.validator.close()
        for provider in (self.eid, self.oidc):
            if provider is not None:
                with contextlib.suppress(Exception):
                    await provider.close()
        await self.blobs.close()
        await self.store.close()
        if self.audit_anchor is not None:
            await self.audit_anchor.close()
        if self.close_keys is not None:
            await self.close_keys()


def _store(settings: Settings) -> Store:
    from store import factory

    if settings.store.backend == "cosmos":
        return factory.cosmos_store(
            settings.store.cosmos_endpoint,
            settings.store.cosmos_key,
            settings.store.cosmos_database,
            verify_tls=settings.store.cosmos_verify_tls,
        )
    return factory.sqlite_store(settings.data_dir / "sigill.db")


def _blobs(settings: Settings) -> BlobStore:
    if settings.blobs.backend == "azure":
        from store.blobs_azure import AzureBlobStore

        return AzureBlobStore.from_connection_string(
            settings.blobs.azure_connection_string, settings.blobs.container
        )
    from store.blobs_file import FileBlobStore

    return FileBlobStore(settings.data_dir / "blobs")


def _limits(settings: Settings) -> Limits:
    return Limits(
        attachment_max_bytes=settings.limits.attachment_max_mb * 2**20,
        message_max_bytes=settings.limits.message_max_mb * 2**20,
        max_recipients=settings.limits.max_recipients,
    )


class _Opened:
    """What `build` has opened so far, to close again if a later part fails."""

    def __init__(self) -> None:
        self.closers: list[Callable[[], Awaitable[None]]] = []

    async def close(self) -> None:
        for close in reversed(self.closers):
            with contextlib.suppress(Exception):
                await close()


async def build(settings: Settings, *, key_vault: KeyVaultAccess | None = None) -> Components:
    """Open every part; create demo data in development mode when asked.

    StartupError (one line) when a part cannot be opened; whatever was opened is closed again.
    `key_vault` replaces the default Azure credential (tests pass a fake vault's).
    """
    opened = _Opened()
    try:
        with _quiet_sdk_logs():
            return await _build(settings, opened, key_vault)
    except (StoreError, CryptoError, OSError) as exc:
        await opened.close()
        raise StartupError(_one_line(exc)) from None
    except BaseException:
        await opened.close()
        raise


@contextlib.contextmanager
def _quiet_sdk_logs() -> Iterator[None]:
    """While parts open, the Azure SDKs' own retry warnings stay out of the log: a failure is reported once, by us."""
    sdk = logging.getLogger("azure")
    level = sdk.level
    sdk.setLevel(max(level, logging.ERROR))
    try:
        yield
    finally:
        sdk.setLevel(level)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, StoreError):
        return f"the store cannot be opened: {exc}"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


async def _open_keys(settings: Settings, store: Store, key_vault: KeyVaultAccess | None) -> Keys:
    # New keys only for a store that holds nothing sealed under old ones.
    store_is_empty = not await store.organisations()
    return await open_keys(settings, create=store_is_empty, key_vault=key_vault)


@dataclass
class Maintenance:
    """The parts a maintenance command works on: the store and blobs, and the keys when it needs them."""

    store: Store
    blobs: BlobStore
    keys: Keys | None


@contextlib.asynccontextmanager
async def maintenance(
    settings: Settings, *, with_keys: bool, key_vault: KeyVaultAccess | None = None
) -> AsyncIterator[Maintenance]:
    """Open the store and blobs (and the existing keys: never new ones) for a command; StartupError as `build`."""
    opened = _Opened()
    try:
        with _quiet_sdk_logs():
            parts = await _open_maintenance(settings, opened, with_keys, key_vault)
    except (StoreError, CryptoError, OSError) as exc:
        await opened.close()
        raise StartupError(_one_line(exc)) from None
    except BaseException:
        await opened.close()
        raise
    try:
        yield parts
    finally:
        await opened.close()


async def _open_maintenance(
    settings: Settings, opened: _Opened, with_keys: bool, key_vault: KeyVaultAccess | None
) -> Maintenance:
    data_dir.secure(settings.data_dir, create_database=settings.store.backend == "sqlite")
    store, blobs = _store(settings), _blobs(settings)
    await store.open()
    opened.closers.append(store.close)
    data_dir.secure_files(settings.data_dir)
    await blobs.open()
    opened.closers.append(blobs.close)
    keys = None
    if with_keys:
        keys = await open_keys(settings, create=False, key_vault=key_vault)
        opened.closers.append(keys.close)
    return Maintenance(store, blobs, keys)


async def _build(settings: Settings, opened: _Opened, key_vault: KeyVaultAccess | None) -> Components:
    data_dir.secure(settings.data_dir, create_database=settings.store.backend == "sqlite")
    store, blobs = _store(settings), _blobs(settings)
    await store.open()
    opened.closers.append(store.close)
    data_dir.secure_files(settings.data_dir)
    await blobs.open()
    opened.closers.append(blobs.close)
    keys = await _open_keys(settings, store, key_vault)
    opened.closers.append(keys.close)
    keyring, file_keyring = keys.keyring, keys.file_keyring
    envelope = CachingEnvelope(keyring)
    lookup = LookupHasher(keys.lookup_key)
    deps = Deps(
        store=store,
        blobs=blobs,
        envelope=envelope,
        lookup=lookup,
        clock=utc_now,
        new_id=new_id,
        new_token=new_token,
        base_url=settings.base_url,
        limits=_limits(settings),
        # A message to staff is also announced in Teams when there is a bot to announce it.
        teams_notices=delivery.teams_enabled(settings),
    )
    dev_issuer = None
    if settings.mode == "development":
        dev_issuer = DevIssuer.open(
            settings.data_dir / DEV_ISSUER_KEY_FILE, issuer=f"{settings.base_url}/dev"
        )
        if settings.demo:
            await demo.ensure_demo_data(deps, utc_now())
        data_dir.secure_files(settings.data_dir)
    validator = await _validator(settings, store, dev_issuer)
    anchor = await open_anchor(settings, store, utc_now, key_vault=key_vault)
    opened.closers.append(anchor.close)
    eid_service = eid.build_eid_service(settings, utc_now)
    opened.closers.append(eid_service.close)
    oidc_service = eid.build_oidc_service(settings, utc_now)
    if oidc_service is not None:
        opened.closers.append(oidc_service.close)
    return Components(
        settings,
        store,
        blobs,
        keyring,
        file_keyring,
        envelope,
        lookup,
        deps,
        validator,
        dev_issuer,
        close_keys=keys.close,
        audit_anchor=anchor,
        eid=eid_service,
        oidc=oidc_service,
        portal_key=derive_key(keys.lookup_key, salt=None, info=PORTAL_KEY_INFO),
    )


async def _validator(settings: Settings, store: Store, dev_issuer: DevIssuer | None) -> StaffTokenValidator:
    """Same validation code in both modes; only the issuer, the JWKS address and the tenants differ."""
    tenants: dict[str, str] = {}
    for tenant_id, domain in settings.entra.tenants.items():
        org = await store.organisation_by_domain(domain)
        if org is not None:
            tenants[tenant_id] = org.org_id
    if dev_issuer is not None:
        for org in await store.organisations():
            tenants[dev_tenant_id(org.domain)] = org.org_id
        return StaffTokenValidator(
            issuer_template=dev_issuer.issuer,
            jwks_url=f"{settings.base_url}/dev/jwks",
            audiences=[DEV_AUDIENCE, *settings.staff_token_audiences],
            allowed_tenants=tenants,
            clock=utc_now,
            policy=settings.entra.token_policy(development=True),
        )
    return StaffTokenValidator(
        issuer_template=settings.entra.issuer_template,
        jwks_url=settings.entra.jwks_url,
        audiences=settings.staff_token_audiences,
        allowed_tenants=tenants,
        clock=utc_now,
        policy=settings.entra.token_policy(development=False),
    )
