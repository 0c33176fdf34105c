"""The SDK's User-Agent string is worked out once per process, and stays what the SDK would say."""

from __future__ import annotations

import importlib

from bot import sdk_tuning

SDK = "microsoft_agents.hosting.core.connector"


def test_every_sdk_client_gets_the_same_user_agent_the_sdk_computes() -> None:
    original = importlib.import_module(f"{SDK}.get_product_info").get_product_info
    sdk_tuning.remember_product_info()
    sdk_tuning.remember_product_info()
    for name in ("client.connector_client", "client.user_token_client", "mcs.mcs_connector_client"):
        module = importlib.import_module(f"{SDK}.{name}")
        assert module.get_product_info() == original()
        assert module.get_product_info is not original
    assert sdk_tuning._product_info.cache_info().misses == 1
