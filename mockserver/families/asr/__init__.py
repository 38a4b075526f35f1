"""ASR: speech in, live and final transcripts out, no responses (docs/protocol/events.md §3, docs/protocol/sequences.md §2).

:data:`FAMILY` is the family's one record; :mod:`dashscope_realtime_mock.families` registers it.
"""

from __future__ import annotations

from ...session.family import Dialect, Family
from .models import MODELS
from .rules import RULES
from .session import AsrSession

__all__ = ["DIALECT", "FAMILY", "AsrSession"]

DIALECT = Dialect(
    # docs/protocol/events.md §3.1: no clear, no responses, no images.
    client_events=(
        "session.update",
        "input_audio_buffer.append",
        "input_audio_buffer.commit",
        "session.finish",
    ),
    user_transcript_stream="conversation.item.input_audio_transcription.text",
    stream_has_stash=True,
    error_has_event_id=True,
    committed_fields=("previous_item_id", "item_id"),
    item_created_has_previous_id=True,
    user_stream_has_obfuscation=False,
)

FAMILY = Family(
    name="asr",
    summary="speech recognition: live and final transcripts",
    session_class=AsrSession,
    rules=RULES,
    dialect=DIALECT,
    models=MODELS,
)
