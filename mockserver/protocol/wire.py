"""What crosses the wire, as Python sees it: every client and server event is a JSON object.

The schemas (`schemas/client/`, `schemas/server/`) say which fields each event type has; in code an
event is the decoded object itself, looked up by its `type`. So its honest static type is a dict
of JSON values, named once here for every layer to import.
"""

from __future__ import annotations

from typing import Any, TypeAlias

__all__ = ["Event", "message_item"]

Event: TypeAlias = dict[str, Any]
"""One client or server event, decoded from (or to be encoded as) a JSON text frame."""


def message_item(
    item_id: str, role: str, content: list[dict[str, Any]], status: str = "completed"
) -> dict[str, Any]:
    """A conversation item of type `message` (a user's turn, an answer, a spoken TTS response),
    its fields in the order the documented examples show them."""
    return {
        "id": item_id,
        "object": "realtime.item",
        "type": "message",
        "status": status,
        "role": role,
        "content": content,
    }
