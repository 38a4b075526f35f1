"""The events of one TTS response, in the documented shapes (docs/protocol/tts.md §5, §6.4).

`response.created` → `response.output_item.added` → `response.content_part.added` →
`response.audio.delta` … → `response.audio.done`, `response.content_part.done`,
`response.output_item.done` (in the order Behaviour.tts_response_order names) → `response.done`.
No transcript events: the parts carry `text: ""` and `response.done` `transcript: ""`. Built as
plain dicts without `event_id`, piece by piece (:mod:`.building`); the session stamps them.
:func:`cut_events` ends a response part-way (response.cancel).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from ...protocol.behaviour import TtsResponseOrder
from ...protocol.wire import Event, message_item

__all__ = ["TtsResponse", "audio_delta", "cut_events", "head_events", "tail_events"]


@dataclass(frozen=True)
class TtsResponse:
    """What names and shapes one TTS response's events (its audio comes step by step)."""

    response_id: str
    item_id: str
    voice: str
    order: TtsResponseOrder = TtsResponseOrder.OBSERVED


def _item(plan: TtsResponse, status: str, content: list[dict[str, Any]]) -> dict[str, Any]:
    return message_item(plan.item_id, "assistant", content, status)


def _where(plan: TtsResponse) -> dict[str, Any]:
    return {
        "response_id": plan.response_id,
        "item_id": plan.item_id,
        "output_index": 0,
        "content_index": 0,
    }


def head_events(plan: TtsResponse) -> list[Event]:
    """response.created, the item and its audio part (§5: no modalities in response.created)."""
    response = {
        "id": plan.response_id,
        "object": "realtime.response",
        "conversation_id": "",
        "status": "in_progress",
        "voice": plan.voice,
        "output": [],
    }
    return [
        {"type": "response.created", "response": response},
        {
            "type": "response.output_item.added",
            "response_id": plan.response_id,
            "output_index": 0,
            "item": _item(plan, "in_progress", []),
        },
        {
            "type": "response.content_part.added",
            **_where(plan),
            "part": {"type": "audio", "text": ""},
        },
    ]


def audio_delta(plan: TtsResponse, data: bytes) -> Event:
    """One `response.audio.delta` carrying `data` (base64)."""
    return {
        "type": "response.audio.delta",
        **_where(plan),
        "delta": base64.b64encode(data).decode("ascii"),
    }


def tail_events(
    plan: TtsResponse, status: str, usage: dict[str, Any], details: dict[str, Any] | None = None
) -> list[Event]:
    """The closing events, then response.done with `status` and `usage`."""
    item_status = "completed" if status == "completed" else "incomplete"
    audio_done: Event = {"type": "response.audio.done", **_where(plan)}
    part_done: Event = {
        "type": "response.content_part.done",
        **_where(plan),
        "part": {"type": "audio", "text": ""},
    }
    item_done: Event = {
        "type": "response.output_item.done",
        "response_id": plan.response_id,
        "output_index": 0,
        "item": _item(plan, item_status, [{"type": "audio", "text": ""}]),
    }
    closing = (
        [audio_done, part_done, item_done]
        if plan.order is TtsResponseOrder.OBSERVED
        else [part_done, item_done, audio_done]
    )
    response: dict[str, Any] = {
        "id": plan.response_id,
        "object": "realtime.response",
        "conversation_id": "",
        "status": status,
        "modalities": ["text", "audio"],
        "voice": plan.voice,
        "output": [_item(plan, item_status, [{"type": "audio", "transcript": ""}])],
    }
    if details is not None:
        response["status_details"] = details
    response["usage"] = usage
    return [*closing, {"type": "response.done", "response": response}]


def cut_events(
    plan: TtsResponse, head_sent: int, status: str, usage: dict[str, Any]
) -> list[Event]:
    """What replaces the unsent rest of a response cancelled after `head_sent` of its events
    that are not audio deltas: no more deltas, the part of the head not sent yet, the closings
    and `response.done` with `status`."""
    details = {"type": status, "reason": "client_cancelled"}
    return head_events(plan)[min(head_sent, 3) :] + tail_events(plan, status, usage, details)
