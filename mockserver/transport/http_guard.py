"""What a connection may do before its HTTP request is complete, and what a bad request is told.

- **Handshake timeout.** A connection that has not sent a whole request within
  `handshake_timeout_s` is closed (slowloris: half-sent requests used to stay open for ever).
  aiohttp's keep-alive timer does it: it closes a connection that waits for a request.
- **Counted toward the cap.** With `max_connections`, the half-open connections count as open
  ones at the handshake (:func:`half_open`: the handshake gets 429), and once twice the cap
  wait half-open, a new connection is closed at once, so they cannot use up the process's
  file descriptors.
- **Bad requests** (a request line over 8,190 bytes, broken headers) are answered 400 with one
  line naming the problem, and logged on one line: aiohttp put the raw request line, key and
  all, in the body and a traceback in the log.
- **Repeated log lines** are rate-limited (:class:`RepeatedLines`).

aiohttp builds its HTTP server and request handlers itself; :class:`GuardedRunner` gives them
the subclasses below (their layout is aiohttp's, so only behaviour changes).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError, LineTooLong
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

__all__ = [
    "GuardedRunner",
    "RepeatedLines",
    "drain_until_closed",
    "half_open",
    "limit_repeated_lines",
    "redact",
]

log = logging.getLogger("mockserver")

_SECRET = re.compile(r"((?:api[_-]?key|key|token|authorization)=)[^&\s\"']*", re.IGNORECASE)
_BEARER = re.compile(r"(bearer\s+)\S+", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` with any key or token in a query string or a Bearer header replaced by `***`."""
    return _BEARER.sub(r"\1***", _SECRET.sub(r"\1***", text))


class _GuardedHandler(RequestHandler):
    """aiohttp's request handler, counted while half-open and with one-line 400s."""

    __slots__ = ()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        server = self._manager
        if not isinstance(server, _GuardedServer):
            return
        if server.cap and len(server.half_open) >= 2 * server.cap:
            self.force_close()  # far past the cap: nothing sent yet, nothing lost
            transport.close()
            return
        server.half_open.add(self)

    def data_received(self, data: bytes) -> None:
        if self._close and self._upgraded and not self._force_close:
            # At shutdown aiohttp stops reading every connection (pre_shutdown); a WebSocket
            # that was sent Close 1001 must still read its client's Close reply.
            self._close = False
            try:
                super().data_received(data)
            finally:
                self._close = True
        else:
            super().data_received(data)
        if self._request_count and isinstance(self._manager, _GuardedServer):
            self._manager.half_open.discard(self)

    def connection_lost(self, exc: BaseException | None) -> None:
        if isinstance(self._manager, _GuardedServer):
            self._manager.half_open.discard(self)
        super().connection_lost(exc)

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> StreamResponse:
        if not isinstance(exc, HttpProcessingError):
            return super().handle_error(request, status, exc, message)
        reason = _reason(exc)
        log.info("refused a bad HTTP request from %s: %s", request.remote, reason)
        response = web.Response(status=status, text=f"Bad request: {reason}\n")
        response.force_close()
        return response


def _reason(exc: HttpProcessingError) -> str:
    """One line saying what was wrong with a request, with no part of the request in it."""
    if isinstance(exc, LineTooLong):
        return "a request line or header is longer than 8190 bytes"
    first = str(exc.message or type(exc).__name__).splitlines()[0]
    return redact(first)[:200]


class _DrainingHandler(RequestHandler):
    """A connection whose last frame was refused: whatever else the client sends is dropped
    unread, so that it can finish sending and read the Close it was sent."""

    __slots__ = ()

    def data_received(self, data: bytes) -> None:
        pass


LINGER_S = 5.0  # how long a refused client may go on sending before the connection is dropped
_LINGER_POLL_S = 0.05


async def drain_until_closed(protocol: object, transport: asyncio.Transport | None) -> None:
    """After a Close sent while the client is still sending (a frame over the size limit):
    read and drop what it sends until it closes, at most LINGER_S, then close. Closing at once
    would leave its bytes unread, and the kernel answers unread bytes with a TCP reset, which
    can destroy the Close before the client reads it."""
    if not isinstance(protocol, RequestHandler) or transport is None or transport.is_closing():
        if transport is not None:
            transport.close()
        return
    protocol.__class__ = _DrainingHandler
    transport.resume_reading()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LINGER_S
    while not transport.is_closing() and loop.time() < deadline:
        await asyncio.sleep(_LINGER_POLL_S)
    transport.close()


class _GuardedServer(web.Server):
    """aiohttp's HTTP server, making :class:`_GuardedHandler` handlers."""

    half_open: set[RequestHandler]
    cap: int

    def __call__(self) -> RequestHandler:
        handler = super().__call__()
        handler.__class__ = _GuardedHandler
        return handler


HALF_OPEN_KEY: web.AppKey[set[RequestHandler]] = web.AppKey("half_open", set)


class GuardedRunner(web.AppRunner):
    """An AppRunner whose server counts half-open connections and answers bad requests on one
    line. `cap` is `max_connections` (0: no cap)."""

    def __init__(self, app: web.Application, *, cap: int = 0, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._cap = cap

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        server.__class__ = _GuardedServer
        assert isinstance(server, _GuardedServer)
        server.half_open = self.app.get(HALF_OPEN_KEY, set())
        server.cap = self._cap
        return server


def half_open(app: web.Application) -> int:
    """How many connections of `app` have not sent a whole request yet."""
    return len(app.get(HALF_OPEN_KEY, ()))


class RepeatedLines(logging.Filter):
    """At most `burst` lines of one kind (logger and message template) per `window_s`; the
    next line let through after a quiet spell says how many were left out."""

    def __init__(self, burst: int = 20, window_s: float = 10.0) -> None:
        super().__init__()
        self.burst = burst
        self.window_s = window_s
        self._seen: dict[tuple[str, str], list[float]] = {}
        self._left_out: dict[tuple[str, str], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = time.monotonic()
        recent = [t for t in self._seen.get(key, []) if now - t < self.window_s]
        if len(recent) >= self.burst:
            self._seen[key] = recent
            self._left_out[key] = self._left_out.get(key, 0) + 1
            return False
        recent.append(now)
        self._seen[key] = recent
        if len(self._seen) > 1024:  # many kinds: forget the oldest
            self._seen.pop(next(iter(self._seen)))
        if left_out := self._left_out.pop(key, 0):
            record.msg = f"{record.msg} ({left_out} more like this left out)"
        return True


_LIMITED_LOGGERS = ("mockserver", "aiohttp.server", "aiohttp.access", "aiohttp.web", "asyncio")


def limit_repeated_lines() -> None:
    """Rate-limit the server's log lines (once per process; idempotent)."""
    for name in _LIMITED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RepeatedLines) for f in logger.filters):
            logger.addFilter(RepeatedLines())
