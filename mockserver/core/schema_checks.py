"""The schemas (`schemas/`) applied by the session core, in both directions.

Incoming: :func:`check_client_event` turns the first schema violation of a client event into the
documented `invalid_request_error` (worded by :mod:`.wording`), with ``param`` naming the
offending field (``session.turn_detection.threshold``, ``session.tools[0].function``). The schema
owns every shape, type, enum and range; the families' ``rules`` modules check only what a schema
cannot say. Outgoing (strict mode): :func:`check_server_event` raises
:class:`StrictModeViolation` for an event the mock should never have produced.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match

import schemas
from schemas import Catalogue

from . import wording
from .errors import ProtocolError

__all__ = ["StrictModeViolation", "check_client_event", "check_server_event", "param_of"]

_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


class StrictModeViolation(AssertionError):
    """A server event broke its schema (strict mode): a bug in the mock, never the client's fault."""


def param_of(path: Iterable[Any]) -> str:
    """A JSON path as the docs write `param`: `session.tools[0].function.name`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _protocol_error(error: ValidationError) -> ProtocolError:
    param = param_of(error.absolute_path)
    # A violation always has both (jsonschema types them as possibly unset).
    expected: Any = error.validator_value
    instance: Any = error.instance
    if error.validator == "required":
        missing = next(name for name in expected if name not in instance)
        return wording.missing_parameter(f"{param}.{missing}" if param else missing)
    if param.endswith("modalities") and error.validator in ("enum", "oneOf"):
        # events.md §1.7, the documented message.
        return wording.not_allowed(
            param,
            f"Invalid modalities: {instance!r}. Supported combinations are: "
            "['text'] and ['audio', 'text'].",
        )
    if error.validator == "type":
        return wording.invalid_type(param, expected)
    if error.validator == "enum":
        return wording.invalid_value(param, instance, expected)
    if error.validator == "const":
        return wording.invalid_value(param, instance, [expected])
    if error.validator in _BOUNDS:
        node = error.schema if isinstance(error.schema, dict) else {}
        allowed = wording.interval(
            node.get("minimum"),
            node.get("maximum"),
            exclusive_minimum=node.get("exclusiveMinimum"),
            exclusive_maximum=node.get("exclusiveMaximum"),
        )
        return wording.out_of_range(param, instance, allowed)
    return wording.not_allowed(param, f"Invalid value for '{param}': {error.message}.")


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


def check_client_event(event: dict, family: str, catalogue: Catalogue | None = None) -> None:
    """Raise the documented error for the first violation of the client event's schema.

    `catalogue`: where `family`'s schemas are (default: the built-in schemas).
    """
    validator = (catalogue or schemas.catalogue()).validator("client", event["type"], family)
    # The registry refuses a family with a client event that has no schema, and the session
    # answers unknown types itself, so every event that reaches here has one.
    assert validator is not None, f"no client schema for {event['type']!r} ({family})"
    error = best_match(validator.iter_errors(event))
    if error is not None:
        raise _protocol_error(_most_specific(error))


def check_server_event(
    event: dict[str, Any], family: str, catalogue: Catalogue | None = None
) -> None:
    """Strict mode: raise StrictModeViolation if a server event breaks its schema."""
    violations = (catalogue or schemas.catalogue()).errors("server", event, family)
    if violations:
        first = violations[0]
        raise StrictModeViolation(
            f"{event.get('type')} breaks its {family} schema at "
            f"'{param_of(first.absolute_path)}': {first.message}; event: {event}"
        )
