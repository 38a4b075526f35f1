"""The robustness matrix, connections: half-sent requests time out and count toward the cap,
over-long request lines get a one-line 400 with no key anywhere, log lines are rate-limited."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest

from dashscope_realtime_mock.transport.app import create_app, start_site
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.http_guard import RepeatedLines
from dashscope_realtime_mock.transport.options import ServerOptions
from tests.support import OMNI

KEY = "sk-must-not-be-logged"


async def _serve(**options):
    return await start_site(create_app(ServerOptions(**options)), "127.0.0.1", 0)


async def _half_sent(port: int):
    """A connection that sends half a request and then nothing."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    await writer.drain()
    return reader, writer


@pytest.mark.asyncio
async def test_a_half_sent_request_is_closed_after_the_handshake_timeout():
    """Slowloris: the server closes a connection whose request never completes."""
    runner, port = await _serve(handshake_timeout_s=0.3)
    try:
        reader, writer = await _half_sent(port)
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_half_sent_requests_count_toward_max_connections():
    """With the cap taken by half-open connections, a WebSocket handshake gets 429."""
    runner, port = await _serve(max_connections=2, handshake_timeout_s=30)
    held = [await _half_sent(port) for _ in range(2)]
    try:
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}{REALTIME_PATH}?model={OMNI}"
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(url, headers={"Authorization": "Bearer k"})
            assert refused.value.status == 429
    finally:
        for _, writer in held:
            writer.close()
        await runner.cleanup()


@pytest.mark.asyncio
async def test_past_the_cap_a_silent_connection_is_closed_at_once():
    """Twice the cap waits half-open: further connections are closed without waiting."""
    runner, port = await _serve(max_connections=2, handshake_timeout_s=30)
    held = [await _half_sent(port) for _ in range(6)]
    try:
        for reader, _ in held[4:]:
            assert await asyncio.wait_for(reader.read(), 5) == b""
    finally:
        for _, writer in held:
            writer.close()
        await runner.cleanup()


@pytest.mark.asyncio
async def test_an_over_long_request_line_gets_a_one_line_400_without_the_key(caplog):
    """A request line over 8,190 bytes: 400, one line, no key in the body or the log, no traceback."""
    runner, port = await _serve()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        path = f"{REALTIME_PATH}?model={OMNI}&api_key={KEY}&pad={'a' * 9000}"
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        with caplog.at_level(logging.DEBUG):
            answer = await asyncio.wait_for(reader.read(), 5)
            writer.close()
            await asyncio.sleep(0.05)
    finally:
        await runner.cleanup()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 400") or head.startswith(b"HTTP/1.1 400")
    assert body.decode().count("\n") == 1
    assert KEY.encode() not in answer
    assert KEY not in caplog.text
    assert "Traceback" not in caplog.text
    assert not any(record.exc_info for record in caplog.records)


def test_repeated_log_lines_are_rate_limited():
    """Past the burst, lines of one kind are left out, and the next one says how many."""
    limit = RepeatedLines(burst=5, window_s=0.05)
    records = [
        logging.LogRecord("asyncio", logging.ERROR, __file__, 1, "accept failed", None, None)
        for _ in range(12)
    ]
    assert sum(limit.filter(record) for record in records) == 5
    import time

    time.sleep(0.06)
    later = logging.LogRecord("asyncio", logging.ERROR, __file__, 1, "accept failed", None, None)
    assert limit.filter(later)
    assert "7 more like this left out" in later.getMessage()
