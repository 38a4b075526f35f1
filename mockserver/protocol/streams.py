"""Which server events stream a response's text: one set, read by the responses, the pacer, the
fault injector and the reference client.

Each family streams its assistant text in its own event names (docs/protocol/events.md §5):
LiveTranslate `response.text.text` / `response.audio_transcript.text` (with `text` and `stash`),
Omni `response.text.delta` / `response.audio_transcript.delta`.
"""

from __future__ import annotations

__all__ = ["TEXT_STREAM_EVENTS"]

# The streamed assistant text of every dialect (LiveTranslate `text`+`stash`, Omni `delta`).
TEXT_STREAM_EVENTS = frozenset(
    {
        "response.text.text",
        "response.audio_transcript.text",
        "response.text.delta",
        "response.audio_transcript.delta",
    }
)
