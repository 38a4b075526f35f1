"""Omni `session.update` rules and the session object it echoes (events.md §4.2).

Same contract as :mod:`mockserver.config`. Sampling parameters are validated against their
documented ranges and echoed; on qwen-omni-turbo they are fixed, so valid values are accepted and
the fixed ones echoed. ``input_audio_transcription: {"model": null}`` (what the SDK sends when
transcription is enabled without naming a model) means the default model; ``null`` turns it off.
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
    check_range,
    check_turn_detection,
    invalid,
    is_int,
    is_number,
    require_object,
)

__all__ = ["SAMPLING_KEYS", "apply_update", "render_session"]

SAMPLING_KEYS = (
    "temperature",
    "top_p",
    "top_k",
    "max_tokens",
    "repetition_penalty",
    "presence_penalty",
    "seed",
)
_SEED_MAX = 2**31 - 1


def _number(value: Any, param: str) -> float:
    if not is_number(value):
        raise ProtocolError(
            "invalid_type", f"Invalid type for '{param}': expected a number.", param
        )
    return value


def _sampling(spec: ModelSpec, key: str, value: Any) -> Any:
    """One sampling parameter, checked against events.md §4.2."""
    param = f"session.{key}"
    if key == "temperature":
        if not 0 <= _number(value, param) < 2:
            raise invalid(param, f"Invalid value for '{param}': {value}. It must be in [0, 2).")
    elif key == "top_p":
        if not 0 < _number(value, param) <= 1:
            raise invalid(param, f"Invalid value for '{param}': {value}. It must be in (0, 1].")
    elif key == "top_k" and value is not None:  # null (or > 100) disables top-k
        check_range(value, param, 0, float("inf"), True)
    elif key == "max_tokens":
        check_range(value, param, 1, spec.max_output_tokens, True)
    elif key == "repetition_penalty":
        if _number(value, param) <= 0:
            raise invalid(
                param, f"Invalid value for '{param}': {value}. It must be greater than 0."
            )
    elif key == "presence_penalty":
        check_range(value, param, -2.0, 2.0, False)
    elif key == "seed" and (not is_int(value) or not (value == -1 or 0 <= value <= _SEED_MAX)):
        raise invalid(
            param,
            f"Invalid value for '{param}': {value!r}. It must be an integer in [0, {_SEED_MAX}].",
        )
    return value


def _tools(value: Any) -> list[dict]:
    """`tools`: the nested Chat-Completions shape `{type: "function", function: {name, ...}}`."""
    if not isinstance(value, list):
        raise ProtocolError(
            "invalid_type", "Invalid type for 'session.tools': expected an array.", "session.tools"
        )
    names = set()
    for index, tool in enumerate(value):
        param = f"session.tools[{index}]"
        tool = require_object(tool, param)
        check_enum(tool.get("type"), param + ".type", ("function",))
        function = require_object(tool.get("function"), param + ".function")
        name = function.get("name")
        if not isinstance(name, str) or not name:
            raise ProtocolError(
                "missing_required_parameter",
                f"Missing required parameter: '{param}.function.name'.",
                param + ".function.name",
            )
        if name in names:
            raise invalid(param + ".function.name", f"Duplicate tool name '{name}'.")
        names.add(name)
        if "parameters" in function and function["parameters"] is not None:
            require_object(function["parameters"], param + ".function.parameters")
    return copy.deepcopy(value)


def _transcription(spec: ModelSpec, value: Any) -> dict | None:
    if value is None:
        return None
    value = require_object(value, "session.input_audio_transcription")
    model = value.get("model")
    if model is None:
        return copy.deepcopy(spec.defaults["input_audio_transcription"])
    return {
        "model": check_enum(
            model, "session.input_audio_transcription.model", spec.transcription_models
        )
    }


def apply_update(spec: ModelSpec, current: dict, update: Any, behaviour: Behaviour) -> dict:
    """The configuration after `update`, or ProtocolError; `current` is never modified."""
    update = require_object(update, "session")
    config = copy.deepcopy(current)
    if "modalities" in update:
        config["modalities"] = check_modalities(update["modalities"])
    if "voice" in update and update["voice"] is not None:
        if not isinstance(update["voice"], str) or update["voice"] not in spec.voices:
            raise invalid("session.voice", f"Voice '{update['voice']}' is not supported.")
        config["voice"] = update["voice"]
    apply_formats(spec, behaviour, config, update)
    if "instructions" in update:
        if update["instructions"] is not None and not isinstance(update["instructions"], str):
            raise ProtocolError(
                "invalid_type",
                "Invalid type for 'session.instructions': expected a string.",
                "session.instructions",
            )
        config["instructions"] = update["instructions"]
    if "input_audio_transcription" in update:
        config["input_audio_transcription"] = _transcription(
            spec, update["input_audio_transcription"]
        )
    if "turn_detection" in update:
        config["turn_detection"] = check_turn_detection(
            config["turn_detection"], update["turn_detection"], spec.defaults["turn_detection"]
        )
    if "tools" in update:
        config["tools"] = [] if update["tools"] is None else _tools(update["tools"])
    for key in SAMPLING_KEYS:
        if key in update:
            value = _sampling(spec, key, update[key])
            if not spec.sampling_fixed:  # turbo: "not modifiable"; the fixed value stays
                config[key] = value
    if "smooth_output" in update and "smooth_output" in spec.defaults:  # qwen3-omni-flash only
        if update["smooth_output"] is not None:
            check_bool(update["smooth_output"], "session.smooth_output")
        config["smooth_output"] = update["smooth_output"]
    return config


def render_session(
    spec: ModelSpec, config: dict, session_id: str, model_id: str, *, updated: bool
) -> dict:
    """`session` of `session.created` (its example's fields) or `session.updated` (all of them)."""
    session: dict[str, Any] = {
        "id": session_id,
        "object": "realtime.session",
        "model": model_id,
        "modalities": list(config["modalities"]),
    }
    if updated and config.get("instructions") is not None:
        session["instructions"] = config["instructions"]
    session["voice"] = config["voice"]
    session["input_audio_format"] = config["input_audio_format"]
    session["output_audio_format"] = config["output_audio_format"]
    session["input_audio_transcription"] = copy.deepcopy(config["input_audio_transcription"])
    # [assumed] manual mode echoes turn_detection: null (OpenAI beta; docs show only VAD echoes).
    session["turn_detection"] = copy.deepcopy(config["turn_detection"])
    session["tools"] = copy.deepcopy(config["tools"])
    session["temperature"] = config["temperature"]
    if updated:
        session["max_response_output_token"] = "inf"  # as echoed in session.updated.json
        for key in SAMPLING_KEYS[1:]:
            session[key] = config[key]
    if updated and "smooth_output" in config:
        session["smooth_output"] = config["smooth_output"]
    return session
