"""A burst of connections: queued by the kernel, accepted a few per event-loop step."""

from __future__ import annotations

import asyncio
import itertools
import logging
import socket
import threading

import pytest
from aiohttp import web

from dashscope_realtime_mock.transport import accepting
from dashscope_realtime_mock.transport.app import create_app, start_site

pytestmark = pytest.mark.asyncio

BURST = 100  # far more than ACCEPTS_PER_STEP


def _connect_burst(port: int, sockets: list[socket.socket], count: int = BURST) -> None:
    """`count` blocking connects, each given up after 0.5 s (a full queue drops the handshake)."""
    for _ in range(count):
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


async def test_a_burst_is_accepted_at_most_accepts_per_step_connections_a_step() -> None:
    """40 clients connect while the loop is held; once it runs, each loop step accepts at most
    ACCEPTS_PER_STEP of them, and all 40 are accepted."""
    runner, port = await start_site(create_app(), "127.0.0.1", 0)
    assert runner.server is not None
    connected: list[socket.socket] = []
    try:
        burst = threading.Thread(target=_connect_burst, args=(port, connected, 40))
        burst.start()
        burst.join(30)  # the loop is held: the 40 wait in the kernel's queue
        counts = await _connections_at_each_step(runner.server, 40)
    finally:
        for client in connected:
            client.close()
        await runner.cleanup()
    assert counts[-1] == 40
    assert max(later - earlier for earlier, later in itertools.pairwise(counts)) == (
        accepting.ACCEPTS_PER_STEP
    )


async def _connections_at_each_step(server: web.Server, count: int) -> list[int]:
    """How many connections `server` holds after each event-loop step, until it holds `count`
    (or for at most 10 s). The connections one step accepts are handed to the server together
    in a later step, and no step of this count comes between them."""
    loop = asyncio.get_running_loop()
    counts = [len(server.connections)]
    done: asyncio.Future[None] = loop.create_future()
    end = loop.time() + 10

    def count_this_step() -> None:
        counts.append(len(server.connections))
        if counts[-1] >= count or loop.time() > end:
            done.set_result(None)
        else:
            loop.call_soon(count_this_step)

    loop.call_soon(count_this_step)
    await done
    return counts


async def test_a_site_that_is_not_listening_keeps_its_own_backlog_and_says_so(caplog):
    runner = web.AppRunner(web.Application())
    await runner.setup()
    try:
        with caplog.at_level(logging.WARNING, logger="mockserver"):
            assert accepting.deepen_listen_queue(web.TCPSite(runner, "127.0.0.1", 0)) is False
    finally:
        await runner.cleanup()
    assert "the listen queue stays 16 deep" in caplog.text
