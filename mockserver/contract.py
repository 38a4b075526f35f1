"""The schemas (`schemas/`) applied by the session core, in both directions.

Incoming: :func:`check_client_event` turns the first schema violation of a client event into the
documented `invalid_request_error`, with ``param`` naming the offending field (``session.
turn_detection.threshold``, ``session.tools[0].function``). Outgoing (strict mode):
:func:`check_server_event` raises :class:`StrictModeViolation` for an event the mock should never
have produced, so a test or a log shows it at once.
"""

from __future__ import annotations

from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match

import schemas

from .errors import ProtocolError

__all__ = ["StrictModeViolation", "check_client_event", "check_server_event", "param_of"]


class StrictModeViolation(AssertionError):
    """A server event broke its schema (strict mode): a bug in the mock, never the client's fault."""


def param_of(path) -> str:
    """A JSON path as the docs write `param`: `session.tools[0].function.name`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _quote(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _protocol_error(error: ValidationError) -> ProtocolError:
    param = param_of(error.absolute_path)
    if error.validator == "required":
        missing = next(name for name in error.validator_value if name not in error.instance)
        param = f"{param}.{missing}" if param else missing
        return ProtocolError(
            "missing_required_parameter", f"Missing required parameter: '{param}'.", param
        )
    if param.endswith("modalities") and error.validator in ("enum", "oneOf"):
        # events.md §1.7, the documented message.
        return ProtocolError(
            "invalid_value",
            f"Invalid modalities: {error.instance!r}. Supported combinations "
            "are: ['text'] and ['audio', 'text'].",
            param,
        )
    if error.validator == "type":
        expected = (
            error.validator_value
            if isinstance(error.validator_value, str)
            else " or ".join(error.validator_value)
        )
        return ProtocolError(
            "invalid_type", f"Invalid type for '{param}': expected {expected}.", param
        )
    if error.validator in ("enum", "const"):
        allowed = error.validator_value if error.validator == "enum" else [error.validator_value]
        return ProtocolError(
            "invalid_value",
            f"Invalid value: '{error.instance}'. Supported values are: {_quote(allowed)}.",
            param,
        )
    return ProtocolError("invalid_value", f"Invalid value for '{param}': {error.message}.", param)


def _most_specific(error: ValidationError) -> ValidationError:
    """Inside a oneOf/allOf (e.g. "null or an object"), the violation of the branch that was meant.

    The `null` alternative of a nullable field is never the one meant when a value was given.
    """
    while error.validator in ("oneOf", "anyOf", "allOf") and error.context:
        meant = [
            e for e in error.context if not (e.validator == "type" and e.validator_value == "null")
        ]
        candidates = meant or list(error.context)
        error = max(candidates, key=lambda e: len(e.absolute_path))
    return error


def check_client_event(event: dict, family: str) -> None:
    """Raise the documented error for the first violation of the client event's schema."""
    validator = schemas.validator("client", event["type"], family)
    if validator is None:
        return  # the caller answers unknown types itself
    error = best_match(validator.iter_errors(event))
    if error is not None:
        raise _protocol_error(_most_specific(error))


def check_server_event(event: dict[str, Any], family: str) -> None:
    """Strict mode: raise StrictModeViolation if a server event breaks its schema."""
    violations = schemas.errors("server", event, family)
    if violations:
        first = violations[0]
        raise StrictModeViolation(
            f"{event.get('type')} breaks its {family} schema at "
            f"'{param_of(first.absolute_path)}': {first.message}; event: {event}"
        )
