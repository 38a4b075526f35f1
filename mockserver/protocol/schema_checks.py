"""The schemas (`schemas/`) applied by the session core, in both directions.

Incoming: :func:`check_client_event` turns the first schema violation of a client event into the
documented `invalid_request_error` (worded by :mod:`.wording`), with ``param`` naming the
offending field (``session.turn_detection.threshold``, ``session.tools[0].function``). The schema
owns every shape, type, enum and range; the families' ``rules`` modules check only what a schema
cannot say. Outgoing (strict mode): :func:`check_server_event` raises
:class:`StrictModeViolation` for an event the mock should never have produced.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable
from typing import Any

from jsonschema import Draft7Validator, ValidationError
from jsonschema.exceptions import best_match

from dashscope_realtime_mock import schemas
from dashscope_realtime_mock.schemas import Catalogue

from . import wording
from .errors import ProtocolError, RealtimeMockError
from .wire import Event

__all__ = ["StrictModeViolation", "check_client_event", "check_server_event", "param_of"]

_VIOLATIONS_WEIGHED = 8  # how many violations best_match chooses among (the first ones found)
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


class StrictModeViolation(RealtimeMockError, AssertionError):
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
        # docs/protocol/events.md §1.7, the documented message.
        return wording.not_allowed(
            param,
            f"Invalid modalities: {wording.shortened(repr(instance))}. Supported combinations are: "
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
    return wording.not_allowed(
        param, f"Invalid value for '{param}': {wording.shortened(error.message)}."
    )


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


def check_client_event(event: Event, family: str, catalogue: Catalogue | None = None) -> None:
    """Raise the documented error for the first violation of the client event's schema.

    `catalogue`: where `family`'s schemas are (default: the built-in schemas). An event whose
    schema is a flat object of strings (every `input_audio_buffer.append`) is first checked by
    :func:`_fast_check`, which accepts only what the schema accepts; anything it does not accept
    goes through jsonschema, so the error and its wording are the same as ever.
    """
    validator = (catalogue or schemas.catalogue()).validator("client", event["type"], family)
    # The registry refuses a family with a client event that has no schema, and the session
    # answers unknown types itself, so every event that reaches here has one.
    assert validator is not None, f"no client schema for {event['type']!r} ({family})"
    passes = _fast_checks.get(id(validator))
    if passes is None:
        passes = _fast_checks[id(validator)] = _fast_check(validator)
    if passes(event):
        return
    # The same valid event (every client's session.update, say) is checked once: the verdict is
    # a function of the event's JSON text, and only "valid" is remembered.
    text = json.dumps(event, sort_keys=True)
    key = (id(validator), text)
    if key in _valid_events:
        return
    # The most relevant of the first few violations: an event with thousands of them (128 tools
    # all wrong) is judged in well under a millisecond instead of collecting every one.
    error = best_match(itertools.islice(validator.iter_errors(event), _VIOLATIONS_WEIGHED))
    if error is not None:
        raise _protocol_error(_most_specific(error))
    if len(text) <= _MEMO_MAX_CHARS:
        if len(_valid_events) >= _MEMO_SIZE:
            _valid_events.clear()
        _valid_events[key] = None


_valid_events: dict[tuple[int, str], None] = {}  # (id(validator), event JSON) of valid events
_MEMO_SIZE = 4096
_MEMO_MAX_CHARS = 16384


# id(validator) → its fast check; validators are cached for good by their catalogue, so an id is
# never reused while this holds it.
_fast_checks: dict[int, Callable[[Any], bool]] = {}


def _never(_event: Any) -> bool:
    return False


def _fast_check(validator: Any) -> Callable[[Any], bool]:
    """A check that is True only for events `validator` accepts (False: ask jsonschema).

    Built only for a draft-07 schema made of `type: object`, `required` and `properties` whose
    values are `type: string` or a string `const`; every other key must be one draft-07 does
    not validate (`description`, `contentEncoding`, `x-families`, ...). Each of those keywords
    is checked here exactly as jsonschema checks it: `object` is a dict, `string` a str, `const`
    an equal str, `required` names present, `properties` only where present. Any other schema
    gets a check that always defers to jsonschema.
    """
    schema = validator.schema
    if type(validator) is not Draft7Validator or not isinstance(schema, dict):
        return _never
    active = set(schema) & set(Draft7Validator.VALIDATORS)
    required = schema.get("required", [])
    properties = schema.get("properties", {})
    if (
        active - {"type", "required", "properties"}
        or schema.get("type", "object") != "object"
        or not (isinstance(required, list) and all(isinstance(n, str) for n in required))
        or not isinstance(properties, dict)
    ):
        return _never
    strings: list[str] = []
    consts: list[tuple[str, str]] = []
    for name, node in properties.items():
        rules = set(node) & set(Draft7Validator.VALIDATORS) if isinstance(node, dict) else None
        if (
            rules is None
            or rules - {"type", "const"}
            or ("type" in node and node["type"] != "string")
        ):
            return _never
        if "const" in node:
            if not isinstance(node["const"], str):
                return _never
            consts.append((name, node["const"]))
        if "type" in node:
            strings.append(name)

    def passes(event: Any) -> bool:
        if not isinstance(event, dict):
            return False
        for name in required:
            if name not in event:
                return False
        for name in strings:
            if name in event and not isinstance(event[name], str):
                return False
        for name, value in consts:
            if name in event and not (isinstance(event[name], str) and event[name] == value):
                return False
        return True

    return passes


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
