"""Building blocks of the families' `session.update` rules: the checks a schema cannot make.

By the time a family's rules run, the event's schema has checked every shape, type, enum and
range (:mod:`.schema_checks`). What is left is per model (which voices, languages and format
strings this model takes), per Behaviour (legacy format strings) and merging (a partial
``turn_detection`` update keeps the fields it does not name). Errors are worded by
:mod:`.wording`, in the documented style, listing allowed values in documented order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol, TypeGuard, TypeVar

from . import wording
from .behaviour import Behaviour

__all__ = [
    "ConfigRules",
    "FormatModel",
    "OutputFormatModel",
    "apply_formats",
    "check_input_format",
    "check_member",
    "check_output_format",
    "copy_json",
    "merge_turn_detection",
]

T = TypeVar("T")

# The turn_detection settings the mock applies (others the schema allows are not kept).
_VAD_SETTINGS = (
    "threshold",
    "silence_duration_ms",
    "prefix_padding_ms",
    "create_response",
    "interrupt_response",
)


class ConfigRules(Protocol):
    """A family's `session.update` rules: what its schema cannot say, plus merge and echo.

    The schema has already checked every shape, type, enum and range when these run.
    """

    def apply_update(
        self, model: Any, current: dict[str, Any], update: dict[str, Any], behaviour: Behaviour
    ) -> dict[str, Any]:
        """The configuration after `update`, or ProtocolError; `current` is never modified."""
        ...

    def render(
        self, model: Any, config: dict[str, Any], session_id: str, model_id: str, *, updated: bool
    ) -> dict[str, Any]:
        """The `session` object of `session.created` (updated=False) or `session.updated`."""
        ...


class FormatModel(Protocol):
    """A model's accepted input format strings, in documented order (read-only: specs are frozen)."""

    @property
    def input_audio_formats(self) -> tuple[str, ...]: ...

    @property
    def legacy_format_strings(self) -> tuple[str, ...]: ...


class OutputFormatModel(FormatModel, Protocol):
    """A model that also speaks: its output format strings too."""

    @property
    def output_audio_formats(self) -> tuple[str, ...]: ...


def copy_json(value: T) -> T:
    """A deep copy of JSON-shaped data (a session config, a client's tools), at C speed: a copy
    module deepcopy of 128 tools takes tens of milliseconds, which would stall the event loop.
    JSON-shaped data comes back as the same shape, so as the same type."""
    copy: T = json.loads(json.dumps(value))
    return copy


def _is_member(value: object, allowed: Sequence[T]) -> TypeGuard[T]:
    """Whether `value` is in `allowed` (as `in` tests it), and so one of its members' type."""
    return value in allowed


def check_member(value: object, param: str, allowed: Sequence[T]) -> T:
    """`value` if this model allows it, else the documented invalid-value error listing `allowed`."""
    if not _is_member(value, allowed):
        raise wording.invalid_value(param, value, allowed)
    return value


def _without_legacy(
    model: FormatModel, behaviour: Behaviour, allowed: tuple[str, ...]
) -> list[str]:
    """`allowed`, less the legacy strings unless Behaviour.legacy_format_strings takes them."""
    if behaviour.legacy_format_strings.value:
        return list(allowed)
    return [f for f in allowed if f not in model.legacy_format_strings]


def check_input_format(model: FormatModel, behaviour: Behaviour, value: Any) -> str:
    """`value` if this model takes it as `input_audio_format`."""
    allowed = _without_legacy(model, behaviour, model.input_audio_formats)
    return check_member(value, "session.input_audio_format", allowed)


def check_output_format(model: OutputFormatModel, behaviour: Behaviour, value: Any) -> str:
    """`value` if this model takes it as `output_audio_format`."""
    allowed = _without_legacy(model, behaviour, model.output_audio_formats)
    return check_member(value, "session.output_audio_format", allowed)


def apply_formats(
    model: OutputFormatModel, behaviour: Behaviour, config: dict[str, Any], update: dict[str, Any]
) -> None:
    """Set `input_audio_format` / `output_audio_format` from `update`, each one this model takes."""
    if "input_audio_format" in update:
        config["input_audio_format"] = check_input_format(
            model, behaviour, update["input_audio_format"]
        )
    if "output_audio_format" in update:
        config["output_audio_format"] = check_output_format(
            model, behaviour, update["output_audio_format"]
        )


def merge_turn_detection(
    current: dict[str, Any] | None, value: dict[str, Any] | None, defaults: dict[str, Any]
) -> dict[str, Any] | None:
    """A turn_detection update: null → manual mode; an object → VAD, merged over what was set."""
    if value is None:
        return None
    # The schema also names semantic_vad (newer Omni models); the mock detects speech by energy.
    check_member(value.get("type", "server_vad"), "session.turn_detection.type", ["server_vad"])
    result = dict(current or defaults)
    result.update({k: value[k] for k in _VAD_SETTINGS if k in value})
    return result
