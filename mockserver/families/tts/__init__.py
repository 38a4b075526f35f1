"""Qwen-TTS Realtime: text in, speech out, on the realtime endpoint (docs/protocol/tts.md).

:data:`FAMILY` is the family's one record; :mod:`dashscope_realtime_mock.families` registers it.
It takes no audio, so its session subclasses the core
:class:`~dashscope_realtime_mock.session.base.Session` directly.
"""

from __future__ import annotations

from ...session.family import Dialect, Family
from .models import MODELS
from .rules import RULES
from .session import TtsSession

__all__ = ["DIALECT", "FAMILY", "TtsSession"]

DIALECT = Dialect(
    # docs/protocol/tts.md §3: response.cancel is not in the TTS pages, but the SDK sends it.
    client_events=(
        "session.update",
        "input_text_buffer.append",
        "input_text_buffer.commit",
        "input_text_buffer.clear",
        "response.cancel",
        "session.finish",
    ),
)

FAMILY = Family(
    name="tts",
    summary="speech synthesis: text in, speech out (Qwen-TTS Realtime)",
    session_class=TtsSession,
    rules=RULES,
    dialect=DIALECT,
    models=MODELS,
)
