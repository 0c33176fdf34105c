"""Examples for the OpenAPI document, keyed by body model name; tests check each against its schema."""

from __future__ import annotations

from typing import Any

from addin_backend.lookup_api import levels_out
from messaging.levels import DEFAULT_OPEN_MESSAGE

_MESSAGE_ID = "5c1f0e2a9b8d4c7ea6f3b2d1c0e9f8a7"
_REPLY_ID = "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"
_SENT_AT = "2026-11-24T09:30:00Z"

_DELIVERY: dict[str, Any] = {
    "id": "7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d",
    "address": "bertil.berg@vasteras.example",
    "kind": "registered",
    "method": None,
    "status": "unopened",
    "opened_at": None,
    "opened_method": None,
    "answered_at": None,
    "reply_message_id": None,
    "recalled_at": None,
    "notification_failed_at": None,
    "opened_loa": None,
    "locked_until": None,
}
_CASE: dict[str, Any] = {
    "id": "3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b",
    "mailbox": "socialtjanst@vasteras.example",
    "status": "open",
    "assignee": "anna.andersson@vasteras.example",
    "assignee_name": "Anna Andersson",
    "created_at": _SENT_AT,
    "updated_at": "2026-11-24T10:02:00Z",
}

_ACCOUNT: dict[str, Any] = {
    "id": "4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c",
    "email": "jan.dahl@dentalklinik.example",
    "name": "Jan Dahl, Dentalklinik AB",
    "status": "invited",
    "created_at": _SENT_AT,
    "activated_at": None,
    "has_password": False,
    "has_personal_number": False,
    "methods": [{"kind": "sms", "default": False, "confirmed": False, "created_at": _SENT_AT}],
    "locked_until": None,
}

EXAMPLES: dict[str, Any] = {
    "MessageIn": {
        "recipients": [
            {"address": "bertil.berg@vasteras.example"},
            {"address": "kund@example.org", "method": "sms", "phone": "070-123 45 67"},
        ],
        "subject": "Kallelse till möte",
        "body": "Hej! Välkommen på möte tisdag kl. 10.",
        "loa": 2,
        "reply_allowed": True,
        "open_message": "Du har fått ett krypterat meddelande från Västerås stad.",
    },
    "ReplyIn": {"subject": "Sv: Kallelse till möte", "body": "Tack, jag kommer."},
    "MeOut": {
        "email": "anna.andersson@vasteras.example",
        "name": "Anna Andersson",
        "organisation": "Västerås stad",
        "loa": 2,
        "mailboxes": [
            {"address": "anna.andersson@vasteras.example", "name": "Anna Andersson", "kind": "personal"},
            {"address": "socialtjanst@vasteras.example", "name": "Socialtjänsten", "kind": "function"},
        ],
    },
    "SentOut": {"id": _MESSAGE_ID, "deliveries": [_DELIVERY]},
    "DeliveryOut": {**_DELIVERY, "status": "recalled", "recalled_at": "2026-11-24T09:41:00Z"},
    "MessageOut": {
        "id": _REPLY_ID,
        "thread_id": _MESSAGE_ID,
        "from": "bertil.berg@vasteras.example",
        "sent_at": "2026-11-24T11:15:00Z",
        "loa": 2,
        "reply_allowed": True,
        "subject": "Sv: Kallelse till möte",
        "body": "Tack, jag kommer.",
        "open_message": None,
        "in_reply_to": _MESSAGE_ID,
        "attachments": [
            {
                "id": "1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d",
                "name": "intyg.pdf",
                "size": 48213,
                "content_type": "application/pdf",
            }
        ],
        "deliveries": [
            {**_DELIVERY, "address": "anna.andersson@vasteras.example", "status": "opened"}
            | {"opened_at": "2026-11-24T11:20:00Z", "opened_method": "entra"}
        ],
    },
    "FolderOut": {
        "items": [
            {
                "message_id": _MESSAGE_ID,
                "subject": "Kallelse till möte",
                "from": "anna.andersson@vasteras.example",
                "sent_at": _SENT_AT,
                "loa": 2,
                "has_attachments": False,
                "locked": False,
                "delivery_id": _DELIVERY["id"],
                "status": "unopened",
                "deliveries": None,
                "case": _CASE,
            }
        ],
        "next_cursor": None,
    },
    "CaseOut": _CASE,
    "InvitationIn": {
        "email": "jan.dahl@dentalklinik.example",
        "name": "Jan Dahl, Dentalklinik AB",
        "phone": "070-123 45 67",
    },
    "InvitationOut": {
        "account": _ACCOUNT,
        "expires_at": "2026-12-01T09:30:00Z",
        "renewed": False,
        "status": "sent",
    },
    "AccountOut": _ACCOUNT
    | {
        "status": "active",
        "activated_at": "2026-11-24T10:05:00Z",
        "has_password": True,
        "methods": [
            {"kind": "sms", "default": True, "confirmed": True, "created_at": "2026-11-24T10:03:00Z"}
        ],
    },
    "MemberIn": {"email": "cecilia.ceder@vasteras.example"},
    "LookupIn": {"addresses": ["bertil.berg@vasteras.example", "kund@example.org"], "loa": 2},
    "LookupOut": {
        "loa": 2,
        "recipients": [
            {
                "address": "bertil.berg@vasteras.example",
                "registered": True,
                "name": "Bertil Berg",
                "mailbox_kind": "personal",
                "methods": [],
            },
            {
                "address": "kund@example.org",
                "registered": False,
                "name": None,
                "mailbox_kind": None,
                "methods": [
                    {"method": "sms", "loa": 2, "needs": "phone", "default": False},
                    {"method": "eid", "loa": 3, "needs": "personal_number", "default": False},
                    {"method": "siths", "loa": 3, "needs": None, "default": False},
                ],
            },
        ],
    },
    # The very texts the API answers with (messaging/levels.py), not a copy of them.
    "LevelsOut": levels_out("sv", DEFAULT_OPEN_MESSAGE).model_dump(),
    "MembersOut": {
        "mailbox": "socialtjanst@vasteras.example",
        "name": "Socialtjänsten",
        "members": [
            {"email": "anna.andersson@vasteras.example", "name": "Anna Andersson"},
            {"email": "cecilia.ceder@vasteras.example", "name": "Cecilia Ceder"},
        ],
    },
}
