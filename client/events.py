"""Server events as dicts with typed helpers; parsed leniently (unknown fields are kept)."""

from __future__ import annotations

import base64
from typing import Any

from .errors import ConnectionClosed, HandshakeError, RealtimeError

# The exceptions live in client.errors; these three are re-exported for older imports.
__all__ = ["ConnectionClosed", "Event", "HandshakeError", "RealtimeError"]


class Event(dict[str, Any]):
    """One server event: a plain dict (every field the server sent) plus helpers."""

    @property
    def type(self) -> str:
        kind: str = self.get("type", "")
        return kind

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
            delta: str = self["delta"]
            return delta
        if "transcript" in self:
            return self["transcript"] or ""
        text: str = self.get("text", "") + self.get("stash", "")
        return text
