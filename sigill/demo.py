"""Demo data for development mode: two organisations, a few staff, a function mailbox, a clinic."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from identity.dev_issuer import dev_tenant_id
from messaging.ports import Envelope, LookupHasher
from messaging.sealing import seal_box
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
)
GAVLEBORG = DemoOrganisation(
    name="Region Gävleborg (demo)",
    domain="regiongavleborg.example",
    staff=(DemoPerson("eva.ek@regiongavleborg.example", "Eva Ek"),),
)
DEMO_ORGANISATIONS = (VASTERAS, GAVLEBORG)
CLINIC = DemoPerson("jan.dahl@dentalklinik.example", "Jan Dahl, Dentalklinik AB")
CLINIC_PHONE = "+46701234567"


def demo_id(*parts: str) -> str:
    return uuid.uuid5(DEMO_NAMESPACE, "/".join(parts)).hex


def dev_object_id(email: str) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, f"user/{email.lower()}"))


async def ensure_demo_data(store: Store, envelope: Envelope, lookup: LookupHasher, now: datetime) -> bool:
    """Create the demo organisations unless they exist; True when something was created."""
    created = False
    for demo in DEMO_ORGANISATIONS:
        if await store.organisation_by_domain(demo.domain) is None:
            await _create(store, envelope, lookup, demo, now)
            created = True
    return created


async def _create(
    store: Store, envelope: Envelope, lookup: LookupHasher, demo: DemoOrganisation, now: datetime
) -> None:
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
        if demo is VASTERAS:
            account_id = demo_id("recipient", CLINIC.email)
            uow.recipients.add(
                RecipientAccount(
                    org_id=org_id,
                    account_id=account_id,
                    email=CLINIC.email,
                    name=CLINIC.name,
                    sealed_phone=await seal_box(envelope, org_id, account_id, "phone", CLINIC_PHONE.encode()),
                    phone_hash=lookup.digest("phone", CLINIC_PHONE),
                    created_at=now,
                )
            )
            uow.mailboxes.add(Mailbox(org_id, CLINIC.email, CLINIC.name, "personal", [account_id]))
        await uow.commit()
