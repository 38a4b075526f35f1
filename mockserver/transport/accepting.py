"""How many connections one event-loop step accepts, and how many the kernel queues meanwhile.

asyncio accepts the connections waiting on a listening socket in one loop step, up to the
`backlog` the server was started with: each is an `accept()` and a new task, and under load a
burst of 128 (aiohttp's default) held the loop for 10-20 ms, in which no session sent or read
(the aim: no step over 5 ms). So a site is started with a backlog of :data:`ACCEPTS_PER_STEP`, which caps that
step, and :func:`deepen_listen_queue` then makes the kernel's queue of connections waiting to be
accepted :data:`LISTEN_BACKLOG` deep again (``listen()`` on a listening socket only changes its
backlog), so that a burst of clients is queued, not refused or made to retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web

__all__ = ["ACCEPTS_PER_STEP", "LISTEN_BACKLOG", "deepen_listen_queue"]

log = logging.getLogger("mockserver")

ACCEPTS_PER_STEP = 16
LISTEN_BACKLOG = 1024  # the kernel caps it at net.core.somaxconn


def deepen_listen_queue(site: web.BaseSite) -> bool:
    """Give each listening socket of a started `site` a queue :data:`LISTEN_BACKLOG` deep;
    False (and the site keeps its own backlog) when this aiohttp does not expose them."""
    server = getattr(site, "_server", None)  # aiohttp keeps the asyncio.Server here
    if not isinstance(server, asyncio.base_events.Server):
        log.warning(
            "the listen queue stays %d deep (this aiohttp keeps no asyncio server on %r): a "
            "burst of more clients may be refused",
            ACCEPTS_PER_STEP,
            site,
        )
        return False
    for listening in server.sockets:
        with contextlib.closing(listening.dup()) as same_socket:  # a second fd, one socket
            same_socket.listen(LISTEN_BACKLOG)
    return True
