"""The robustness matrix, shutdown: every client gets Close 1001 and the server waits for its
Close reply (or the grace) before it drops the connection; the grace bounds the wait."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import socket
import struct
import time

import pytest

from dashscope_realtime_mock.transport.app import create_app, start_site
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.options import ServerOptions
from tests.mockserver.banner import read_banner, start_serve
from tests.support import ASR, LIVETRANSLATE, OMNI

GRACE_S = 2.0  # a client that never answers is dropped after this
# Late answers: a grace far longer than the wait for the server to close after a reply, so a
# server that only closes when the grace runs out fails instead of passing late.
LATE_GRACE_S = 30.0
REPLY_ANSWERED_S = 10.0


def _handshake(port: int, model: str = OMNI) -> socket.socket:
    """A raw WebSocket client, past the upgrade (its session.created unread)."""
    sock = socket.create_connection(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {REALTIME_PATH}?model={model} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            "Authorization: Bearer sk-test\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101")
    return sock


def _read_frame(sock: socket.socket) -> tuple[int, bytes]:
    """(opcode, payload) of the next server frame."""

    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            assert chunk, "the server dropped the connection"
            data += chunk
        return data

    first, second = exactly(2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", exactly(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", exactly(8))
    return first & 0x0F, exactly(length)


def _close_reply(code: int) -> bytes:
    mask = os.urandom(4)
    payload = struct.pack("!H", code)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x88, 0x80 | len(payload)]) + mask + masked


async def _serve(grace_s: float = GRACE_S):
    app = create_app(ServerOptions(shutdown_grace_s=grace_s))
    return await start_site(app, "127.0.0.1", 0)


@pytest.mark.asyncio
@pytest.mark.parametrize("model", [ASR, LIVETRANSLATE, OMNI])
async def test_the_server_waits_for_a_late_close_reply(model):
    """A client that reads its Close 1001 late still finds the connection open and its reply
    answered by the server closing TCP."""
    runner, port = await _serve(LATE_GRACE_S)
    sock = await asyncio.to_thread(_handshake, port, model)
    stopping = asyncio.ensure_future(runner.cleanup())
    try:
        while True:
            opcode, payload = await asyncio.to_thread(_read_frame, sock)
            if opcode == 0x8:
                break
        assert struct.unpack("!H", payload[:2])[0] == 1001
        await asyncio.sleep(0.5)  # the client is slow to answer
        sock.setblocking(False)
        with pytest.raises(BlockingIOError):  # nothing to read: not closed under the client
            sock.recv(1)
        sock.setblocking(True)
        sock.sendall(_close_reply(1001))
        sock.settimeout(REPLY_ANSWERED_S)
        assert await asyncio.to_thread(sock.recv, 1) == b""  # then the server closes
    finally:
        sock.close()
        await stopping


@pytest.mark.asyncio
async def test_the_grace_bounds_the_wait_for_a_client_that_never_answers():
    """Clients that neither read nor answer are dropped once the grace has passed."""
    runner, port = await _serve()
    socks = [await asyncio.to_thread(_handshake, port) for _ in range(3)]
    try:
        started = time.monotonic()
        await runner.cleanup()
        assert time.monotonic() - started < GRACE_S + 1.5
    finally:
        for sock in socks:
            sock.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_waits_for_late_close_replies_on_sigterm(workers):
    """`serve` (and each of its workers): after SIGTERM, clients that answer their 1001 late
    find their connection open, and the process exits 0 once they have."""
    process = start_serve(
        "--no-inspector", "--shutdown-grace", str(LATE_GRACE_S), "--workers", str(workers)
    )
    try:
        port = read_banner(process, workers=workers > 1).port
        socks = [_handshake(port) for _ in range(4)]
        process.send_signal(signal.SIGTERM)
        for sock in socks:
            while (frame := _read_frame(sock))[0] != 0x8:
                pass
            assert struct.unpack("!H", frame[1][:2])[0] == 1001
        time.sleep(0.3)  # every client is slow to answer
        for sock in socks:
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):  # still open: nothing to read, no EOF
                sock.recv(1)
            sock.setblocking(True)
            sock.sendall(_close_reply(1001))
            sock.settimeout(REPLY_ANSWERED_S)
            assert sock.recv(1) == b""
            sock.close()
        assert process.wait(REPLY_ANSWERED_S) == 0  # every client answered: no grace to wait
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()
