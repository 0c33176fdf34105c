"""The OpenAPI 3.1 document of /api/v1, built from the body models so the two cannot drift apart."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from addin_backend import schemas

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
]

_PROBLEMS = {
    "401": "Missing or refused token",
    "404": "Not found, or not yours to see",
    "409": "The state does not allow this",
    "422": "A rule of the request fails",
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model: type[BaseModel]) -> dict[str, Any]:
    return {"application/json": {"schema": _ref(model)}}


def _op(
    summary: str,
    ok: type[BaseModel] | None,
    *,
    status: str = "200",
    body: type[BaseModel] | None = None,
    multipart: bool = False,
    params: list[dict[str, Any]] | None = None,
    binary: bool = False,
    errors: tuple[str, ...] = ("401", "404"),
) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if binary:
        responses[status] = {
            "description": "The file",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    else:
        responses[status] = {"description": "Success", "content": _json(ok) if ok else {}}
    for code in errors:
        responses[code] = {
            "description": _PROBLEMS.get(code, "Problem"),
            "content": {"application/problem+json": {"schema": _ref(schemas.ProblemOut)}},
        }
    op: dict[str, Any] = {"summary": summary, "responses": responses, "security": [{"bearer": []}]}
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
                        "attachment": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                },
                "encoding": {"message": {"contentType": "application/json"}},
            }
        op["requestBody"] = {"required": True, "content": content}
    return op


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": description,
    }


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


MESSAGE_ID = _path("message_id", "Message id")
ADDRESS = _path("address", "Mailbox address")
CASE_ID = _path("case_id", "Case id")


@cache
def openapi_document() -> dict[str, Any]:
    _, defs = models_json_schema(
        [(m, "serialization" if m.__name__.endswith("Out") else "validation") for m in _MODELS],
        ref_template="#/components/schemas/{model}",
    )
    case_op = {
        "post": _op(
            "Take, release, close or reopen a case",
            schemas.CaseOut,
            params=[ADDRESS, CASE_ID, _path("action", "take, release, close or reopen")],
            errors=("401", "404", "409"),
        )
    }
    case_op["post"]["parameters"][-1]["schema"] = {
        "type": "string",
        "enum": ["take", "release", "close", "reopen"],
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Sigill staff API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "schemas": defs["$defs"],
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        "paths": {
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
                }
            },
            "/me": {
                "get": _op("The signed-in staff member and their mailboxes", schemas.MeOut, errors=("401",))
            },
            "/messages": {
                "post": _op(
                    "Send a message (JSON, or multipart with attachments)",
                    schemas.SentOut,
                    status="201",
                    body=schemas.MessageIn,
                    multipart=True,
                    errors=("401", "403", "413", "422"),
                )
            },
            "/messages/{message_id}": {
                "get": _op("Open a message", schemas.MessageOut, params=[MESSAGE_ID]),
            },
            "/messages/{message_id}/attachments/{attachment_id}": {
                "get": _op(
                    "Download an attachment",
                    None,
                    binary=True,
                    params=[MESSAGE_ID, _path("attachment_id", "Attachment id")],
                )
            },
            "/messages/{message_id}/deliveries/{delivery_id}/recall": {
                "post": _op(
                    "Recall an unopened delivery",
                    schemas.DeliveryOut,
                    params=[MESSAGE_ID, _path("delivery_id", "Delivery id")],
                    errors=("401", "404", "409"),
                )
            },
            "/messages/{message_id}/replies": {
                "post": _op(
                    "Reply to a message you received",
                    schemas.SentOut,
                    status="201",
                    body=schemas.ReplyIn,
                    multipart=True,
                    params=[MESSAGE_ID],
                    errors=("401", "403", "404", "413", "422"),
                )
            },
            "/mailboxes/{address}/{folder}": {
                "get": _op(
                    "List a folder, newest first",
                    schemas.FolderOut,
                    params=[
                        ADDRESS,
                        {
                            **_path("folder", "Folder"),
                            "schema": {"type": "string", "enum": ["inbox", "sent", "links"]},
                        },
                        _query(
                            "limit",
                            {"type": "integer", "minimum": 1, "maximum": 100, "default": 25},
                            "Page size",
                        ),
                        _query("cursor", {"type": "string"}, "next_cursor of the previous page"),
                        _query(
                            "assigned", {"type": "string", "enum": ["me", "others", "unassigned"]}, "Cases"
                        ),
                        _query("status", {"type": "string", "enum": ["open", "closed"]}, "Cases"),
                    ],
                    errors=("401", "404", "422"),
                )
            },
            "/mailboxes/{address}/cases/{case_id}/{action}": case_op,
            "/mailboxes/{address}/cases/{case_id}": {
                "delete": _op(
                    "Delete a case", schemas.CaseOut, params=[ADDRESS, CASE_ID], errors=("401", "404", "409")
                )
            },
        },
    }
