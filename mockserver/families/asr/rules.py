"""ASR `session.update` rules and the session object it echoes (docs/protocol/events.md §3.2).

The schema (`session_config.asr.json`) has checked shapes, types, the language list and ranges
(`turn_detection.type` is required there). What is left: per-model format strings, the
transcription model, the corpus length in tokens, and the merge. ASR is text-only: ``voice`` and
``output_audio_format`` (which the official SDK always sends) are accepted and ignored, and
``modalities`` is always echoed as ``["text"]``.
"""

from __future__ import annotations

from typing import Any

from ...protocol import wording
from ...protocol.behaviour import Behaviour, TranscriptionModelError
from ...protocol.rules import check_input_format, copy_json, merge_turn_detection
from ...protocol.text import text_tokens
from ...session.audio_config import apply_audio_settings, render_audio_object
from .models import AsrModel

__all__ = ["RULES", "AsrRules"]

_CORPUS = "session.input_audio_transcription.corpus"


def _corpus(model: AsrModel, value: dict[str, Any] | None) -> dict[str, Any] | None:
    text = (value or {}).get("text")
    if text is None:
        return None
    tokens = text_tokens(text)
    if tokens > model.max_corpus_tokens:
        raise wording.not_allowed(
            f"{_CORPUS}.text",
            f"'{_CORPUS}.text' is too long: about {tokens} tokens; the limit is "
            f"{model.max_corpus_tokens}.",
        )
    return {"text": text}


def _transcription_model(model: AsrModel, name: str, behaviour: Behaviour) -> None:
    """A transcription model name this model takes, else the error
    (Behaviour.asr_transcription_model_error decides what it lists)."""
    listed = model.transcription_models
    if behaviour.asr_transcription_model_error is TranscriptionModelError.DOCUMENTED:
        listed = model.documented_transcription_models or listed
    if name not in (*model.transcription_models, *listed):
        raise wording.invalid_value("session.input_audio_transcription.model", name, listed)


def _transcription(
    model: AsrModel, current: Any, value: dict[str, Any] | None, behaviour: Behaviour
) -> dict[str, Any] | None:
    if value is None:
        return None
    result = dict(current or {})
    if value.get("model") is not None:
        _transcription_model(model, value["model"], behaviour)
    if "language" in value:
        if value["language"] is None:
            result.pop("language", None)  # auto-detect
        else:
            result["language"] = value["language"]
    if "corpus" in value:
        corpus = _corpus(model, value["corpus"])
        if corpus:
            result["corpus"] = corpus
        else:
            result.pop("corpus", None)
    return result


class AsrRules:
    """The ConfigRules of the ASR family."""

    def apply_update(
        self, model: AsrModel, current: dict[str, Any], update: dict[str, Any], behaviour: Behaviour
    ) -> dict[str, Any]:
        config = copy_json(current)
        if "input_audio_format" in update:
            config["input_audio_format"] = check_input_format(
                model, behaviour, update["input_audio_format"]
            )
        apply_audio_settings(model, config, update)
        if "input_audio_transcription" in update:
            config["input_audio_transcription"] = _transcription(
                model,
                config["input_audio_transcription"],
                update["input_audio_transcription"],
                behaviour,
            )
        if "turn_detection" in update:
            config["turn_detection"] = merge_turn_detection(
                config["turn_detection"], update["turn_detection"], model.defaults["turn_detection"]
            )
        config["_explicit"] = sorted(set(config.get("_explicit", ())) | set(update))
        return config

    def render(
        self,
        model: AsrModel,
        config: dict[str, Any],
        session_id: str,
        model_id: str,
        *,
        updated: bool,
    ) -> dict[str, Any]:
        """`session` of `session.created`/`updated` (session.created.qianwen.json's fields)."""
        session: dict[str, Any] = {
            "id": session_id,
            "object": "realtime.session",
            "model": model_id,
            "modalities": ["text"],
            "input_audio_format": config["input_audio_format"],
        }
        if "sample_rate" in config.get("_explicit", ()):
            session["sample_rate"] = config["sample_rate"]
        transcription = config["input_audio_transcription"]
        session["input_audio_transcription"] = copy_json(transcription) if transcription else None
        vad = config["turn_detection"]
        # [assumed] manual mode echoes turn_detection: null (OpenAI beta); the VAD object shows
        # the three documented fields only.
        session["turn_detection"] = (
            None
            if vad is None
            else {key: vad[key] for key in ("type", "threshold", "silence_duration_ms")}
        )
        if (audio := render_audio_object(config)) is not None:
            session["audio"] = audio
        return session


RULES = AsrRules()
