"""Server events as text frames: exactly ``json.dumps(event, ensure_ascii=False)``, faster.

Never a frame a strict JSON parser rejects: `NaN` and `Infinity` raise ValueError here
(``allow_nan=False``), and the send loop turns that into `server_error` and a close.

An audio delta is a few hundred bytes of fields and then kilobytes of base64; the JSON encoder
checks every character of it for escapes, which costs more than everything else about the event.
Base64 never needs escaping, so when the last field of an event is a long base64 string
:func:`frame_of` encodes the rest and appends that field verbatim: the same text, character for
character (tests/mockserver/transport/test_frames.py).
"""

from __future__ import annotations

import functools
import json
import string

from ..protocol.wire import Event

__all__ = ["frame_of"]

# Characters that JSON writes as they are (no escape), enough to cover base64.
_PLAIN = (string.ascii_letters + string.digits + "+/=").encode("ascii")
_LONG = 1024  # below this, checking costs about what it saves


def frame_of(event: Event) -> str:
    """The text frame for `event`: ``json.dumps(event, ensure_ascii=False)``.

    Raises ValueError for a non-finite number (not JSON).
    """
    if event:
        last = next(reversed(event))
        value = event[last]
        if (
            isinstance(value, str)
            and isinstance(last, str)
            and len(value) >= _LONG
            and value.isascii()
            and not value.encode("ascii").translate(None, _PLAIN)
        ):
            head = dict(event)
            del head[last]
            prefix = json.dumps(head, ensure_ascii=False, allow_nan=False)[:-1] + (
                ", " if head else ""
            )
            return f'{prefix}{_quoted(last)}: "{value}"}}'
    return json.dumps(event, ensure_ascii=False, allow_nan=False)


@functools.lru_cache(maxsize=64)
def _quoted(key: str) -> str:
    """A key as JSON writes it (the few keys that end audio events, encoded once)."""
    return json.dumps(key, ensure_ascii=False)
