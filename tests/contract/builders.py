"""Records for the contract tests, with unique ids and explicit times."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from store.records import (
    AttachmentMeta,
    AuditEvent,
    AuthMethod,
    Case,
    Challenge,
    Delivery,
    Mailbox,
    Message,
    Organisation,
    OutboxItem,
    RecipientAccount,
    StaffUser,
)

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def organisation(org_id: str | None = None, **changes: object) -> Organisation:
    org_id = org_id or new_id("org")
    fields: dict[str, object] = {
        "org_id": org_id,
        "name": f"Kommun {org_id}",
        "domain": f"{org_id}.example.se",
        "entra_tenant_ids": [str(uuid.uuid4())],
    }
    fields.update(changes)
    return Organisation(**fields)  # type: ignore[arg-type]


def staff(org_id: str, minutes: float = 0, **changes: object) -> StaffUser:
    user_id = new_id("user")
    fields: dict[str, object] = {
        "org_id": org_id,
        "user_id": user_id,
        "email": f"{user_id}@kommun.example.se",
        "name": "Anna Andersson",
        "entra_tenant_id": "tenant-1",
        "entra_object_id": str(uuid.uuid4()),
        "created_at": at(minutes),
    }
    fields.update(changes)
    return StaffUser(**fields)  # type: ignore[arg-type]


def recipient(org_id: str) -> RecipientAccount:
    account_id = new_id("acct")
    return RecipientAccount(
        org_id=org_id,
        account_id=account_id,
        email=f"{account_id}@vardcentral.example.se",
        name="Vårdcentralen Norra",
        wrapped_key=b"\x01\x02wrapped",
        password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
        methods=[
            AuthMethod(
                method_id="m1",
                kind="sms",
                sealed=b"\x01sealed",
                created_at=T0,
                lookup_hash="hmac:phone",
                is_default=True,
                confirmed_at=T0,
            )
        ],
        created_at=T0,
    )


def mailbox(org_id: str, members: list[str], kind: str = "function") -> Mailbox:
    address = f"{new_id('box')}@kommun.example.se"
    return Mailbox(org_id=org_id, address=address, name="Socialtjänsten", kind=kind, member_ids=members)  # type: ignore[arg-type]


def message(org_id: str, sender_mailbox: str, minutes: float = 0, *, has_links: bool = False) -> Message:
    return Message(
        org_id=org_id,
        message_id=new_id("msg"),
        thread_id=new_id("thread"),
        sender_mailbox=sender_mailbox,
        sender_user_id="user-1",
        sent_at=at(minutes),
        loa=2,
        reply_allowed=True,
        sealed_content=b"\x00sealed content\xff",
        wrapped_key=b"wrapped-key",
        attachments=[
            AttachmentMeta(
                attachment_id="att-1",
                blob_name="blobs/att-1",
                size=1234,
                content_type="application/pdf",
                sealed_name=b"sealed-name",
            )
        ],
        has_links=has_links,
    )


def delivery(
    org_id: str, msg: Message, recipient_mailbox: str | None, minutes: float | None = None
) -> Delivery:
    return Delivery(
        org_id=org_id,
        delivery_id=new_id("dlv"),
        message_id=msg.message_id,
        sender_mailbox=msg.sender_mailbox,
        address=recipient_mailbox or "someone@example.org",
        kind="registered" if recipient_mailbox else "link",
        sent_at=msg.sent_at if minutes is None else at(minutes),
        recipient_mailbox=recipient_mailbox,
        method=None if recipient_mailbox else "sms",
        sealed_contact=None if recipient_mailbox else b"sealed-phone",
        contact_hash=None if recipient_mailbox else "hmac:contact",
        token_hash=None if recipient_mailbox else "hmac:token",
    )


def case(org_id: str, box: str, minutes: float = 0, **changes: object) -> Case:
    fields: dict[str, object] = {
        "org_id": org_id,
        "case_id": new_id("case"),
        "mailbox": box,
        "message_id": new_id("msg"),
        "delivery_id": new_id("dlv"),
        "created_at": at(minutes),
    }
    fields.update(changes)
    return Case(**fields)  # type: ignore[arg-type]


def outbox_item(org_id: str, due_minutes: float, **changes: object) -> OutboxItem:
    fields: dict[str, object] = {
        "org_id": org_id,
        "item_id": new_id("out"),
        "channel": "email",
        "sealed_payload": b"sealed-notification",
        "created_at": T0,
        "next_attempt_at": at(due_minutes),
    }
    fields.update(changes)
    return OutboxItem(**fields)  # type: ignore[arg-type]


def challenge(org_id: str) -> Challenge:
    return Challenge(
        org_id=org_id,
        challenge_id=new_id("chl"),
        purpose="sms-code",
        subject_id="dlv-1",
        code_hash="hmac:code",
        created_at=T0,
        expires_at=at(5),
    )


def audit_event(org_id: str, action: str = "message.sent", minutes: float = 0) -> AuditEvent:
    return AuditEvent(
        org_id=org_id,
        at=at(minutes),
        actor="user-1",
        action=action,
        target=new_id("msg"),
        details={"recipients": "2", "loa": "2"},
    )
