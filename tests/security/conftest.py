"""The security suite drives the same real server as the integration suite."""

from tests.integration.conftest import server, small_server

__all__ = ["server", "small_server"]
