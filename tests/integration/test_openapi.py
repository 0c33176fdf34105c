"""The OpenAPI document describes every live route of /api/v1, and nothing that is not there."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aiohttp
from jsonschema import Draft202012Validator

from messaging.ports import Limits
from tests.integration.harness import ANNA, BERTIL, Server, free_port, server_settings, started


def _live_routes(server: Server) -> set[tuple[str, str]]:
    app = server.app
    routes: set[tuple[str, str]] = set()
    for resource in app.router.resources():
        info = resource.get_info()
        if "app" in info:  # a mounted sub-application
            prefix = resource.canonical
            if prefix != "/api/v1":
                continue
            for sub in info["app"].router.resources():
                path = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", sub.canonical).removeprefix("/api/v1")
                for route in sub:
                    if route.method not in ("HEAD", "OPTIONS"):
                        routes.add((route.method.lower(), path))
    return routes


async def test_every_route_is_documented(server: Server) -> None:
    resp = await server.session.get(f"{server.base}/api/v1/openapi.json")
    assert resp.status == 200
    doc = await resp.json()
    assert doc["openapi"].startswith("3.1")
    documented = {(method, path) for path, ops in doc["paths"].items() for method in ops}
    live = _live_routes(server)
    assert live, "no live routes found"
    assert live == documented


async def test_every_reference_resolves(server: Server) -> None:
    resp = await server.session.get(f"{server.base}/api/v1/openapi.json")
    doc = await resp.json()
    text = str(doc)
    for ref in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert ref in doc["components"]["schemas"], ref


async def _document(server: Server) -> dict[str, Any]:
    async with server.session.get(f"{server.base}/api/v1/openapi.json") as resp:
        assert resp.status == 200
        document: dict[str, Any] = await resp.json()
    return document


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in doc["paths"].items() for method, op in ops.items()]


async def test_every_operation_has_a_unique_operation_id_and_an_example(server: Server) -> None:
    doc = await _document(server)
    ids = [op.get("operationId") for _, _, op in _operations(doc)]
    assert all(ids), [(m, p) for m, p, op in _operations(doc) if not op.get("operationId")]
    assert len(ids) == len(set(ids))
    for method, path, op in _operations(doc):
        success = next(r for code, r in op["responses"].items() if code.startswith("2"))
        examples = [media["example"] for media in success.get("content", {}).values() if "example" in media]
        if "requestBody" in op:
            examples += [op["requestBody"]["content"]["application/json"]["example"]]
        assert examples, (method, path)


async def test_every_example_is_valid_against_its_schema(server: Server) -> None:
    doc = await _document(server)
    checked = 0
    for _, _, op in _operations(doc):
        bodies = [r.get("content", {}) for r in op["responses"].values()]
        bodies += [op.get("requestBody", {}).get("content", {})]
        for content in bodies:
            media = content.get("application/json", {})
            if "example" in media and "schema" in media:
                schema = {**media["schema"], "components": doc["components"]}
                Draft202012Validator(schema).validate(media["example"])
                checked += 1
    assert checked >= 10


async def test_the_stated_limits_are_the_enforced_limits(server: Server) -> None:
    doc = await _document(server)
    limits = server.components.deps.limits
    schemas = doc["components"]["schemas"]
    message = schemas["MessageIn"]["properties"]
    assert message["loa"]["enum"] == [1, 2, 3]
    assert message["subject"]["maxLength"] == limits.subject_max_chars
    assert message["body"]["maxLength"] == limits.body_max_chars
    assert message["open_message"]["maxLength"] == limits.open_message_max_chars
    assert message["recipients"]["maxItems"] == limits.max_recipients == Limits().max_recipients
    reply = schemas["ReplyIn"]["properties"]
    assert reply["subject"]["maxLength"] == limits.subject_max_chars
    for path in ("/messages", "/messages/{message_id}/replies"):
        multipart = doc["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"]
        assert multipart["schema"]["properties"]["attachment"]["maxItems"] == limits.max_attachments == 50


async def test_every_operation_documents_the_problems_it_can_answer(server: Server) -> None:
    doc = await _document(server)
    for method, path, op in _operations(doc):
        if not op.get("security", True):
            continue
        codes = set(op["responses"])
        assert {"401", "503"} <= codes, (method, path)
        if "requestBody" in op:
            assert {"400", "408", "413", "415", "422"} <= codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)


async def test_the_configured_recipient_cap_is_the_documented_one(tmp_path: Path) -> None:
    settings = server_settings("sqlite", tmp_path, free_port(), limits={"max_recipients": 7})
    async with started(settings) as running:
        doc = await _document(running)
        assert doc["components"]["schemas"]["MessageIn"]["properties"]["recipients"]["maxItems"] == 7
        eight = await running.send(ANNA, recipients=[{"address": f"r{i}@example.org"} for i in range(8)])
        assert (eight.status, eight.body["code"]) == (422, "too_many_recipients")
        seven = await running.send(ANNA, recipients=[{"address": f"r{i}@example.org"} for i in range(7)])
        assert seven.status == 201, seven.body


async def test_limits_are_enforced_at_exactly_one_past_them(server: Server) -> None:
    limits = server.components.deps.limits
    at_limit = await server.send(
        ANNA, recipients=[{"address": BERTIL}], subject="x" * limits.subject_max_chars
    )
    assert at_limit.status == 201, at_limit.body
    over = await server.send(
        ANNA, recipients=[{"address": BERTIL}], subject="x" * (limits.subject_max_chars + 1)
    )
    assert (over.status, over.body["code"]) == (422, "subject_too_long")
    body = await server.send(ANNA, recipients=[{"address": BERTIL}], body="x" * (limits.body_max_chars + 1))
    assert (body.status, body.body["code"]) == (422, "body_too_long")
    level = await server.send(ANNA, recipients=[{"address": BERTIL}], loa=0)
    assert (level.status, level.body["code"]) == (422, "loa_invalid")
    form = aiohttp.FormData()
    message = {
        "recipients": [{"address": BERTIL}],
        "subject": "Många",
        "body": "x",
        "loa": 1,
        "reply_allowed": True,
    }
    form.add_field("message", json.dumps(message), content_type="application/json")
    for i in range(limits.max_attachments + 1):
        form.add_field("attachment", b"x", filename=f"{i}.txt", content_type="text/plain")
    files_before = sorted(p for p in (server.settings.data_dir / "blobs").rglob("*") if p.is_file())
    many = await server.post("/messages", ANNA, data=form)
    assert (many.status, many.body["code"]) == (422, "too_many_attachments")
    assert sorted(p for p in (server.settings.data_dir / "blobs").rglob("*") if p.is_file()) == files_before
