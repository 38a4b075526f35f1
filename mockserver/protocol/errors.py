"""The mock's exception base, the `error` event, and the exception a session raises to produce one.

Shape from docs/protocol/events.md §1.7: ``{"type": "error", "error": {type, code, message, param}}``.
`invalid_request_error` leaves the connection open; `server_error` ends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["INVALID_REQUEST", "SERVER_ERROR", "ProtocolError", "RealtimeMockError"]

INVALID_REQUEST = "invalid_request_error"
SERVER_ERROR = "server_error"


class RealtimeMockError(Exception):
    """The base of every exception the mock server raises on purpose: a bad option, a bad fault
    spec, a client event answered with an `error`, a strict-mode violation, a departure from a
    replayed recording, an unreadable Opus stream. ``except RealtimeMockError`` catches them all;
    the reference client's own exceptions derive from `RealtimeClientError` instead."""


@dataclass
class ProtocolError(RealtimeMockError):
    """Raise inside an `_on_<event>` handler to answer the client event with an `error` event."""

    code: str
    message: str
    param: str | None = None
    type: str = INVALID_REQUEST

    def __str__(self) -> str:
        return f"{self.type}/{self.code}: {self.message} (param={self.param})"

    def to_error_object(
        self, client_event_id: str | None, include_event_id: bool
    ) -> dict[str, Any]:
        """The `error` object of the event; `event_id` only where the family documents it."""
        error = {"type": self.type, "code": self.code, "message": self.message, "param": self.param}
        if include_event_id:
            error["event_id"] = client_event_id
        return error
