"""The contract suite's only knowledge of where it runs: the plugin's `realtime_endpoint`, a mock
by default, the live service with DASHSCOPE_REALTIME_TARGET=live or --realtime-target=live (the
one setting a user's own suite flips)."""

from __future__ import annotations

import pytest

from dashscope_realtime_mock.client import RealtimeClient


@pytest.fixture
def open_client(realtime_endpoint):
    """Factory: `open_client(model)` → a strict RealtimeClient for the chosen target."""

    def make(model: str) -> RealtimeClient:
        return RealtimeClient(
            model, url=realtime_endpoint.url, api_key=realtime_endpoint.api_key, strict=True
        )

    return make
