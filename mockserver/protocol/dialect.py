"""How a family's events are named and shaped where the families differ (docs/protocol/events.md §5)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Dialect"]


@dataclass(frozen=True, kw_only=True)
class Dialect:
    """Event names and field shapes that differ between families (docs/protocol/events.md §5)."""

    client_events: tuple[str, ...]  # the client event types this family accepts
    text_stream: str = ""  # streaming assistant text, text-only output
    transcript_stream: str = ""  # streaming assistant text, audio output
    user_transcript_stream: str = ""  # live source-speech transcript
    stream_has_stash: bool = False  # `text`+`stash` (LiveTranslate, ASR) vs `delta` (Omni)
    error_has_event_id: bool = False  # error.event_id (ASR pages; Omni: the v2 SDK relies on it)
    committed_fields: tuple[str, ...] = ()  # committed event fields (docs/protocol/events.md §5)
    item_created_has_previous_id: bool = False  # conversation.item.created has previous_item_id
    user_stream_has_obfuscation: bool = False  # Omni's transcription.delta carries `obfuscation`
