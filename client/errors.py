"""Every exception the client raises has one base: ``except RealtimeClientError`` catches all.

    RealtimeClientError
    ├── RealtimeError          the server answered with an ``error`` event
    ├── HandshakeError         the WebSocket upgrade was refused (or there was no key to offer)
    ├── ConnectError           the endpoint could not be reached (also ConnectionError, aiohttp's)
    ├── ConnectionClosed       the connection ended while the client still expected something
    ├── EventTimeout           no awaited event arrived in time (also TimeoutError)
    ├── ServerProtocolError    the server sent what the protocol does not allow (also ValueError)
    └── EndpointError          no endpoint can be made from the settings (also ValueError)

Where a class also derives from a builtin, it replaces an exception the client used to let through
as that builtin, so ``except TimeoutError`` or ``except ValueError`` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp

__all__ = [
    "ConnectError",
    "ConnectionClosed",
    "EndpointError",
    "EventTimeout",
    "HandshakeError",
    "RealtimeClientError",
    "RealtimeError",
    "ServerProtocolError",
]


class RealtimeClientError(Exception):
    """The base of every exception the client raises; catch it to handle any client failure."""


@dataclass
class RealtimeError(RealtimeClientError):
    """The server answered with an `error` event (raised by `wait_for` and `end_session`)."""

    type: str
    code: str | None
    message: str
    param: str | None = None
    event_id: str | None = None  # the client event that caused it, where the family says so

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> RealtimeError:
        error = event.get("error") or {}
        return cls(
            error.get("type", ""),
            error.get("code"),
            error.get("message", ""),
            error.get("param"),
            error.get("event_id"),
        )

    def __str__(self) -> str:
        where = f" (param {self.param})" if self.param else ""
        return f"{self.type}/{self.code}: {self.message}{where}"


@dataclass
class HandshakeError(RealtimeClientError):
    """Raised by `connect` when the upgrade is refused (bad key, bad model): the HTTP status and the
    server's body; or, with status 0, before any request when there is no API key to send."""

    status: int
    code: str | None
    message: str
    request_id: str | None = None

    def __str__(self) -> str:
        if self.status == 0:  # refused before any request: the message is the whole story
            return self.message
        return f"HTTP {self.status} {self.code or ''}: {self.message}".strip()


class ConnectError(RealtimeClientError, aiohttp.ClientConnectionError, ConnectionError):
    """Raised by `connect` when the endpoint cannot be reached (refused, unresolvable, reset,
    timed out); the aiohttp error is its ``__cause__``. Still an aiohttp.ClientConnectionError and
    a ConnectionError, as what it replaces was."""


@dataclass
class ConnectionClosed(RealtimeClientError):
    """Raised by `recv`, `wait_for` and `send` once the connection has ended (`code` is the close
    code, None if there was none); `async for` ends quietly instead."""

    code: int | None
    reason: str = ""

    def __str__(self) -> str:
        return f"connection closed (code {self.code}{': ' + self.reason if self.reason else ''})"


class EventTimeout(RealtimeClientError, TimeoutError):
    """Raised by `recv`, `wait_for` and `end_session` when what they wait for does not arrive
    within their timeout. Also a TimeoutError (which asyncio.TimeoutError is, since 3.11)."""


class ServerProtocolError(RealtimeClientError, ValueError):
    """Raised by `recv` (and so `wait_for`) when the server sent what the protocol does not allow:
    a binary frame, a text frame that is not a JSON object, or, with ``strict=True``, an event that
    breaks its schema. The connection stops reading. Also a ValueError."""


class EndpointError(RealtimeClientError, ValueError):
    """Raised by `resolve` (and so `RealtimeClient(...)`) when the settings name no endpoint, such
    as an unknown region. Also a ValueError."""
