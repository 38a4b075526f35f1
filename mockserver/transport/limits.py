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
import struct
import time
from collections.abc import Callable, Iterable
from typing import cast

from aiohttp import WSCloseCode, WSMsgType, web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_log import AccessLogger
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

from .handshake import http_error
from .http_guard import drain_until_closed

__all__ = [
    "GOING_AWAY",
    "PROTOCOL_ERROR",
    "SLOW_READER",
    "RedactingAccessLogger",
    "ServerSocket",
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
MESSAGE_TOO_BIG = 1009  # RFC 6455 §7.4.1: a frame over the size limit (aiohttp sends it)
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


NO_STATUS = 1005  # RFC 6455 §7.1.5: the close code of a close frame that carried none


def recorded_close_code(received: int | None) -> int | None:
    """The close code to report for a connection: what the client's close frame said, with a
    frame that carried no code (aiohttp reads it as 0) as RFC 6455 §7.1.5's 1005."""
    return NO_STATUS if received == 0 else received


async def answer_close(ws: web.WebSocketResponse) -> None:
    """Answer the client's close frame, once the session is done with the socket.

    The server's WebSocket is made with ``autoclose=False`` so that the code the client sent can
    be seen before the answer goes out (aiohttp's autoclose answers 1000 to anything it lets by).
    """
    if not ws.closed and ws.close_code is not None:
        await ws.close(code=close_reply(ws.close_code, 1000))


class ServerSocket(web.WebSocketResponse):
    """aiohttp's server WebSocket, able to close first while another task reads (shutdown).

    aiohttp's ``close()`` called while the receive loop waits for a frame breaks that wait and
    then drops the TCP connection at once, without the client's Close reply (RFC 6455 §7.1.1
    wants it awaited), so clients that read late saw 1006. :meth:`go_away` only sends the Close
    frame; the receive loop reads the reply as it reads any frame, and :meth:`close` then ends
    the connection without a second Close. Frames the send task produces after the Close are
    dropped (RFC 6455 §5.5.1: nothing is sent after it).
    """

    _going_away = False
    _lingering = False  # closing over a frame still arriving (1009): drain before dropping

    @property
    def going_away(self) -> bool:
        """The server sent its Close (:meth:`go_away`) and waits for the client's."""
        return self._going_away

    async def go_away(self, code: int, message: bytes) -> None:
        """Send Close `code` now; the connection ends on the client's reply (see class doc)."""
        if self.closed or self._going_away:
            return
        self._going_away = True
        await self.send_frame(struct.pack("!H", code) + message, WSMsgType.CLOSE)

    def _close_transport(self) -> None:
        if not self._lingering:  # else close() drains first (drain_until_closed)
            super()._close_transport()

    def abort(self) -> None:
        """Drop the TCP connection now (the client did not answer within the grace period)."""
        self._set_closed()
        request = self._req
        if request is not None and request.transport is not None:
            request.transport.abort()

    async def send_str(self, data: str, compress: int | None = None) -> None:
        if not self._going_away:
            await super().send_str(data, compress)

    async def close(self, *, code: int = 1000, message: bytes = b"", drain: bool = True) -> bool:
        if not self._going_away:
            self._lingering = code == MESSAGE_TOO_BIG and not self.closed
            closed = await super().close(code=code, message=message, drain=drain)
            if self._lingering:
                request = self._req
                if request is not None:
                    await drain_until_closed(request.protocol, request.transport)
            return closed
        if self.closed:
            return False
        if self.close_code is None and not self._waiting:  # nobody reads the reply: read it here
            with contextlib.suppress(Exception):
                while (await self.receive()).type not in _ENDINGS:
                    pass
        self._set_closed()
        # any code the client replied with (3000-4999 too), not only WSCloseCode's members
        self._set_code_close_transport(cast(WSCloseCode, self.close_code or GOING_AWAY))
        return True


_ENDINGS = frozenset({WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR})


async def close_all(sockets: Iterable[web.WebSocketResponse], grace_s: float) -> None:
    """Close every open WebSocket with 1001 (going away), all at once, and wait for each
    client's Close reply; `grace_s` bounds the whole wait, after which what is left is dropped,
    whether or not its client reads."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace_s
    open_now = [ws for ws in list(sockets) if not ws.closed]
    if not open_now:
        return
    log.info("shutting down: closing %d sessions with %d", len(open_now), GOING_AWAY)
    closing = [asyncio.ensure_future(_go_away(ws)) for ws in open_now]
    while any(not ws.closed for ws in open_now) and loop.time() < deadline:
        await asyncio.sleep(_POLL_S)
    for task in closing:
        task.cancel()
    left = [ws for ws in open_now if not ws.closed]
    if left:
        log.info("shutting down: %d clients did not answer within %g s", len(left), grace_s)
    for ws in left:
        if isinstance(ws, ServerSocket):
            ws.abort()
    await asyncio.gather(*closing, return_exceptions=True)


async def _go_away(ws: web.WebSocketResponse) -> None:
    if isinstance(ws, ServerSocket):
        await ws.go_away(GOING_AWAY, b"server shutting down")
    else:
        await ws.close(code=GOING_AWAY, message=b"server shutting down")


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
