"""The composition root: every part is built here from the settings, and nowhere else."""

from __future__ import annotations

import contextlib
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from crypto.envelope import Envelope
from crypto.hashing import LookupHasher
from crypto.keyring import Keyring
from crypto.keyring_file import FileKeyring
from identity.dev_issuer import DevIssuer, dev_tenant_id
from identity.staff_tokens import StaffTokenValidator
from messaging.ports import Deps, Limits
from sigill import demo
from sigill.config import Settings
from store.ports import BlobStore, Store

log = logging.getLogger(__name__)

DEV_AUDIENCE = "api://sigill-dev"


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
        await self.blobs.close()
        await self.store.close()


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


def _keyrings(settings: Settings) -> tuple[Keyring, FileKeyring]:
    """The local key file always exists: it holds the lookup (HMAC) key even when Key Vault wraps data keys."""
    file_keyring = FileKeyring.open(settings.data_dir / "keys.json")
    if settings.keys.backend == "keyvault":
        from azure.identity.aio import DefaultAzureCredential

        from crypto.keyring_keyvault import KeyVaultKeyring

        return KeyVaultKeyring(settings.keys.keyvault_key_id, DefaultAzureCredential()), file_keyring
    return file_keyring, file_keyring


def _limits(settings: Settings) -> Limits:
    return Limits(
        attachment_max_bytes=settings.limits.attachment_max_mb * 2**20,
        message_max_bytes=settings.limits.message_max_mb * 2**20,
        max_recipients=settings.limits.max_recipients,
    )


async def build(settings: Settings) -> Components:
    """Open every part; create demo data in development mode when asked."""
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    store, blobs = _store(settings), _blobs(settings)
    await store.open()
    await blobs.open()
    keyring, file_keyring = _keyrings(settings)
    envelope = Envelope(keyring)
    lookup = LookupHasher(file_keyring.lookup_key())
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
    )
    dev_issuer = None
    if settings.mode == "development":
        dev_issuer = DevIssuer.open(settings.data_dir / "dev-issuer.pem", issuer=f"{settings.base_url}/dev")
        if settings.demo:
            await demo.ensure_demo_data(store, envelope, lookup, utc_now())
    validator = await _validator(settings, store, dev_issuer)
    return Components(
        settings, store, blobs, keyring, file_keyring, envelope, lookup, deps, validator, dev_issuer
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
            audiences=[DEV_AUDIENCE, *settings.entra.audiences],
            allowed_tenants=tenants,
            clock=utc_now,
        )
    return StaffTokenValidator(
        issuer_template=settings.entra.issuer_template,
        jwks_url=settings.entra.jwks_url,
        audiences=settings.entra.audiences,
        allowed_tenants=tenants,
        clock=utc_now,
    )
