"""Qwen-Audio: end-to-end voice chat with smart turns, voiceprints and a managed conversation
(docs/protocol/qwen-audio.md).

:data:`FAMILY` is the family's one record; :mod:`dashscope_realtime_mock.families` registers it.
The session builds on Omni's (:class:`~.session.QwenAudioSession` subclasses
:class:`~..omni.session.OmniSession`); the models, rules and dialect are its own.
"""

from __future__ import annotations

from ...session.family import Dialect, Family
from .models import MODELS
from .rules import RULES
from .session import QwenAudioSession

__all__ = ["DIALECT", "FAMILY", "QwenAudioSession"]

DIALECT = Dialect(
    # docs/protocol/qwen-audio.md §2: no session.finish (the client closes the socket);
    # input_image_buffer.append is silently ignored ([3p]).
    client_events=(
        "session.update",
        "input_audio_buffer.append",
        "input_audio_buffer.commit",
        "input_audio_buffer.clear",
        "input_image_buffer.append",
        "conversation.item.create",
        "conversation.item.retrieve",
        "conversation.item.delete",
        "response.create",
        "response.cancel",
    ),
    text_stream="response.text.delta",
    transcript_stream="response.audio_transcript.delta",
    user_transcript_stream="conversation.item.input_audio_transcription.delta",
    stream_has_stash=False,
    # As for Omni: the v2 SDK matches error.event_id against its pending response.create ids.
    error_has_event_id=True,
    # docs/protocol/qwen-audio.md §4: committed and item.created carry previous_item_id.
    committed_fields=("previous_item_id", "item_id"),
    item_created_has_previous_id=True,
    user_stream_has_obfuscation=False,  # the example shows text and stash only
)

FAMILY = Family(
    name="qwen_audio",
    summary="Qwen-Audio voice chat: smart turns, voiceprints, conversation items",
    session_class=QwenAudioSession,
    rules=RULES,
    dialect=DIALECT,
    models=MODELS,
)
