"""The integration suite runs every test against the real server on SQLite and on Cosmos DB."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integration.harness import CosmosTarget, Server, free_port, run_server, server_settings

BACKENDS = ["sqlite", "cosmos"]


def _cosmos(request: pytest.FixtureRequest, backend: str) -> CosmosTarget | None:
    if backend != "cosmos":
        return None
    cosmos = request.getfixturevalue("cosmos_server")
    return CosmosTarget(endpoint=cosmos.endpoint, key=cosmos.key)


@pytest.fixture(scope="module", params=BACKENDS)
async def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Server]:
    backend = request.param
    settings = server_settings(
        backend, tmp_path_factory.mktemp(backend), free_port(), _cosmos(request, backend)
    )
    async for running in run_server(settings):
        yield running


@pytest.fixture(scope="module", params=BACKENDS)
async def small_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Server]:
    """A server with small attachment limits: 1 MB per attachment, 2 MB per message."""
    backend = request.param
    settings = server_settings(
        backend,
        tmp_path_factory.mktemp(f"small-{backend}"),
        free_port(),
        _cosmos(request, backend),
        limits={"attachment_max_mb": 1, "message_max_mb": 2},
    )
    async for running in run_server(settings):
        yield running


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Keep the tests of one backend together, so each module starts two servers, not one per test.
    items.sort(key=lambda item: ("cosmos" in item.nodeid, item.nodeid.split("::")[0]))


@pytest.fixture(scope="module", params=BACKENDS)
async def web_only_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Server]:
    """A server that only serves: a separate `sigill worker` process sends."""
    backend = request.param
    settings = server_settings(
        backend,
        tmp_path_factory.mktemp(f"web-only-{backend}"),
        free_port(),
        _cosmos(request, backend),
        worker={"run_in_serve": False},
    )
    async for running in run_server(settings):
        yield running
