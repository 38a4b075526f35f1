"""ASR `session.update` rules and the session object it echoes (events.md §3.2).

Same contract as :mod:`mockserver.config`: the new configuration, or ProtocolError naming the
offending ``param``. ASR is text-only: ``voice`` and ``output_audio_format`` (which the official
SDK always sends) are accepted and ignored, and ``modalities`` is always echoed as ``["text"]``.
"""

from __future__ import annotations

import copy
from typing import Any

from .behaviour import Behaviour
from .errors import ProtocolError
from .registry import ModelSpec
from .usage import text_tokens
from .validation import (
    check_enum,
    check_format,
    check_modalities,
    check_sample_rate,
    check_turn_detection,
    require_object,
)

__all__ = ["MAX_CORPUS_TOKENS", "apply_update", "render_session"]

MAX_CORPUS_TOKENS = 10_000  # events.md §1.9: corpus.text ≤ 10,000 tokens


def _corpus(value: Any) -> dict | None:
    if value is None:
        return None
    param = "session.input_audio_transcription.corpus"
    value = require_object(value, param)
    text = value.get("text")
    if text is None:
        return {}
    if not isinstance(text, str):
        raise ProtocolError(
            "invalid_type", f"Invalid type for '{param}.text': expected a string.", param + ".text"
        )
    tokens = text_tokens(text)
    if tokens > MAX_CORPUS_TOKENS:
        raise ProtocolError(
            "invalid_value",
            f"'{param}.text' is too long: about {tokens} tokens; the limit is {MAX_CORPUS_TOKENS}.",
            param + ".text",
        )
    return {"text": text}


def _transcription(spec: ModelSpec, current: Any, value: Any) -> dict | None:
    if value is None:
        return None
    value = require_object(value, "session.input_audio_transcription")
    result = dict(current or {})
    if value.get("model") is not None:
        check_enum(
            value["model"], "session.input_audio_transcription.model", spec.transcription_models
        )
    if "language" in value:
        if value["language"] is None:
            result.pop("language", None)  # auto-detect
        else:
            result["language"] = check_enum(
                value["language"],
                "session.input_audio_transcription.language",
                spec.source_languages,
            )
    if "corpus" in value:
        corpus = _corpus(value["corpus"])
        if corpus:
            result["corpus"] = corpus
        else:
            result.pop("corpus", None)
    return result


def apply_update(spec: ModelSpec, current: dict, update: Any, behaviour: Behaviour) -> dict:
    """The configuration after `update`, or ProtocolError; `current` is never modified."""
    update = require_object(update, "session")
    config = copy.deepcopy(current)
    if "modalities" in update:
        check_modalities(update["modalities"])  # validated, but ASR only ever outputs text
    if "input_audio_format" in update:
        config["input_audio_format"] = check_format(
            spec, behaviour, update["input_audio_format"], "input"
        )
    if update.get("output_audio_format") is not None:
        check_format(spec, behaviour, update["output_audio_format"], "output")
    if "sample_rate" in update:
        config["sample_rate"] = check_sample_rate(spec, update["sample_rate"])
    if "input_audio_transcription" in update:
        config["input_audio_transcription"] = _transcription(
            spec, config["input_audio_transcription"], update["input_audio_transcription"]
        )
    if "turn_detection" in update:
        config["turn_detection"] = check_turn_detection(
            config["turn_detection"],
            update["turn_detection"],
            spec.defaults["turn_detection"],
            type_required=True,
        )
    config["_explicit"] = sorted(set(config.get("_explicit", ())) | set(update))
    return config


def render_session(spec: ModelSpec, config: dict, session_id: str, model_id: str) -> dict:
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
    session["input_audio_transcription"] = copy.deepcopy(transcription) if transcription else None
    vad = config["turn_detection"]
    # [assumed] manual mode echoes turn_detection: null (OpenAI beta); the VAD object shows the
    # three documented fields only.
    session["turn_detection"] = (
        None
        if vad is None
        else {key: vad[key] for key in ("type", "threshold", "silence_duration_ms")}
    )
    return session
