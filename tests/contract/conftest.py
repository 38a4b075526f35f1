"""The contract suite's only knowledge of where it runs: `--target mock|live` (or REALTIME_TARGET)."""

from __future__ import annotations

import os

import pytest

from dashscope_realtime_mock.client import RealtimeClient, resolve


@pytest.fixture
def open_client(request: pytest.FixtureRequest):
    """Factory: `open_client(model)` → a strict RealtimeClient for the chosen target."""
    if request.config.getoption("--target") == "live":
        if not os.environ.get("DASHSCOPE_API_KEY"):
            pytest.skip("--target=live needs DASHSCOPE_API_KEY (and network access to DashScope)")
        live = resolve("any", url=os.environ.get("DASHSCOPE_REALTIME_URL"))
        url, key = live.url.split("?")[0], None
    else:
        mock = request.getfixturevalue("realtime_mock")
        url, key = mock.url, "mock-key"

    def make(model: str) -> RealtimeClient:
        return RealtimeClient(model, url=url, api_key=key, strict=True)

    return make
