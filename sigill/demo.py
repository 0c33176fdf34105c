"""Demo data for development mode: two organisations, a few staff, a function mailbox, a clinic's account."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crypto.hashing import PasswordHasher
from identity.addresses import canonical_address
from identity.dev_issuer import dev_tenant_id
from messaging import accounts
from messaging.ports import Deps
from store.ports import Store
from store.records import Mailbox, Organisation, RecipientAccount, StaffUser

DEMO_NAMESPACE = uuid.UUID("6f1c3c5e-3f0a-4c53-9d55-5b2b8f1a9e01")


@dataclass(frozen=True, slots=True)
class DemoPerson:
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class DemoOrganisation:
    name: str
    domain: str
    staff: tuple[DemoPerson, ...]
    function_mailboxes: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    # Holders of the administrator app role in the development tenant: their development tokens carry it.
    administrators: tuple[str, ...] = ()


VASTERAS = DemoOrganisation(
    name="Västerås stad (demo)",
    domain="vasteras.example",
    staff=(
        DemoPerson("anna.andersson@vasteras.example", "Anna Andersson"),
        DemoPerson("bertil.berg@vasteras.example", "Bertil Berg"),
        DemoPerson("cecilia.ceder@vasteras.example", "Cecilia Ceder"),
    ),
    function_mailboxes=(
        (
            "socialtjanst@vasteras.example",
            "Socialtjänsten",
            ("anna.andersson@vasteras.example", "bertil.berg@vasteras.example"),
        ),
    ),
    administrators=("anna.andersson@vasteras.example",),
)
GAVLEBORG = DemoOrganisation(
    name="Region Gävleborg (demo)",
    domain="regiongavleborg.example",
    staff=(DemoPerson("eva.ek@regiongavleborg.example", "Eva Ek"),),
    administrators=("eva.ek@regiongavleborg.example",),
)
DEMO_ORGANISATIONS = (VASTERAS, GAVLEBORG)
CLINIC = DemoPerson("jan.dahl@dentalklinik.example", "Jan Dahl, Dentalklinik AB")
CLINIC_PHONE = "+46701234567"
# Development only: Jan Dahl signs in with this password and an SMS code (to the development outbox), and steps
# up with BankID or Freja eID as this test personal number (approved at /dev/eid).
CLINIC_PASSWORD = "demo-tandvard-2026"  # noqa: S105 - a published demo password, development mode only
CLINIC_PERSONAL_NUMBER = "197505151238"


def demo_id(*parts: str) -> str:
    return uuid.uuid5(DEMO_NAMESPACE, "/".join(parts)).hex


def dev_object_id(email: str) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, f"user/{email.lower()}"))


def is_administrator(email: str) -> bool:
    """Whether the development tenant assigns `email` the administrator app role."""
    address = canonical_address(email)
    return any(address in org.administrators for org in DEMO_ORGANISATIONS)


async def ensure_demo_data(deps: Deps, now: datetime) -> bool:
    """Create the demo organisations unless they exist, and the clinic's account; True when something was created."""
    created = False
    for demo in DEMO_ORGANISATIONS:
        if await deps.store.organisation_by_domain(demo.domain) is None:
            await _create(deps.store, demo, now)
            created = True
    return await _ensure_clinic(deps, now) or created


async def _ensure_clinic(deps: Deps, now: datetime) -> bool:
    """Jan Dahl's active account with password, confirmed phone and personal number (made again if it lacks them)."""
    org_id = demo_id("org", VASTERAS.domain)
    account_id = demo_id("recipient", CLINIC.email)
    async with deps.store.unit_of_work(org_id) as uow:
        existing = await uow.recipients.get(account_id)
        if existing is not None and existing.password_hash and accounts.sms_method(existing):
            return False
        # A new account, or one from before accounts could sign in, made whole again under the same id (and
        # so the same mailbox).
        account = RecipientAccount(org_id, account_id, CLINIC.email, CLINIC.name, created_at=now)
        account.version = existing.version if existing else ""
        account.password_hash = await PasswordHasher().hash_async(CLINIC_PASSWORD)
        account.password_changed_at = account.activated_at = now
        method = await accounts.set_unconfirmed_phone(deps, account, CLINIC_PHONE, now)
        accounts.confirm_method(account, method.method_id, now)
        await accounts.set_personal_number(deps, account, CLINIC_PERSONAL_NUMBER)
        await accounts.index_address(deps, account)
        await accounts.index_personal_number(deps, account, CLINIC_PERSONAL_NUMBER)
        (uow.recipients.update if existing else uow.recipients.add)(account)
        if await uow.mailboxes.get(CLINIC.email) is None:
            uow.mailboxes.add(Mailbox(org_id, CLINIC.email, CLINIC.name, "personal", [account_id]))
        await uow.commit()
    return True


async def _create(store: Store, demo: DemoOrganisation, now: datetime) -> None:
    org_id = demo_id("org", demo.domain)
    await store.add_organisation(
        Organisation(
            org_id=org_id, name=demo.name, domain=demo.domain, entra_tenant_ids=[dev_tenant_id(demo.domain)]
        )
    )
    async with store.unit_of_work(org_id) as uow:
        ids = {}
        for person in demo.staff:
            user = StaffUser(
                org_id=org_id,
                user_id=demo_id("staff", person.email),
                email=person.email,
                name=person.name,
                entra_tenant_id=dev_tenant_id(demo.domain),
                entra_object_id=dev_object_id(person.email),
                created_at=now,
            )
            ids[person.email] = user.user_id
            uow.staff.add(user)
            uow.mailboxes.add(Mailbox(org_id, person.email, person.name, "personal", [user.user_id]))
        for address, name, members in demo.function_mailboxes:
            uow.mailboxes.add(Mailbox(org_id, address, name, "function", [ids[m] for m in members]))
        await uow.commit()
