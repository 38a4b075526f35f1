"""Omni: a voice assistant with tools (docs/protocol/events.md §4, docs/protocol/sequences.md §3).

:data:`FAMILY` is the family's one record; :mod:`dashscope_realtime_mock.families` registers it.
"""

from __future__ import annotations

from ...session.family import Dialect, Family
from .models import MODELS
from .next_models import NEXT_MODELS
from .next_rules import FAMILY_RULES
from .next_session import OmniFamilySession
from .session import OmniSession

__all__ = ["DIALECT", "FAMILY", "OmniSession"]

DIALECT = Dialect(
    # docs/protocol/events.md §4.1; session.finish is contested (§7.4, Behaviour.omni_session_finish).
    client_events=(
        "session.update",
        "input_audio_buffer.append",
        "input_audio_buffer.commit",
        "input_audio_buffer.clear",
        "input_image_buffer.append",
        "response.create",
        "response.cancel",
        "conversation.item.create",
        "session.finish",
    ),
    text_stream="response.text.delta",
    transcript_stream="response.audio_transcript.delta",
    user_transcript_stream="conversation.item.input_audio_transcription.delta",
    stream_has_stash=False,
    # [sdk] the v2 SDK matches error.event_id against its pending response.create ids, so the
    # mock sends it for Omni too (the Omni examples omit it; nothing says it is absent).
    error_has_event_id=True,
    committed_fields=("item_id",),
    item_created_has_previous_id=False,  # the Omni examples show none
    user_stream_has_obfuscation=True,
)

FAMILY = Family(
    name="omni",
    summary="voice assistant: answers in text and speech, with tools",
    session_class=OmniFamilySession,
    rules=FAMILY_RULES,
    dialect=DIALECT,
    models=MODELS + NEXT_MODELS,
)
