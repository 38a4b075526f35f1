"""`session.update` validation and the session object echoed in `session.created`/`updated`.

Call :func:`apply_update` with the current configuration and the client's ``session`` object; it
returns the new configuration or raises :class:`~mockserver.errors.ProtocolError` naming the
offending ``param`` — and then the old configuration stays (events.md §1.6). Rules are
LiveTranslate's (events.md §2.2); the other families have theirs in `asr_config` and
`omni_config`, built from the same checks (`validation`). Fields the family does not know are ignored and not echoed.

What the official SDK sends is accepted even where the docs are narrower: ``voice: null`` keeps
the current voice, ``input_audio_transcription: {"model": null}`` switches source transcription
off (the documented meaning of a null model), ``pcm16`` is accepted for output as well.
"""

from __future__ import annotations

import copy
from typing import Any

from .behaviour import Behaviour
from .errors import ProtocolError
from .registry import ModelSpec
from .validation import (
    apply_formats,
    check_bool,
    check_enum,
    check_modalities,
    check_sample_rate,
    check_turn_detection,
    invalid,
    require_object,
)

__all__ = ["SessionConfig", "apply_update", "audio_output_enabled", "render_session"]

SessionConfig = (
    dict  # the wire-shaped configuration, plus the "_explicit" set of keys the client set
)


def _transcription(spec: ModelSpec, current: Any, value: Any) -> dict | None:
    if value is None:
        return None
    value = require_object(value, "session.input_audio_transcription")
    result = dict(current or {})
    # A null field switches it off (model: transcription off; language: auto-detect).
    for key, allowed in (("model", spec.transcription_models), ("language", spec.source_languages)):
        if key not in value:
            continue
        if value[key] is None:
            result.pop(key, None)
        else:
            result[key] = check_enum(
                value[key], f"session.input_audio_transcription.{key}", allowed
            )
    return result


def _translation(spec: ModelSpec, current: dict, value: Any) -> dict:
    value = require_object(value, "session.translation")
    result = copy.deepcopy(current)
    if value.get("language") is not None:
        result["language"] = check_enum(
            value["language"], "session.translation.language", spec.target_languages
        )
    if "corpus" in value:
        corpus = value["corpus"]
        if corpus is None:
            result.pop("corpus", None)
        else:
            phrases = require_object(corpus, "session.translation.corpus").get("phrases")
            if phrases is not None:
                phrases = require_object(phrases, "session.translation.corpus.phrases")
                if not all(isinstance(k, str) and isinstance(v, str) for k, v in phrases.items()):
                    raise ProtocolError(
                        "invalid_type",
                        "Invalid type for 'session.translation.corpus.phrases': "
                        "expected a map of strings to strings.",
                        "session.translation.corpus.phrases",
                    )
            result["corpus"] = {"phrases": dict(phrases or {})}
    if "same_language_skip_options" in value:
        options = value["same_language_skip_options"]
        if options is None:
            result.pop("same_language_skip_options", None)
        else:
            options = require_object(options, "session.translation.same_language_skip_options")
            p = "session.translation.same_language_skip_options."
            result["same_language_skip_options"] = {
                key: check_bool(options[key], p + key)
                for key in ("skip_text", "skip_audio")
                if key in options
            }
    return result


def _check_voice(spec: ModelSpec, config: dict) -> None:
    """Voice rules, checked on the resulting config because cloning options change them."""
    voice = config["voice"]
    frequency = (config.get("voice_clone_options") or {}).get("frequency")
    cloning = config.get("enable_voice_clone") is True
    if not isinstance(voice, str) or not voice:
        raise invalid("session.voice", f"Voice '{voice}' is not supported.")
    if cloning and frequency in ("once", "always"):
        # events.md §2.2: with once/always the voice must be `default`; a preset voice → error.
        if voice != "default":
            raise invalid(
                "session.voice",
                f"Voice '{voice}' cannot be used with voice_clone_options.frequency '{frequency}'; "
                "set voice to 'default'.",
            )
        return
    if cloning and frequency == "never":
        return  # a pre-cloned voice id (any string) or a preset
    if voice not in spec.voices:
        raise invalid("session.voice", f"Voice '{voice}' is not supported.")


def audio_output_enabled(config: dict) -> bool:
    return "audio" in config["modalities"]


def apply_update(
    spec: ModelSpec, current: SessionConfig, update: Any, behaviour: Behaviour
) -> SessionConfig:
    """The configuration after `update`, or ProtocolError; `current` is never modified."""
    update = require_object(update, "session")
    config = copy.deepcopy(current)
    explicit = set(config.get("_explicit", ()))
    if "modalities" in update:
        config["modalities"] = check_modalities(update["modalities"])
    if update.get("voice") is not None:
        config["voice"] = update["voice"]
    apply_formats(spec, behaviour, config, update)
    if "sample_rate" in update:
        config["sample_rate"] = check_sample_rate(spec, update["sample_rate"])
    if "input_audio_transcription" in update:
        config["input_audio_transcription"] = _transcription(
            spec, config["input_audio_transcription"], update["input_audio_transcription"]
        )
    if "turn_detection" in update:
        config["turn_detection"] = check_turn_detection(
            config["turn_detection"], update["turn_detection"], spec.defaults["turn_detection"]
        )
    if "translation" in update and update["translation"] is not None:
        config["translation"] = _translation(spec, config["translation"], update["translation"])
    if "enable_voice_clone" in update:
        config["enable_voice_clone"] = check_bool(
            update["enable_voice_clone"], "session.enable_voice_clone"
        )
    if update.get("voice_clone_options") is not None:
        options = require_object(update["voice_clone_options"], "session.voice_clone_options")
        config["voice_clone_options"] = {
            "frequency": check_enum(
                options.get("frequency"),
                "session.voice_clone_options.frequency",
                ("never", "once", "always"),
            )
        }
    _check_voice(spec, config)
    _check_audio_target(spec, config)
    config["_explicit"] = sorted(explicit | set(update))
    return config


def _check_audio_target(spec: ModelSpec, config: dict) -> None:
    # [assumed, events.md §2.5, third-party report] a text-only target language with audio
    # output is rejected at session.update.
    language = config["translation"]["language"]
    if audio_output_enabled(config) and language not in spec.audio_target_languages:
        raise invalid(
            "session.translation.language",
            f"Language '{language}' supports text output only; use modalities ['text'].",
        )


def render_session(spec: ModelSpec, config: SessionConfig, session_id: str, model_id: str) -> dict:
    """The `session` object of `session.created`/`session.updated`: the full resulting config."""
    explicit = set(config.get("_explicit", ()))
    echoed = set(spec.echoed_by_default) | explicit
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
    if transcription and transcription.get("model"):
        # G2: "returned in session.created only when a model is configured".
        session["input_audio_transcription"] = dict(transcription)
    if config["turn_detection"] is not None and "turn_detection" in echoed:
        session["turn_detection"] = dict(config["turn_detection"])
    session["translation"] = copy.deepcopy(config["translation"])
    if config.get("enable_voice_clone"):
        session["enable_voice_clone"] = True
        if config.get("voice_clone_options"):
            session["voice_clone_options"] = dict(config["voice_clone_options"])
    return session
