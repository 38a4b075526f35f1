"""The event block of one TTS response, in the documented shapes (docs/protocol/tts.md §5, §6.4).

`response.created` → `response.output_item.added` → `response.content_part.added` →
`response.audio.delta` … → `response.audio.done`, `response.content_part.done`,
`response.output_item.done` (in the order Behaviour.tts_response_order names) → `response.done`.
No transcript events: the parts carry `text: ""` and `response.done` `transcript: ""`. Built as
plain dicts without `event_id`; the session stamps those. :func:`cut_events` ends a response
part-way (response.cancel).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...protocol.behaviour import TtsResponseOrder
from ...protocol.wire import Event

__all__ = ["DELTA_MS", "TtsResponse", "cut_events", "delta_sizes", "response_events"]

DELTA_MS = 200  # audio per `response.audio.delta`, at most


@dataclass(frozen=True)
class TtsResponse:
    """Everything that decides one TTS response's events."""

    response_id: str
    item_id: str
    voice: str
    text: str
    audio: bytes  # the response's whole audio in the session's response_format
    duration_ms: int
    usage: dict[str, Any]
    order: TtsResponseOrder = TtsResponseOrder.OBSERVED
    # the usage of a response cut after `sent_ms` of its audio (response.cancel)
    partial_usage: Callable[[int], dict[str, Any]] | None = None


def delta_sizes(plan: TtsResponse) -> list[int]:
    """How many bytes of `plan.audio` each delta carries: DELTA_MS of audio each (PCM: exactly;
    an encoded stream: its bytes spread evenly over its duration)."""
    count = max(1, -(-plan.duration_ms // DELTA_MS))
    total = len(plan.audio)
    bounds = [total * k // count for k in range(count + 1)]
    if total % 2 == 0 and count > 0:  # keep PCM16 samples whole
        bounds = [b - b % 2 for b in bounds[:-1]] + [total]
    return [bounds[k + 1] - bounds[k] for k in range(count) if bounds[k + 1] > bounds[k]]


def _item(plan: TtsResponse, status: str, content: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": plan.item_id,
        "object": "realtime.item",
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": content,
    }


def _where(plan: TtsResponse) -> dict[str, Any]:
    return {
        "response_id": plan.response_id,
        "item_id": plan.item_id,
        "output_index": 0,
        "content_index": 0,
    }


def _head(plan: TtsResponse) -> list[Event]:
    # docs/protocol/tts.md §5: response.created has no modalities; the parts are audio with text "".
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


def _tail(
    plan: TtsResponse, status: str, usage: dict[str, Any], details: dict[str, Any] | None
) -> list[Event]:
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


def response_events(plan: TtsResponse) -> list[Event]:
    """All events of a completed TTS response, in wire order."""
    deltas: list[Event] = []
    start = 0
    for size in delta_sizes(plan):
        chunk = plan.audio[start : start + size]
        start += size
        deltas.append(
            {
                "type": "response.audio.delta",
                **_where(plan),
                "delta": base64.b64encode(chunk).decode("ascii"),
            }
        )
    return [*_head(plan), *deltas, *_tail(plan, "completed", plan.usage, None)]


def cut_events(plan: TtsResponse, sent: list[Event], status: str) -> list[Event]:
    """What replaces the unsent rest of a response cancelled after `sent`: no more deltas, the
    open part and item closed, `response.done` with `status` and the usage of what was sent."""
    deltas_sent = sum(1 for e in sent if e["type"] == "response.audio.delta")
    sent_ms = min(plan.duration_ms, deltas_sent * DELTA_MS)
    usage = plan.partial_usage(sent_ms) if plan.partial_usage else plan.usage
    details = {"type": status, "reason": "client_cancelled"}
    rest = _head(plan)[len(sent) :] if len(sent) < 3 else []
    return rest + _tail(plan, status, usage, details)
