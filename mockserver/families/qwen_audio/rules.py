"""Qwen-Audio `session.update` rules and the session object it echoes (docs/protocol/qwen-audio.md §3).

The schema (`session_config.qwen_audio.json`) has checked shapes, types, the formats, the
`max_history_turns` range [1, 50] and the `turn_detection` ranges and types (`server_vad`,
`smart_turn`). What is left: the legacy format strings the SDK sends, the voice (a system voice of the model or a cloned voice made for
it), duplicate tool names, and merging `turn_detection`. What the first update alone may set
(voice, voiceprints) and what is frozen once audio flowed (turn mode, input format) is the
session's to decide: these rules see one update at a time.
"""

from __future__ import annotations

from typing import Any

from ...protocol import wording
from ...protocol.behaviour import Behaviour
from ...protocol.rules import apply_formats, copy_json
from ..omni.rules import check_tools, copy_config
from .models import QwenAudioModel

__all__ = ["RULES", "QwenAudioRules", "allowed_voices", "check_voice"]

# The turn_detection settings kept (docs/protocol/qwen-audio.md §3); threshold and
# silence_duration_ms are documented for server_vad and ignored by smart_turn, but echoed.
_TURN_SETTINGS = ("threshold", "silence_duration_ms", "voiceprint_audio_urls")


def allowed_voices(model: QwenAudioModel, behaviour: Behaviour) -> tuple[str, ...]:
    """The system voices this model takes, documented first (Behaviour.qwen_audio_probed_voices)."""
    if behaviour.qwen_audio_probed_voices:
        return model.voices + model.probed_voices
    return model.voices


def check_voice(model: QwenAudioModel, behaviour: Behaviour, voice: str, param: str) -> str:
    """`voice` if this model speaks in it (a system voice or a cloned one), else the error."""
    if voice in allowed_voices(model, behaviour) or model.is_cloned_voice(voice):
        return voice
    # docs/protocol/qwen-audio.md §3.1 [3p]: the error lists the valid voices.
    raise wording.invalid_value(param, voice, allowed_voices(model, behaviour))


def _turn_detection(
    current: dict[str, Any] | None, value: dict[str, Any] | None, defaults: dict[str, Any]
) -> dict[str, Any] | None:
    """null → push-to-talk; an object → server_vad or smart_turn, merged over what was set."""
    if value is None:
        return None
    result = dict(current or defaults)
    result["type"] = value.get("type", result.get("type", "server_vad"))
    result.update({k: value[k] for k in _TURN_SETTINGS if k in value})
    if result["type"] != "smart_turn":
        result.pop(
            "voiceprint_audio_urls", None
        )  # smart_turn only (docs/protocol/qwen-audio.md §3)
    return result


class QwenAudioRules:
    """The ConfigRules of the Qwen-Audio family."""

    def apply_update(
        self,
        model: QwenAudioModel,
        current: dict[str, Any],
        update: dict[str, Any],
        behaviour: Behaviour,
    ) -> dict[str, Any]:
        config = copy_config(current)
        if "modalities" in update:
            config["modalities"] = list(update["modalities"])
        if update.get("voice") is not None:
            config["voice"] = check_voice(model, behaviour, update["voice"], "session.voice")
        apply_formats(model, behaviour, config, update)
        for key in ("instructions", "enable_speech_emotion", "max_history_turns"):
            if key in update:
                config[key] = update[key]
        # input_audio_transcription (the SDK sends it) is not settable: fun-asr always transcribes
        # (docs/protocol/qwen-audio.md §3), so the value is accepted and the echo stays.
        if "turn_detection" in update:
            config["turn_detection"] = _turn_detection(
                config["turn_detection"], update["turn_detection"], model.defaults["turn_detection"]
            )
        if "tools" in update:
            config["tools"] = [] if update["tools"] is None else check_tools(update["tools"])
        return config

    def render(
        self,
        model: QwenAudioModel,
        config: dict[str, Any],
        session_id: str,
        model_id: str,
        *,
        updated: bool,
    ) -> dict[str, Any]:
        """`session.created` / `session.updated`: the fields the documented examples echo
        (docs/protocol/qwen-audio.md §3: no instructions, formats, tools or history turns)."""
        turn_detection = config["turn_detection"]
        if turn_detection is not None:
            turn_detection = {
                key: turn_detection[key]
                for key in ("type", "threshold", "silence_duration_ms")
                if key in turn_detection
            }
        return {
            "id": session_id,
            "object": "realtime.session",
            "model": model_id,
            "modalities": list(config["modalities"]),
            "voice": config["voice"],
            "input_audio_transcription": copy_json(config["input_audio_transcription"]),
            "turn_detection": turn_detection,
        }


RULES = QwenAudioRules()
