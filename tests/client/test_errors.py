"""client.errors: every failure of the client is caught as RealtimeClientError."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from dashscope_realtime_mock import client
from dashscope_realtime_mock.client import (
    ConnectError,
    ConnectionClosed,
    EndpointError,
    EventTimeout,
    HandshakeError,
    RealtimeClient,
    RealtimeClientError,
    ServerProtocolError,
    resolve,
)

ASR = "qwen3-asr-flash-realtime"
PATH = "/api-ws/v1/realtime"
EXPORTED = [
    value
    for value in (getattr(client, name) for name in client.__all__)
    if inspect.isclass(value) and issubclass(value, BaseException)
]


def _defined_in_client() -> set[type]:
    """Every exception class defined in a module of the client package."""
    found = set()
    for info in pkgutil.iter_modules(client.__path__, f"{client.__name__}."):
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == module.__name__:
                found.add(value)
    return found


@pytest.mark.parametrize("exception", EXPORTED, ids=lambda exception: exception.__name__)
def test_every_exported_exception_derives_from_the_base(exception):
    """Each exception class in client.__all__ is a RealtimeClientError."""
    assert issubclass(exception, RealtimeClientError)


def test_every_exception_the_client_defines_is_exported():
    """No exception class in client's modules is missing from dashscope_realtime_mock.client.__all__."""
    assert _defined_in_client() <= set(EXPORTED)


def test_an_unknown_region_is_caught_as_the_base_and_as_value_error(monkeypatch):
    """resolve() with a region that has no endpoint raises EndpointError, still a ValueError."""
    monkeypatch.delenv("DASHSCOPE_REALTIME_URL", raising=False)
    with pytest.raises(RealtimeClientError) as caught:
        resolve(ASR, region="mars")
    assert isinstance(caught.value, EndpointError) and isinstance(caught.value, ValueError)


@pytest.mark.asyncio
@pytest.mark.realtime_mock(api_key="the-right-key")
async def test_a_refused_handshake_is_caught_as_the_base(realtime_mock):
    """A wrong key's 401 refusal is a HandshakeError caught by `except RealtimeClientError`."""
    with pytest.raises(RealtimeClientError) as caught:
        await RealtimeClient(ASR, url=realtime_mock.url, api_key="wrong").connect()
    assert isinstance(caught.value, HandshakeError) and caught.value.status == 401


@pytest.mark.asyncio
async def test_an_unreachable_endpoint_is_caught_as_the_base_and_as_connection_error():
    """Nothing listening: ConnectError, also a ConnectionError and an aiohttp.ClientError."""
    with pytest.raises(RealtimeClientError) as caught:
        await RealtimeClient(ASR, url=f"ws://127.0.0.1:9{PATH}", api_key="k").connect()
    assert isinstance(caught.value, ConnectError)
    assert isinstance(caught.value, ConnectionError) and isinstance(
        caught.value, aiohttp.ClientError
    )


@pytest.mark.asyncio
async def test_recv_on_a_closed_connection_is_caught_as_the_base(realtime_client):
    """After the session ended and the socket closed, recv raises ConnectionClosed."""
    async with realtime_client(ASR) as rt:
        await rt.end_session(timeout=10)
    with pytest.raises(RealtimeClientError) as caught:
        while True:
            await rt.recv(timeout=10)
    assert isinstance(caught.value, ConnectionClosed)


@pytest.mark.asyncio
async def test_a_wait_that_times_out_is_caught_as_the_base_and_as_timeout_error(realtime_client):
    """wait_for an event that never comes: EventTimeout naming the event, still a TimeoutError."""
    async with realtime_client(ASR) as rt:
        with pytest.raises(RealtimeClientError, match=r"response\.done") as caught:
            await rt.wait_for("response.done", timeout=0.2)
    assert isinstance(caught.value, EventTimeout) and isinstance(caught.value, TimeoutError)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "frame", [b"\x00\x01", "not json", "[1, 2]"], ids=["binary", "not-json", "not-an-object"]
)
async def test_a_frame_the_protocol_forbids_is_caught_as_the_base(frame):
    """A binary frame, or text that is not a JSON object, raises ServerProtocolError from recv."""

    async def send_one_frame(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await (ws.send_bytes(frame) if isinstance(frame, bytes) else ws.send_str(frame))
        await ws.receive()  # until the client closes
        return ws

    app = web.Application()
    app.router.add_get(PATH, send_one_frame)
    async with TestServer(app, host="127.0.0.1") as server:
        url = f"ws://127.0.0.1:{server.port}{PATH}"
        async with RealtimeClient(ASR, url=url, api_key="k") as rt:
            with pytest.raises(RealtimeClientError) as caught:
                await rt.recv(timeout=10)
    assert isinstance(caught.value, ServerProtocolError) and isinstance(caught.value, ValueError)
