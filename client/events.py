"""Server events as dicts with typed helpers; parsed leniently (unknown fields are kept)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

__all__ = ["ConnectionClosed", "Event", "HandshakeError", "RealtimeError"]


class Event(dict):
    """One server event: a plain dict (every field the server sent) plus helpers."""

    @property
    def type(self) -> str:
        return self.get("type", "")

    @property
    def event_id(self) -> str | None:
        return self.get("event_id")

    @property
    def is_error(self) -> bool:
        return self.type == "error"

    @property
    def audio(self) -> bytes:
        """The PCM16 bytes of a `response.audio.delta` (empty for other events)."""
        return base64.b64decode(self["delta"]) if self.type == "response.audio.delta" else b""

    @property
    def text(self) -> str:
        """The text an event carries: a delta, a `text` (+`stash`), a transcript, or ''."""
        if "delta" in self and self.type != "response.audio.delta":
            return self["delta"]
        if "transcript" in self:
            return self["transcript"] or ""
        return self.get("text", "") + self.get("stash", "")


@dataclass
class RealtimeError(Exception):
    """The server answered with an `error` event."""

    type: str
    code: str | None
    message: str
    param: str | None = None
    event_id: str | None = None  # the client event that caused it, where the family says so

    @classmethod
    def from_event(cls, event: dict) -> RealtimeError:
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
class HandshakeError(Exception):
    """The WebSocket upgrade was refused (bad key, bad model): the HTTP status and the server's body."""

    status: int
    code: str | None
    message: str
    request_id: str | None = None

    def __str__(self) -> str:
        return f"HTTP {self.status} {self.code or ''}: {self.message}".strip()


@dataclass
class ConnectionClosed(Exception):
    """The connection ended while the client still expected something."""

    code: int | None
    reason: str = ""

    def __str__(self) -> str:
        return f"connection closed (code {self.code}{': ' + self.reason if self.reason else ''})"
