"""The event block of one response, in the documented order (events.md §2.4).

`response.created` → `response.output_item.added` → `conversation.item.created` →
`response.content_part.added` → streamed text (`text`+`stash`, growing) interleaved with
`response.audio.delta` → `*.done` → `response.content_part.done` → `response.output_item.done`
→ `response.done`. Built as plain dicts without `event_id`; the session stamps those.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import numpy as np

from .registry import Dialect
from .responder import split_units

__all__ = ["AUDIO_DELTA_SAMPLES", "UNITS_PER_STEP", "ResponsePlan", "response_events"]

AUDIO_DELTA_SAMPLES = 4800  # 200 ms of 24 kHz audio per `response.audio.delta` at most
UNITS_PER_STEP = 3  # words (or CJK characters) revealed per streamed text event


@dataclass(frozen=True)
class ResponsePlan:
    """Everything that decides one response's events."""

    response_id: str
    item_id: str
    conversation_id: str
    previous_item_id: str | None
    modalities: list[str]
    voice: str
    output_audio_format: str
    text: str
    audio: np.ndarray | None  # int16 at 24 kHz; None for text-only output
    usage: dict


def _response_object(plan: ResponsePlan, status: str, output: list) -> dict:
    return {
        "id": plan.response_id,
        "object": "realtime.response",
        "conversation_id": plan.conversation_id,
        "status": status,
        "modalities": list(plan.modalities),
        "voice": plan.voice,
        "output_audio_format": plan.output_audio_format,
        "output": output,
    }


def _item(plan: ResponsePlan, status: str, content: list) -> dict:
    return {
        "id": plan.item_id,
        "object": "realtime.item",
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": content,
    }


def _stream_steps(text: str, n_samples: int) -> list[tuple[str, str, int, int]]:
    """(confirmed text, stash, first sample, end sample) for each streamed step."""
    units = split_units(text)
    steps = max(1, math.ceil(len(units) / UNITS_PER_STEP))
    result = []
    for k in range(1, steps + 1):
        confirmed = "".join(units[: (k - 1) * UNITS_PER_STEP])
        stash = "".join(units[(k - 1) * UNITS_PER_STEP : k * UNITS_PER_STEP])
        result.append((confirmed, stash, n_samples * (k - 1) // steps, n_samples * k // steps))
    return result


def _audio_deltas(audio: np.ndarray, start: int, end: int) -> list[str]:
    chunks = []
    for first in range(start, end, AUDIO_DELTA_SAMPLES):
        piece = audio[first : min(end, first + AUDIO_DELTA_SAMPLES)]
        chunks.append(base64.b64encode(piece.astype("<i2").tobytes()).decode("ascii"))
    return chunks


def response_events(dialect: Dialect, plan: ResponsePlan) -> list[dict]:
    """All events of a completed response for `plan`, in wire order."""
    has_audio = plan.audio is not None
    part_type = "audio" if has_audio else "text"
    where = {"response_id": plan.response_id, "item_id": plan.item_id, "output_index": 0, "content_index": 0}
    events: list[dict] = [
        {"type": "response.created", "response": _response_object(plan, "in_progress", [])},
        {"type": "response.output_item.added", "response_id": plan.response_id, "output_index": 0,
         "item": _item(plan, "in_progress", [])},
        {"type": "conversation.item.created", "previous_item_id": plan.previous_item_id,
         "item": _item(plan, "in_progress", [])},
        {"type": "response.content_part.added", **where, "part": {"type": part_type, "text": ""}},
    ]
    stream_type = dialect.transcript_stream if has_audio else dialect.text_stream
    n_samples = len(plan.audio) if has_audio else 0
    for confirmed, stash, first, end in _stream_steps(plan.text, n_samples):
        events.append({"type": stream_type, **where, "text": confirmed, "stash": stash})
        if has_audio:
            events += [{"type": "response.audio.delta", **where, "delta": d}
                       for d in _audio_deltas(plan.audio, first, end)]
    events.append({"type": stream_type, **where, "text": plan.text, "stash": ""})
    if has_audio:
        events.append({"type": "response.audio_transcript.done", **where, "transcript": plan.text})
        events.append({"type": "response.audio.done", **where})
    else:
        events.append({"type": "response.text.done", **where, "text": plan.text})
    # Doc quirk kept (examples/SOURCES.md): parts and output_item.done carry `text` even for
    # audio parts, while response.done uses `transcript` for them.
    events.append({"type": "response.content_part.done", **where, "part": {"type": part_type, "text": plan.text}})
    events.append({"type": "response.output_item.done", "response_id": plan.response_id, "output_index": 0,
                   "item": _item(plan, "completed", [{"type": part_type, "text": plan.text}])})
    final_content = {"type": "audio", "transcript": plan.text} if has_audio else {"type": "text", "text": plan.text}
    done = _response_object(plan, "completed", [_item(plan, "completed", [final_content])])
    done["usage"] = plan.usage
    events.append({"type": "response.done", "response": done})
    return events
