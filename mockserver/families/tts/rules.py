"""TTS `session.update` rules and the session object it echoes (docs/protocol/tts.md §4).

The schema (`session_config.tts.json`) has checked types, enums and ranges, for the union of the
models. What is left is per model: the voices it speaks, and the formats and rates
qwen-tts-realtime limits to `pcm` / 24000. Tuning fields a model does not support (`volume`,
`speech_rate`, `pitch_rate`, `bit_rate` on qwen-tts-realtime, `instructions` on the non-instruct
models) are accepted and ignored (§4.1: a client sends them to every model), as are `enable_tn`
and keys the mock does not know (the SDK passes arbitrary keyword arguments on, §10).
"""

from __future__ import annotations

from typing import Any

from ...protocol.behaviour import Behaviour
from ...protocol.errors import ProtocolError
from ...protocol.rules import check_member, copy_json
from .models import TtsModel

__all__ = ["RULES", "TtsRules", "voice_error"]

_FORMATS = ("response_format", "sample_rate")
_TUNING = ("volume", "speech_rate", "pitch_rate", "bit_rate")
_INSTRUCT = ("instructions", "optimize_instructions")
_ALWAYS = ("voice", "mode", "language_type")


def voice_error(model: TtsModel, voice: str) -> ProtocolError | None:
    """The error for a voice this model cannot speak, or None (docs/protocol/tts.md §7)."""
    if voice in model.voices:
        return None
    if model.custom_voice_prefix and voice.startswith(model.custom_voice_prefix):
        return None
    # §7.4: no TTS example; the wording of the Omni family's voice error.
    return ProtocolError("invalid_value", f"Voice '{voice}' is not supported.", "session.voice")


class TtsRules:
    """The ConfigRules of the TTS family."""

    def apply_update(
        self, model: TtsModel, current: dict[str, Any], update: dict[str, Any], behaviour: Behaviour
    ) -> dict[str, Any]:
        config = copy_json(current)
        if "voice" in update and (error := voice_error(model, update["voice"])) is not None:
            raise error
        if "response_format" in update:
            check_member(
                update["response_format"], "session.response_format", model.response_formats
            )
        if "sample_rate" in update:
            check_member(update["sample_rate"], "session.sample_rate", model.sample_rates)
        kept = (
            _ALWAYS
            + _FORMATS
            + (_TUNING if model.tuning else ())
            + (_INSTRUCT if model.instruct else ())
        )
        config.update({key: update[key] for key in kept if key in update})
        return config

    def render(
        self,
        model: TtsModel,
        config: dict[str, Any],
        session_id: str,
        model_id: str,
        *,
        updated: bool,
    ) -> dict[str, Any]:
        """`session` of `session.created` / `session.updated`, in the documented key order (§4.2)."""
        if not updated:
            return {
                "object": "realtime.session",
                "mode": config["mode"],
                "model": model_id,
                "voice": config["voice"],
                "response_format": config["response_format"],
                "sample_rate": config["sample_rate"],
                "id": session_id,
            }
        # §4.2: the tuning fields are not echoed (no example or recording shows them).
        return {
            "id": session_id,
            "object": "realtime.session",
            "model": model_id,
            "voice": config["voice"],
            "language_type": config["language_type"],
            "mode": config["mode"],
            "response_format": config["response_format"],
            "sample_rate": config["sample_rate"],
        }


RULES = TtsRules()
