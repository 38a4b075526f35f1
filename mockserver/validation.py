"""Checks shared by every family's `session.update` rules: each raises ProtocolError with `param`.

The messages follow the documented ones (events.md §1.7): ``Invalid value: 'x'. Supported values
are: 'a', 'b'.`` and the modalities message quoted there.
"""

from __future__ import annotations

import numbers
from typing import Any

from .behaviour import Behaviour
from .errors import ProtocolError
from .registry import ModelSpec

__all__ = [
    "apply_formats",
    "check_bool",
    "check_enum",
    "check_format",
    "check_modalities",
    "check_range",
    "check_sample_rate",
    "check_turn_detection",
    "invalid",
    "is_int",
    "is_number",
    "require_object",
]

_DOCUMENTED_FORMAT_ORDER = ("pcm", "opus", "pcm16", "pcm24")


def invalid(param: str, message: str) -> ProtocolError:
    return ProtocolError(code="invalid_value", message=message, param=param)


def _supported_list(values) -> str:
    ordered = sorted(values, key=lambda v: (_DOCUMENTED_FORMAT_ORDER + (v,)).index(v))
    return ", ".join(f"'{v}'" for v in ordered)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def require_object(value: Any, param: str) -> dict:
    if not isinstance(value, dict):
        raise ProtocolError(
            "invalid_type", f"Invalid type for '{param}': expected an object.", param
        )
    return value


def check_bool(value: Any, param: str) -> bool:
    if not isinstance(value, bool):
        raise ProtocolError(
            "invalid_type", f"Invalid type for '{param}': expected a boolean.", param
        )
    return value


def check_range(value: Any, param: str, low: float, high: float, integer: bool) -> Any:
    ok_type = is_int(value) if integer else is_number(value)
    if not ok_type:
        kind = "an integer" if integer else "a number"
        raise ProtocolError("invalid_type", f"Invalid type for '{param}': expected {kind}.", param)
    if not low <= value <= high:
        raise invalid(
            param, f"Invalid value for '{param}': {value}. It must be in [{low}, {high}]."
        )
    return value


def check_enum(value: Any, param: str, allowed) -> str:
    # Only strings can be members: a list or object sent instead must not reach `in` (unhashable).
    if not isinstance(value, str) or value not in allowed:
        raise invalid(
            param, f"Invalid value: '{value}'. Supported values are: {_supported_list(allowed)}."
        )
    return value


def check_modalities(value: Any) -> list[str]:
    # events.md §1.7: the documented message for ['audio'] alone.
    if isinstance(value, list) and value in (["text"], ["text", "audio"], ["audio", "text"]):
        return list(value)
    raise invalid(
        "session.modalities",
        f"Invalid modalities: {value!r}. Supported combinations are: ['text'] and ['audio', 'text'].",
    )


def check_turn_detection(
    current: Any, value: Any, defaults: dict, *, type_required: bool = False
) -> dict | None:
    """A turn_detection update: null → manual mode, an object → VAD with these rules."""
    if value is None:
        return None
    value = require_object(value, "session.turn_detection")
    result = dict(current or defaults)
    p = "session.turn_detection."
    if type_required and "type" not in value:
        raise ProtocolError(
            "missing_required_parameter", f"Missing required parameter: '{p}type'.", p + "type"
        )
    if value.get("type", "server_vad") != "server_vad":
        raise invalid(
            p + "type", f"Invalid value: '{value['type']}'. Supported values are: 'server_vad'."
        )
    if "threshold" in value:
        result["threshold"] = check_range(value["threshold"], p + "threshold", -1.0, 1.0, False)
    if "silence_duration_ms" in value:
        result["silence_duration_ms"] = check_range(
            value["silence_duration_ms"], p + "silence_duration_ms", 200, 6000, True
        )
    if "prefix_padding_ms" in value:
        # Not documented as settable; the SDK sends it (default 300). Accept a sane range.
        result["prefix_padding_ms"] = check_range(
            value["prefix_padding_ms"], p + "prefix_padding_ms", 0, 6000, True
        )
    for flag in ("create_response", "interrupt_response"):
        if flag in value:
            result[flag] = check_bool(value[flag], p + flag)
    return result


def check_format(spec: ModelSpec, behaviour: Behaviour, value: Any, direction: str) -> str:
    """`input_audio_format` / `output_audio_format` against the model's accepted strings."""
    allowed = spec.input_audio_formats if direction == "input" else spec.output_audio_formats
    if not behaviour.legacy_format_strings:
        allowed = allowed - spec.legacy_format_strings
    return check_enum(value, f"session.{direction}_audio_format", allowed)


def apply_formats(spec: ModelSpec, behaviour: Behaviour, config: dict, update: dict) -> None:
    """Set `input_audio_format` / `output_audio_format` from `update`, each checked by check_format."""
    for direction in ("input", "output"):
        key = f"{direction}_audio_format"
        if key in update:
            config[key] = check_format(spec, behaviour, update[key], direction)


def check_sample_rate(spec: ModelSpec, value: Any) -> int:
    if not is_int(value) or value not in spec.sample_rates:
        allowed = ", ".join(str(r) for r in sorted(spec.sample_rates))
        raise invalid(
            "session.sample_rate", f"Invalid value: {value!r}. Supported values are: {allowed}."
        )
    return value
