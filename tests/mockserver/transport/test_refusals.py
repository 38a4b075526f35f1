"""Refusals you can see: each refused WebSocket handshake is logged at WARNING with its reason
and handed to the observer; other requests (a browser's) are not."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from dashscope_realtime_mock.transport.app import create_app
from dashscope_realtime_mock.transport.options import ServerOptions

UPGRADE = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
           "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}  # fmt: skip
KEY = {"Authorization": "Bearer sk-test"}


class _Refusals:
    """An observer that keeps the refusals it is told of."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def event(self, session_id: str, model: str, direction: str, event: dict[str, Any]) -> None:
        pass

    def failure(self, session_id: str | None, error: BaseException) -> None:
        pass

    def replayed(self, session_id: str, scenario: str | None, reason: str) -> None:
        pass

    def refused(self, url: str, reason: str) -> None:
        self.seen.append((url, reason))


@pytest.fixture
def handshake(aiohttp_client):
    """`handshake(path, headers)`: a WebSocket upgrade request to a fresh app; its status."""
    observer = _Refusals()

    async def attempt(path: str, headers: dict[str, str]) -> int:
        options = ServerOptions(observer=observer, api_key="sk-test")
        client = await aiohttp_client(create_app(options))
        response = await client.get(path, headers=headers)
        return response.status

    attempt.observer = observer  # type: ignore[attr-defined]  # the test reads what it was told
    return attempt


CASES = [
    ("/api-ws/v1/realtime?model=qwen3-omni-flash", KEY, "404 ModelNotFound: Model 'qwen3-omni-flash'"),
    ("/api-ws/v1/realtime?model=qwen3-omni-flash-realtime?model=qwen3-omni-flash-realtime", KEY,
     "400 InvalidParameter: The URL has two query strings"),
    ("/", KEY, "404 NotFound: Nothing is served at /. The realtime endpoint is ws://"),
    ("/api-ws/v1/realtime", KEY, "400 InvalidParameter: Missing required query parameter: 'model'"),
    ("/api-ws/v1/realtime?model=qwen3-omni-flash-realtime", {}, "401 InvalidApiKey"),
    ("/api-ws/v1/realtime?model=qwen3-omni-flash-realtime",
     {"Authorization": "Bearer sk-wrong"}, "401 InvalidApiKey"),
]  # fmt: skip


@pytest.mark.asyncio
@pytest.mark.parametrize(("path", "headers", "reason"), CASES, ids=[c[2][:20] for c in CASES])
async def test_each_refused_handshake_is_one_warning_with_its_reason(
    handshake, caplog, path, headers, reason
):
    """A wrong model, a doubled query, a bare host, no model, no key, a wrong key: one WARNING each."""
    caplog.set_level(logging.INFO, logger="mockserver")
    assert await handshake(path, {**UPGRADE, **headers}) >= 400
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name == "mockserver"  # not the loop watch's
    ]
    assert len(warnings) == 1 and reason in warnings[0], warnings
    assert warnings[0].startswith(f"refused the WebSocket handshake for {path}: ")
    [(url, told)] = handshake.observer.seen
    assert url == path and reason in told


@pytest.mark.asyncio
async def test_a_key_in_the_query_is_not_logged(handshake, caplog):
    """A key sent as ?api_key= is written *** in the warning and in what the observer is told."""
    caplog.set_level(logging.WARNING, logger="mockserver")
    await handshake("/api-ws/v1/realtime?model=nope&api_key=sk-secret", {**UPGRADE, **KEY})
    assert "sk-secret" not in caplog.text and "api_key=***" in caplog.text
    assert "sk-secret" not in str(handshake.observer.seen)


@pytest.mark.asyncio
async def test_a_plain_http_request_is_not_a_refused_handshake(handshake, caplog):
    """A browser's GET /favicon.ico gets its 404 without a warning: it is no WebSocket client."""
    caplog.set_level(logging.WARNING, logger="mockserver")
    assert await handshake("/favicon.ico", {}) == 404
    assert not [r for r in caplog.records if r.name == "mockserver"]
    assert not handshake.observer.seen
