"""A client text frame made into an event, within bounds no single frame may cross.

`json.loads` accepts things the protocol cannot carry further: lone UTF-16 surrogates
(``"\\ud800"`` is valid JSON but not Unicode, so it cannot be echoed in a text frame), `NaN`,
`Infinity` and `1e400` (not JSON at all once echoed), and nesting deep enough to exhaust the
stack of whatever walks it next (jsonschema). Each is answered here with an
`invalid_request_error` naming the parameter, and the session goes on.

The size bounds keep one event's work in the loop small: a frame with more than
:data:`MAX_CONTAINERS` objects and arrays is refused before it is parsed, and a parsed event with
a container of more than :data:`MAX_MEMBERS` members (100k tools, 200k hotwords) or more than
:data:`MAX_DEPTH` levels is refused before its schema is checked. The docs state none of these
numbers; they are far above anything the documented events need (docs/limits.md).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from . import wording
from .errors import ProtocolError
from .schema_checks import param_of
from .wire import Event

__all__ = [
    "MAX_CONTAINERS",
    "MAX_DEPTH",
    "MAX_MEMBERS",
    "MAX_TEXT_CHARS",
    "OFF_LOOP_CHARS",
    "Rejected",
    "check_event",
    "parse_frame",
    "read_frame",
]

MAX_DEPTH = 32  # levels of objects and arrays in one event (tool parameters included)
MAX_MEMBERS = 128  # members of one object or array (OpenAI's documented cap on tools)
MAX_CONTAINERS = 4096  # objects and arrays in one event
# Characters of one string (instructions, a text item, a tool output). The largest documented
# input is 49,152 tokens (docs/protocol/events.md §1.9); 256 Ki characters hold more than that. The base64
# `audio` and `image` of the append events are bounded by their own documented limits.
MAX_TEXT_CHARS = 256 * 1024
_MEDIA_PATHS = {("audio",), ("image",)}


# A frame this long is read (parsed and walked) off the event loop by the transport: reading a
# 20 MB append or a 25 MB instructions string takes 100 ms and more, and no step may block the
# loop for more than a few milliseconds. Everything read here is pure, so it may run anywhere.
OFF_LOOP_CHARS = 32 * 1024


@dataclass(frozen=True)
class Rejected:
    """A frame the session answers with `error` without looking further."""

    error: ProtocolError
    event_id: str | None = None  # the client's event_id, where one could be read


def read_frame(frame: str) -> Event | Rejected:
    """A client text frame as the event to act on, or what to answer instead (pure)."""
    try:
        event = parse_frame(frame)
    except ProtocolError as exc:
        return Rejected(exc)
    if not isinstance(event, dict):
        return Rejected(ProtocolError("invalid_event", "A client event must be a JSON object."))
    problem = check_event(event)
    if problem is not None:
        # Lone surrogates, NaN, nesting too deep: answered, and the session goes on.
        event_id = event.get("event_id") if problem.param != "event_id" else None
        return Rejected(problem, event_id if isinstance(event_id, str) else None)
    return event


def parse_frame(frame: str) -> Any:
    """The JSON value of a client text frame; ProtocolError if it is not JSON or too big to walk."""
    if len(frame) > 65536 and frame.count("{") + frame.count("[") > MAX_CONTAINERS:
        # Counted before parsing (C speed), so a 14 MiB session.update costs milliseconds.
        raise ProtocolError(
            "invalid_value",
            f"The event holds more than {MAX_CONTAINERS} objects and arrays; that is the limit.",
        )
    try:
        return json.loads(frame)
    except RecursionError:
        raise ProtocolError(
            "invalid_json", f"The frame nests deeper than {MAX_DEPTH} levels."
        ) from None
    except ValueError as exc:
        raise ProtocolError(
            "invalid_json", f"The frame is not valid JSON: {wording.shortened(str(exc))}."
        ) from None


def check_event(event: Event) -> ProtocolError | None:
    """The first value of `event` the protocol cannot carry, as the error to answer (None: fine).

    Walks the event without recursion, in document order: depth and member counts, lone
    surrogates in keys and strings, non-finite numbers. A flat event of ASCII strings (every
    append) is seen at a glance.
    """
    if len(event) <= MAX_MEMBERS and all(
        type(value) is str
        and value.isascii()
        and key.isascii()
        and (len(value) <= MAX_TEXT_CHARS or (key,) in _MEDIA_PATHS)
        for key, value in event.items()
    ):
        return None
    stack: list[tuple[Any, tuple[Any, ...]]] = [(event, ())]
    containers = 0
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if len(value) > MAX_TEXT_CHARS and path not in _MEDIA_PATHS:
                return ProtocolError(
                    "invalid_value",
                    f"Invalid value for '{_param(path)}': {len(value)} characters; "
                    f"the limit is {MAX_TEXT_CHARS}.",
                    _param(path),
                )
            if not value.isascii() and _has_lone_surrogate(value):
                return _surrogate(path)
        elif isinstance(value, float):
            if not math.isfinite(value):
                return ProtocolError(
                    "invalid_value",
                    f"Invalid value for '{_param(path)}': numbers must be finite "
                    "(NaN, Infinity and out-of-range numbers such as 1e400 are not JSON).",
                    _param(path),
                )
        elif isinstance(value, (dict, list)):
            containers += 1
            if len(path) >= MAX_DEPTH:
                return ProtocolError(
                    "invalid_value",
                    f"Invalid value for '{_param(path)}': nested deeper than {MAX_DEPTH} levels.",
                    _param(path),
                )
            if len(value) > MAX_MEMBERS:
                return ProtocolError(
                    "invalid_value",
                    f"Invalid value for '{_param(path)}': {len(value)} members; "
                    f"the limit is {MAX_MEMBERS}.",
                    _param(path),
                )
            if containers > MAX_CONTAINERS:
                return ProtocolError(
                    "invalid_value",
                    f"The event holds more than {MAX_CONTAINERS} objects and arrays; "
                    "that is the limit.",
                )
            if isinstance(value, dict):
                for key in value:
                    if not key.isascii() and _has_lone_surrogate(key):
                        return _surrogate(path)
                children = [(v, (*path, k)) for k, v in value.items()]
            else:
                children = [(v, (*path, i)) for i, v in enumerate(value)]
            stack.extend(reversed(children))
    return None


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _surrogate(path: tuple[Any, ...]) -> ProtocolError:
    param = _param(path) or "event"
    return ProtocolError(
        "invalid_value",
        f"Invalid value for '{param}': the string holds a lone UTF-16 surrogate, "
        "which is not valid Unicode.",
        param,
    )


def _param(path: tuple[Any, ...]) -> str:
    """A path as the docs write `param` (`session.tools[0].function`), shortened if huge."""
    return wording.shortened(param_of(path))
