"""What keeps one client from silencing, stalling or bloating the server.

The transport's bounds, each a named :class:`~.app.ServerOptions` field listed in docs/options.md
("Limits"): the connection cap (answered at the handshake), the idle timeout, backpressure on a
client that does not read, and the close every client gets when the server stops. The docs
document none of the codes (docs/protocol/events.md §1.8, §7.2); the choices are named here once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Callable, Iterable

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_log import AccessLogger
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

from .handshake import http_error

__all__ = [
    "GOING_AWAY",
    "PROTOCOL_ERROR",
    "SLOW_READER",
    "RedactingAccessLogger",
    "answer_close",
    "backlogged",
    "close_all",
    "connection_refused",
    "redacted",
    "wait_for_reader",
]

log = logging.getLogger("mockserver")

PROTOCOL_ERROR = 1002  # RFC 6455 §7.4.1: e.g. a close code no endpoint may send
GOING_AWAY = 1001  # RFC 6455 §7.4.1: the server is going down (SIGTERM, SIGINT)
SLOW_READER = 1008  # RFC 6455 §7.4.1 policy violation: the client stopped reading its events
IDLE = 1000  # the idle timeout: a normal close (the ~300 s drop of docs/protocol/events.md §1.8 has no code)
_POLL_S = 0.02  # how often a paused receive loop looks at the backlog again
# RFC 6455 §7.4.1-2 and IANA's registry: the codes below 3000 an endpoint may send; 3000-4999
# are for libraries and applications; everything else (0-999, 1004-1006, 1015, 5000+) is not.
_SENDABLE_BELOW_3000 = frozenset(
    {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014}
)


def connection_refused(open_now: int, cap: int) -> web.Response | None:
    """The handshake's answer when `cap` connections are open already (None: under the cap).

    429 with DashScope's HTTP error body, code `Throttling` (its code for too many requests);
    the docs do not say what the service answers, so this is a choice (docs/limits.md).
    """
    if not cap or open_now < cap:
        return None
    return http_error(
        429,
        "Throttling",
        f"Too many connections: this server accepts at most {cap} at a time. Try again later.",
    )


def backlogged(unsent: int, bound: int, transport: asyncio.BaseTransport | None) -> bool:
    """The client is behind: more than `bound` events wait to be sent while the socket's
    write buffer is not empty (so the wait is the client's, not the pacing's)."""
    if unsent <= bound:
        return False
    write_buffer = getattr(transport, "get_write_buffer_size", None)
    return transport is None or write_buffer is None or write_buffer() > 0


async def wait_for_reader(still_behind: Callable[[], bool], patience_s: float) -> bool:
    """Stop reading the client's frames until it catches up; False if it has not after
    `patience_s` seconds (the caller closes with :data:`SLOW_READER`)."""
    deadline = time.monotonic() + patience_s
    while still_behind():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(_POLL_S)
    return True


def close_reply(received: int | None, ours: int) -> int:
    """The code to answer a client's close with: `ours`, or :data:`PROTOCOL_ERROR` when the
    client sent a code no endpoint may send (RFC 6455 §7.4). aiohttp refuses those below 3000
    itself; 5000 and above reach us. `received` 0 is a close frame without a code: fine."""
    if received is None or received == 0 or 3000 <= received <= 4999:
        return ours
    return ours if received in _SENDABLE_BELOW_3000 else PROTOCOL_ERROR


async def answer_close(ws: web.WebSocketResponse) -> None:
    """Answer the client's close frame, once the session is done with the socket.

    The server's WebSocket is made with ``autoclose=False`` so that the code the client sent can
    be seen before the answer goes out (aiohttp's autoclose answers 1000 to anything it lets by).
    """
    if not ws.closed and ws.close_code is not None:
        await ws.close(code=close_reply(ws.close_code, 1000))


async def close_all(sockets: Iterable[web.WebSocketResponse], grace_s: float) -> None:
    """Close every open WebSocket with 1001 (going away), all at once, within `grace_s`.

    A send already under way finishes first (aiohttp writes one frame at a time); whatever is
    not closed when the grace period ends is dropped.
    """
    closing = [
        asyncio.ensure_future(ws.close(code=GOING_AWAY, message=b"server shutting down"))
        for ws in list(sockets)
        if not ws.closed
    ]
    if not closing:
        return
    log.info("shutting down: closing %d sessions with %d", len(closing), GOING_AWAY)
    done, pending = await asyncio.wait(closing, timeout=grace_s)
    for task in pending:
        task.cancel()
    for task in done:
        with contextlib.suppress(Exception):
            task.result()


_SECRET_QUERY = re.compile(r"((?:api[_-]?key|key|token|authorization)=)[^&\s\"]*", re.IGNORECASE)


class RedactingAccessLogger(AccessLogger):
    """aiohttp's access log with any key or token in the query string replaced by `***`.

    A WebSocket upgrade (101) is left out: the session logs its own opening line, with the
    model and the client's User-Agent, and its closing line (one line fewer per session, which
    a load of thousands of sessions notices).
    """

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        if response.status != 101:
            super().log(request, response, time)

    def _format_line(
        self, request: BaseRequest, response: StreamResponse, time: float
    ) -> list[tuple[str | tuple[str, str], str]]:
        return [
            (key, _SECRET_QUERY.sub(r"\1***", value) if isinstance(value, str) else value)
            for key, value in super()._format_line(request, response, time)
        ]


_: type[AbstractAccessLogger] = RedactingAccessLogger


def redacted(text: str) -> str:
    """`text` (a URL or its query) with the value of every key-like parameter written ``***``."""
    return _SECRET_QUERY.sub(r"\1***", text)
