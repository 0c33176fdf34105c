"""The OpenAPI 3.1 document of /api/v1, built from the body models so the two cannot drift apart.

Every operation has an operationId, an example, and every status the API really answers with: the problems
that apply to all (401 refused token, 503 store or keyring unavailable), those of request bodies (400 malformed
JSON or multipart, 408 a body too slow, 413 too large, 415 another media type or a compressed upload, 422 a rule
fails) and its own (403, 404, 409). The limits (levels, lengths, recipients and attachments per message) come
from `messaging.ports.Limits`, the very values the domain enforces.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from addin_backend import accounts_api, admin, lookup_api, schemas
from addin_backend.examples import EXAMPLES
from messaging.ports import Limits

_MODELS: list[type[BaseModel]] = [
    schemas.MessageIn,
    schemas.ReplyIn,
    schemas.MeOut,
    schemas.SentOut,
    schemas.MessageOut,
    schemas.DeliveryOut,
    schemas.FolderOut,
    schemas.CaseOut,
    schemas.ProblemOut,
    admin.MemberIn,
    admin.MembersOut,
    accounts_api.InvitationIn,
    accounts_api.InvitationOut,
    accounts_api.AccountOut,
    lookup_api.LookupIn,
    lookup_api.LookupOut,
    lookup_api.LevelsOut,
]

_PROBLEMS = {
    "400": "The body or a parameter cannot be read (malformed JSON or multipart, an unknown cursor)",
    "401": "Missing or refused token, or a sign-in below the message's level (RFC 9470 step-up)",
    "403": "Yours to see but not to do",
    "404": "Not found, or not yours to see",
    "408": "The body arrived too slowly",
    "409": "The state does not allow this, or a concurrent request changed it first",
    "413": "The body, an attachment or all attachments together are too large",
    "415": "Not JSON or multipart/form-data, or a compressed (Content-Encoding) upload",
    "422": "A rule of the request fails",
    "503": "The store or the keyring is unavailable; try again",
}
# Every operation behind a token; and every operation that takes a body.
_ALWAYS = ("401", "503")
_BODY = ("400", "408", "413", "415", "422")


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model: type[BaseModel]) -> dict[str, Any]:
    content: dict[str, Any] = {"schema": _ref(model)}
    if model.__name__ in EXAMPLES:
        content["example"] = EXAMPLES[model.__name__]
    return {"application/json": content}


def _op(
    summary: str,
    ok: type[BaseModel] | None,
    *,
    op_id: str,
    status: str = "200",
    body: type[BaseModel] | None = None,
    multipart: bool = False,
    params: list[dict[str, Any]] | None = None,
    binary: bool = False,
    errors: tuple[str, ...] = ("404",),
    links: dict[str, Any] | None = None,
) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if binary:
        responses[status] = {
            "description": "The file",
            "content": {
                "application/octet-stream": {
                    "schema": {"type": "string", "format": "binary"},
                    "example": "%PDF-1.7 ...",
                }
            },
        }
    else:
        responses[status] = {"description": "Success", "content": _json(ok) if ok else {}}
    if status == "201":
        responses[status]["headers"] = {
            "Location": {"description": "Where the new resource is", "schema": {"type": "string"}}
        }
    if links:
        responses[status]["links"] = links
    for code in sorted({*_ALWAYS, *(_BODY if body is not None else ()), *errors}):
        responses[code] = {
            "description": _PROBLEMS.get(code, "Problem"),
            "content": {"application/problem+json": {"schema": _ref(schemas.ProblemOut)}},
        }
    op: dict[str, Any] = {
        "operationId": op_id,
        "summary": summary,
        "responses": responses,
        "security": [{"bearer": []}],
    }
    if params:
        op["parameters"] = params
    if body is not None:
        content = _json(body)
        if multipart:
            content["multipart/form-data"] = {
                "schema": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {
                        "message": {**_ref(body), "description": "The JSON, as the first part"},
                        "attachment": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "maxItems": Limits().max_attachments,
                            "description": "The files, each part with a file name, after the message part",
                        },
                    },
                },
                "encoding": {"message": {"contentType": "application/json"}},
            }
        op["requestBody"] = {"required": True, "content": content}
    return op


def _path(name: str, description: str, example: str = "9b2f6c1e4d7a4f0e8c3b5a6d7e8f9a0b") -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": description,
        "example": example,
    }


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


MESSAGE_ID = _path("message_id", "Message id")
ADDRESS = _path("address", "Mailbox address", "socialtjanst@vasteras.example")
CASE_ID = _path("case_id", "Case id")
# The new message's id, for the operations a client follows a send or a reply with.
_OPEN_LINK = {
    "openMessage": {"operationId": "openMessage", "parameters": {"message_id": "$response.body#/id"}},
}
_SENT_LINKS = {
    **_OPEN_LINK,
    "recallDelivery": {
        "operationId": "recallDelivery",
        "parameters": {"message_id": "$response.body#/id", "delivery_id": "$response.body#/deliveries/0/id"},
    },
}


def _admin_paths() -> dict[str, Any]:
    """Function-mailbox membership, for holders of the administrator app role (others get 403)."""
    errors = ("401", "403", "404", "409", "422")
    return {
        "/admin/mailboxes/{address}/members": {
            "get": _op(
                "Members of a function mailbox",
                admin.MembersOut,
                op_id="listMailboxMembers",
                params=[ADDRESS],
                errors=errors,
            ),
            "post": _op(
                "Add a staff user to a function mailbox",
                admin.MembersOut,
                op_id="addMailboxMember",
                status="201",
                body=admin.MemberIn,
                params=[ADDRESS],
                errors=errors,
            ),
        },
        "/admin/mailboxes/{address}/members/{email}": {
            "delete": _op(
                "Remove a member from a function mailbox",
                admin.MembersOut,
                op_id="removeMailboxMember",
                params=[ADDRESS, _path("email", "The member's e-mail address")],
                errors=errors,
            )
        },
    }


def _account_paths() -> dict[str, Any]:
    """Registered recipient accounts of the caller's organisation (addin_backend/accounts_api.py)."""
    return {
        "/accounts/invitations": {
            "post": _op(
                "Invite someone to a recipient account; the invitation link is e-mailed to them",
                accounts_api.InvitationOut,
                op_id="inviteRecipient",
                status="201",
                body=accounts_api.InvitationIn,
                errors=("403", "409", "422"),
            )
        },
        "/accounts/{account_id}": {
            "get": _op(
                "A recipient account: its status and sign-in methods (no secrets)",
                accounts_api.AccountOut,
                op_id="getRecipientAccount",
                params=[_path("account_id", "Account id")],
            )
        },
    }


def _compose_paths() -> dict[str, Any]:
    """What a compose screen asks before sending (addin_backend/lookup_api.py)."""
    language = {
        "name": "lang",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["sv", "en"]},
        "description": "The language of the texts; without it, the best of Accept-Language, else Swedish",
    }
    accept_language = {
        "name": "Accept-Language",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": "Used when `lang` is absent: sv or en, by weight",
        "example": "en-GB,en;q=0.9,sv;q=0.8",
    }
    levels = _op(
        "The levels of assurance explained, the methods' names, and the open message's default and warning",
        lookup_api.LevelsOut,
        op_id="getLevels",
        params=[language, accept_language],
        errors=("422",),
    )
    levels["responses"]["200"]["headers"] = {
        "Content-Language": {
            "description": "The language of the texts: sv or en",
            "schema": {"type": "string"},
        }
    }
    return {
        lookup_api.LOOKUP_PATH: {
            "post": _op(
                "Look recipients up: registered in your organisation, or which methods reach the level",
                lookup_api.LookupOut,
                op_id="lookUpRecipients",
                body=lookup_api.LookupIn,
                errors=("403",),
            )
        },
        lookup_api.LEVELS_PATH: {"get": levels},
    }


@cache
def openapi_document(limits: Limits = Limits()) -> dict[str, Any]:  # noqa: B008 - frozen, hashable
    """The document for a server with these limits (`[limits] max_recipients` is configurable)."""
    _, defs = models_json_schema(
        [(m, "serialization" if m.__name__.endswith("Out") else "validation") for m in _MODELS],
        ref_template="#/components/schemas/{model}",
    )
    components = defs["$defs"]
    components["MessageIn"]["properties"]["recipients"]["maxItems"] = limits.max_recipients
    components["LookupIn"]["properties"]["addresses"]["maxItems"] = limits.max_recipients
    return {
        "openapi": "3.1.0",
        "info": {"title": "Sigill staff API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        "paths": {
            **_message_paths(),
            **_mailbox_paths(),
            **_admin_paths(),
            **_account_paths(),
            **_compose_paths(),
        },
    }


def _message_paths() -> dict[str, Any]:
    return {
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApiDocument",
                "summary": "This document",
                "security": [],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"example": {"openapi": "3.1.0"}}},
                    }
                },
            }
        },
        "/me": {
            "get": _op(
                "The signed-in staff member and their mailboxes", schemas.MeOut, op_id="getMe", errors=()
            )
        },
        "/messages": {
            "post": _op(
                "Send a message (JSON, or multipart with attachments)",
                schemas.SentOut,
                op_id="sendMessage",
                status="201",
                body=schemas.MessageIn,
                multipart=True,
                errors=("403",),
                links=_SENT_LINKS,
            )
        },
        "/messages/{message_id}": {
            "get": _op("Open a message", schemas.MessageOut, op_id="openMessage", params=[MESSAGE_ID]),
        },
        "/messages/{message_id}/attachments/{attachment_id}": {
            "get": _op(
                "Download an attachment",
                None,
                op_id="downloadAttachment",
                binary=True,
                params=[MESSAGE_ID, _path("attachment_id", "Attachment id")],
            )
        },
        "/messages/{message_id}/deliveries/{delivery_id}/recall": {
            "post": _op(
                "Recall an unopened delivery",
                schemas.DeliveryOut,
                op_id="recallDelivery",
                params=[MESSAGE_ID, _path("delivery_id", "Delivery id")],
                errors=("404", "409"),
            )
        },
        "/messages/{message_id}/replies": {
            "post": _op(
                "Reply to a message you received",
                schemas.SentOut,
                op_id="replyToMessage",
                status="201",
                body=schemas.ReplyIn,
                multipart=True,
                params=[MESSAGE_ID],
                errors=("403", "404", "409"),
                links=_OPEN_LINK,
            )
        },
    }


def _mailbox_paths() -> dict[str, Any]:
    action = {
        **_path("action", "take, release, close or reopen", "take"),
        "schema": {"type": "string", "enum": ["take", "release", "close", "reopen"]},
    }
    folder = {
        **_path("folder", "Folder", "inbox"),
        "schema": {"type": "string", "enum": ["inbox", "sent", "links"]},
    }
    return {
        "/mailboxes/{address}/{folder}": {
            "get": _op(
                "List a folder, newest first",
                schemas.FolderOut,
                op_id="listFolder",
                params=[
                    ADDRESS,
                    folder,
                    _query(
                        "limit",
                        {"type": "integer", "minimum": 1, "maximum": 100, "default": 25},
                        "Page size",
                    ),
                    _query("cursor", {"type": "string"}, "next_cursor of the previous page"),
                    _query("assigned", {"type": "string", "enum": ["me", "others", "unassigned"]}, "Cases"),
                    _query("status", {"type": "string", "enum": ["open", "closed"]}, "Cases"),
                ],
                errors=("400", "404", "422"),
            )
        },
        "/mailboxes/{address}/cases/{case_id}/{action}": {
            "post": _op(
                "Take, release, close or reopen a case",
                schemas.CaseOut,
                op_id="actOnCase",
                params=[ADDRESS, CASE_ID, action],
                errors=("404", "409"),
            )
        },
        "/mailboxes/{address}/cases/{case_id}": {
            "delete": _op(
                "Delete a case",
                schemas.CaseOut,
                op_id="deleteCase",
                params=[ADDRESS, CASE_ID],
                errors=("404", "409"),
            )
        },
    }
