"""The documented wording of every `invalid_request_error` the mock makes, in one place.

Both sources of a client error word it here: a schema violation (:mod:`.schema_checks` turns a
jsonschema error into one of these) and a rule a schema cannot state (a per-model voice list, a
cross-field check, in each family's ``rules`` module). The shapes follow docs/protocol/events.md §1.7:
``Invalid value: 'pcm16'. Supported values are: 'pcm', 'opus'.``, ``Missing required parameter:
'session'.``, and the ranges of the parameter tables, ``It must be in [0, 2)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import ProtocolError

__all__ = [
    "interval",
    "invalid_type",
    "invalid_value",
    "missing_parameter",
    "not_allowed",
    "out_of_range",
    "quoted",
    "shortened",
]

ECHO_CHARS = 200  # a client value echoed in a message is cut to this many characters

_ARTICLE = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def shortened(text: str, limit: int = ECHO_CHARS) -> str:
    """`text` as echoed back in an error: cut after `limit` characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def quoted(values: Iterable[Any]) -> str:
    """`'a', 'b'`: a list of allowed values, in the order given (the documented order)."""
    return ", ".join(f"'{v}'" for v in values)


def invalid_value(param: str, value: Any, allowed: Iterable[Any]) -> ProtocolError:
    """A value outside a documented set: ``Invalid value: 'x'. Supported values are: 'a', 'b'.``"""
    return ProtocolError(
        "invalid_value",
        f"Invalid value: '{shortened(str(value))}'. Supported values are: {quoted(allowed)}.",
        param,
    )


def not_allowed(param: str, message: str) -> ProtocolError:
    """A value the set allows but this combination does not (cross-field rules)."""
    return ProtocolError("invalid_value", message, param)


def invalid_type(param: str, expected: str | Iterable[str]) -> ProtocolError:
    """A value of the wrong JSON type: ``Invalid type for 'session.voice': expected a string.``"""
    names = [expected] if isinstance(expected, str) else list(expected)
    described = " or ".join(_ARTICLE.get(name, name) for name in names)
    return ProtocolError(
        "invalid_type", f"Invalid type for '{param}': expected {described}.", param
    )


def missing_parameter(param: str) -> ProtocolError:
    """A required field is absent: ``Missing required parameter: 'session'.``"""
    return ProtocolError(
        "missing_required_parameter", f"Missing required parameter: '{param}'.", param
    )


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def interval(
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    exclusive_minimum: float | None = None,
    exclusive_maximum: float | None = None,
) -> str:
    """A range as the parameter tables write it: ``[0, 2)``, ``(0, 1]``, ``greater than 0``."""
    low = f"[{_number(minimum)}" if minimum is not None else None
    low = f"({_number(exclusive_minimum)}" if exclusive_minimum is not None else low
    high = f"{_number(maximum)}]" if maximum is not None else None
    high = f"{_number(exclusive_maximum)})" if exclusive_maximum is not None else high
    if low and high:
        return f"in {low}, {high}"
    if low:
        word = "greater than" if low.startswith("(") else "at least"
        return f"{word} {low[1:]}"
    if high:
        word = "less than" if high.endswith(")") else "at most"
        return f"{word} {high[:-1]}"
    return "a valid number"


def out_of_range(param: str, value: Any, allowed: str) -> ProtocolError:
    """A number outside its range: ``Invalid value for 'session.temperature': 3. It must be in [0, 2).``"""
    return ProtocolError(
        "invalid_value",
        f"Invalid value for '{param}': {shortened(str(value))}. It must be {allowed}.",
        param,
    )


def unknown_parameter(param: str) -> ProtocolError:
    """A field the event does not have (Behaviour.unknown_session_fields "error"), in the
    documented style: ``Unknown parameter: 'session.foo'.``"""
    return ProtocolError("unknown_parameter", f"Unknown parameter: '{shortened(param)}'.", param)
