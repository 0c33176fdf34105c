"""Per-turn costs of the Agents SDK that do not depend on the turn, paid once per process.

The SDK builds a user-token client and a connector client for every incoming activity, and each asks
`get_product_info()` for its User-Agent string, which looks the SDK's version up in the installed packages'
metadata: a directory scan that was a quarter of a card action's time. The answer cannot change while the
process runs, so it is computed once and the SDK's modules are given the remembered value.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Final

# The module, not the function its package re-exports under the same name.
_SDK_PRODUCT_INFO: Final[Callable[[], str]] = importlib.import_module(
    "microsoft_agents.hosting.core.connector.get_product_info"
).get_product_info
# The SDK modules that imported the function by name (`from ..get_product_info import get_product_info`).
_IMPORTERS: Final = (
    "microsoft_agents.hosting.core.connector",
    "microsoft_agents.hosting.core.connector.mcs.mcs_connector_client",
    "microsoft_agents.hosting.core.connector.client.user_token_client",
    "microsoft_agents.hosting.core.connector.client.connector_client",
)


@functools.cache
def _product_info() -> str:
    return _SDK_PRODUCT_INFO()


def remember_product_info() -> None:
    """Make every SDK client ask the remembered User-Agent string; safe to call more than once."""
    for name in _IMPORTERS:
        module = importlib.import_module(name)
        if getattr(module, "get_product_info", None) is not _product_info:
            module.get_product_info = _product_info  # type: ignore[attr-defined]
