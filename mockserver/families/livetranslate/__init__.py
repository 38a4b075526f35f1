"""LiveTranslate: speech in, translated text and speech out (docs/protocol/events.md §2, docs/protocol/sequences.md §1).

:data:`FAMILY` is the family's one record; :mod:`dashscope_realtime_mock.families` registers it.
"""

from __future__ import annotations

from ...session.family import Dialect, Family
from .models import MODELS
from .rules import RULES
from .session import LiveTranslateSession

__all__ = ["DIALECT", "FAMILY", "LiveTranslateSession"]

DIALECT = Dialect(
    # docs/protocol/events.md §2.1 (G2 adds commit and clear); no response.create/cancel, no item.create.
    client_events=(
        "session.update",
        "input_audio_buffer.append",
        "input_audio_buffer.commit",
        "input_audio_buffer.clear",
        "input_image_buffer.append",
        "session.finish",
    ),
    text_stream="response.text.text",
    transcript_stream="response.audio_transcript.text",
    user_transcript_stream="conversation.item.input_audio_transcription.text",
    stream_has_stash=True,
    error_has_event_id=False,
    committed_fields=(),
    item_created_has_previous_id=True,
    user_stream_has_obfuscation=False,
)

FAMILY = Family(
    name="livetranslate",
    summary="speech translation: transcript, translated text and speech",
    session_class=LiveTranslateSession,
    rules=RULES,
    dialect=DIALECT,
    models=MODELS,
)
