"""The OpenAPI document describes every live route of /api/v1, and nothing that is not there."""

from __future__ import annotations

import re

from tests.integration.harness import Server


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
