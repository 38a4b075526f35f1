"""LiveTranslate `session.update` rules and the session object it echoes (docs/protocol/events.md §2.2).

The schema (`session_config.livetranslate.json`) has checked shapes, types, enums and ranges;
what is left is per model (voices, languages, format strings), across fields (voice cloning,
a text-only target with audio output) and the merge. Fields the family does not know are
ignored and not echoed.

What the official SDK sends is accepted even where the docs are narrower: ``voice: null`` keeps
the current voice, ``input_audio_transcription: {"model": null}`` switches source transcription
off (the documented meaning of a null model), ``pcm16`` is accepted for output as well.
"""

from __future__ import annotations

from typing import Any

from ...protocol import wording
from ...protocol.behaviour import Behaviour
from ...protocol.rules import apply_formats, check_member, copy_json, merge_turn_detection
from ...session.audio_config import apply_audio_settings, render_audio_object
from .models import LiveTranslateModel

__all__ = ["RULES", "LiveTranslateRules", "audio_output_enabled"]


def audio_output_enabled(config: dict[str, Any]) -> bool:
    """Whether translations are spoken as well as written."""
    return "audio" in config["modalities"]


def _transcription(
    model: LiveTranslateModel, current: Any, value: dict[str, Any] | None
) -> dict[str, Any] | None:
    if value is None:
        return None
    result = dict(current or {})
    # A null field switches it off (model: transcription off; language: auto-detect).
    for key, allowed in (
        ("model", model.transcription_models),
        ("language", model.source_languages),
    ):
        if key not in value:
            continue
        if value[key] is None:
            result.pop(key, None)
        else:
            result[key] = check_member(
                value[key], f"session.input_audio_transcription.{key}", allowed
            )
    return result


def _translation(
    model: LiveTranslateModel, current: dict[str, Any], value: dict[str, Any]
) -> dict[str, Any]:
    result = copy_json(current)
    if value.get("language") is not None:
        result["language"] = check_member(
            value["language"], "session.translation.language", model.target_languages
        )
    for key in ("corpus", "same_language_skip_options"):
        if key in value and value[key] is None:
            result.pop(key, None)
    if value.get("corpus") is not None:
        result["corpus"] = {"phrases": dict(value["corpus"].get("phrases") or {})}
    options = value.get("same_language_skip_options")
    if options is not None:
        result["same_language_skip_options"] = {
            key: options[key] for key in ("skip_text", "skip_audio") if key in options
        }
    return result


def _check_voice(model: LiveTranslateModel, config: dict[str, Any], behaviour: Behaviour) -> None:
    """Voice rules, checked on the resulting config because cloning options change them."""
    voice = config["voice"]
    frequency = (config.get("voice_clone_options") or {}).get("frequency")
    cloning = config.get("enable_voice_clone") is True
    if cloning and frequency in ("once", "always"):
        # docs/protocol/events.md §2.2: with once/always the voice must be `default`; a preset voice → error.
        if voice != "default":
            raise wording.not_allowed(
                "session.voice",
                f"Voice '{voice}' cannot be used with voice_clone_options.frequency "
                f"'{frequency}'; set voice to 'default'.",
            )
        return
    if cloning and frequency == "never" and voice:
        return  # a pre-cloned voice id (any string) or a preset
    extra = model.example_voices if behaviour.example_voices else ()
    check_member(voice, "session.voice", model.voices + extra)


def _check_audio_target(model: LiveTranslateModel, config: dict[str, Any]) -> None:
    # [assumed, docs/protocol/events.md §2.5, third-party report] a text-only target language with audio
    # output is rejected at session.update.
    language = config["translation"]["language"]
    if audio_output_enabled(config) and language not in model.audio_target_languages:
        raise wording.not_allowed(
            "session.translation.language",
            f"Language '{language}' supports text output only; use modalities ['text'].",
        )


class LiveTranslateRules:
    """The ConfigRules of the LiveTranslate family."""

    def apply_update(
        self,
        model: LiveTranslateModel,
        current: dict[str, Any],
        update: dict[str, Any],
        behaviour: Behaviour,
    ) -> dict[str, Any]:
        config = copy_json(current)
        explicit = set(config.get("_explicit", ()))
        if "modalities" in update:
            config["modalities"] = list(update["modalities"])
        if update.get("voice") is not None:
            config["voice"] = update["voice"]
        apply_formats(model, behaviour, config, update)
        apply_audio_settings(model, config, update)
        if "input_audio_transcription" in update:
            config["input_audio_transcription"] = _transcription(
                model, config["input_audio_transcription"], update["input_audio_transcription"]
            )
        if "turn_detection" in update:
            config["turn_detection"] = merge_turn_detection(
                config["turn_detection"], update["turn_detection"], model.defaults["turn_detection"]
            )
        if update.get("translation") is not None:
            config["translation"] = _translation(
                model, config["translation"], update["translation"]
            )
        if "enable_voice_clone" in update:
            config["enable_voice_clone"] = update["enable_voice_clone"]
        if update.get("voice_clone_options") is not None:
            config["voice_clone_options"] = {
                "frequency": update["voice_clone_options"].get("frequency")
            }
        _check_voice(model, config, behaviour)
        _check_audio_target(model, config)
        config["_explicit"] = sorted(explicit | set(update))
        return config

    def render(
        self,
        model: LiveTranslateModel,
        config: dict[str, Any],
        session_id: str,
        model_id: str,
        *,
        updated: bool,
    ) -> dict[str, Any]:
        """The full resulting config (session.created and session.updated alike)."""
        echoed = set(model.echoed_by_default) | set(config.get("_explicit", ()))
        session: dict[str, Any] = {
            "id": session_id,
            "object": "realtime.session",
            "model": model_id,
            "modalities": list(config["modalities"]),
            "voice": config["voice"],
        }
        if "sample_rate" in echoed:
            session["sample_rate"] = config["sample_rate"]
        session["input_audio_format"] = config["input_audio_format"]
        session["output_audio_format"] = config["output_audio_format"]
        transcription = config["input_audio_transcription"]
        if transcription:
            # G2: "returned in session.created only when a model is configured"; whatever the
            # client set (a language alone on qwen3) is applied, so it is echoed too.
            session["input_audio_transcription"] = dict(transcription)
        if config["turn_detection"] is not None and "turn_detection" in echoed:
            session["turn_detection"] = dict(config["turn_detection"])
        session["translation"] = copy_json(config["translation"])
        if config.get("enable_voice_clone"):
            session["enable_voice_clone"] = True
            if config.get("voice_clone_options"):
                session["voice_clone_options"] = dict(config["voice_clone_options"])
        if (audio := render_audio_object(config)) is not None:
            session["audio"] = audio
        return session


RULES = LiveTranslateRules()
