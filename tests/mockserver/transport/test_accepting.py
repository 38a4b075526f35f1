"""A burst of connections: queued by the kernel, accepted a few per event-loop step."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest
from aiohttp import web

from dashscope_realtime_mock.transport import accepting
from dashscope_realtime_mock.transport.app import create_app, start_site

pytestmark = pytest.mark.asyncio

BURST = 100  # far more than ACCEPTS_PER_STEP


def _connect_burst(port: int, sockets: list[socket.socket]) -> None:
    """BURST blocking connects, each given up after 0.5 s (a full queue drops the handshake)."""
    for _ in range(BURST):
        client = socket.socket()
        client.settimeout(0.5)
        try:
            client.connect(("127.0.0.1", port))
        except OSError:
            client.close()
        else:
            sockets.append(client)


async def test_a_burst_of_connections_while_the_loop_is_busy_is_queued_not_refused():
    runner, port = await start_site(create_app(), "127.0.0.1", 0)
    connected: list[socket.socket] = []
    try:
        burst = threading.Thread(target=_connect_burst, args=(port, connected))
        burst.start()
        burst.join(30)  # the loop is held here: nothing is accepted meanwhile
        assert len(connected) == BURST
    finally:
        for client in connected:
            client.close()
        await runner.cleanup()


async def test_one_loop_step_accepts_at_most_accepts_per_step(monkeypatch):
    loop = asyncio.get_running_loop()
    batches: list[int] = []
    original = type(loop)._accept_connection

    def spy(self, protocol_factory, sock, sslcontext=None, server=None, backlog=100, *args):
        batches.append(backlog)
        return original(self, protocol_factory, sock, sslcontext, server, backlog, *args)

    monkeypatch.setattr(type(loop), "_accept_connection", spy)
    runner, port = await start_site(create_app(), "127.0.0.1", 0)
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if batches:
                break
            await asyncio.sleep(0.01)
        writer.close()
    finally:
        await runner.cleanup()
    assert batches and set(batches) == {accepting.ACCEPTS_PER_STEP}


async def test_a_site_that_is_not_listening_keeps_its_own_backlog():
    runner = web.AppRunner(web.Application())
    await runner.setup()
    try:
        assert accepting.deepen_listen_queue(web.TCPSite(runner, "127.0.0.1", 0)) is False
    finally:
        await runner.cleanup()
