"""Fault injection: the real service's bad days, on demand, seeded and reproducible.

A :class:`FaultPlan` is a seed and a tuple of faults, each a small frozen dataclass checked when
it is built (a bad value is a :class:`FaultSpecError`, one line naming the fault and the field):

- :class:`InjectError`: an `error` event (any type and code) before a chosen server event;
  a `server_error` then closes the connection, as the service does (docs/protocol/events.md §1.7);
- :class:`Disconnect`: the server closes before a chosen event, with a close code or with no
  close frame at all (``close="reset"``: a TCP reset);
- :class:`Delay`: chosen events go out later (``ms`` plus a seeded ``jitter_ms``), including the
  pseudo types ``first_text`` and ``first_audio`` (the first of each response);
- :class:`IdleTimeout`: close after that many seconds without a client frame (docs/protocol/events.md §1.8:
  reported ~300 s, undocumented);
- :class:`SessionCap`: the session duration cap (``Behaviour.session_cap_s``/``cap_close_code``);
- :class:`RejectHandshake`: refuse the WebSocket upgrade with 401, 403, 429 or 500 (optionally
  only the first ``times`` handshakes, to test a client's retries);
- :class:`DropEvent`, :class:`DuplicateEvent`: lose or repeat one event. **The real service is
  not known to do either**: they test a client's tolerance, not its fidelity.

A chosen event is named by ``at=N`` (the N-th server event of the connection, counting from 1),
``after=N`` (the one after the first N), or ``on=TYPE`` (an event type, or ``first_text`` /
``first_audio``) with ``nth=K`` (the K-th of them; a delay without ``nth`` applies to all).

The compact form (URL query ``faults=``, header ``X-Mock-Faults``, ``--faults``, a scenario
header's ``faults``) is ``kind:key=value,key=value;kind:...`` with an optional ``seed=N`` item,
e.g. ``seed=7;delay:on=first_audio,ms=800,jitter_ms=200;error:after=5,type=server_error``.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterable
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any, ClassVar, Union

from ..protocol.errors import RealtimeMockError

__all__ = [
    "FIRST_AUDIO",
    "FIRST_TEXT",
    "RESET",
    "Delay",
    "Disconnect",
    "DropEvent",
    "DuplicateEvent",
    "ErrorType",
    "Fault",
    "FaultPlan",
    "FaultSpecError",
    "IdleTimeout",
    "InjectError",
    "RejectHandshake",
    "SessionCap",
]

RESET = "reset"  # close with no close frame: the TCP connection is reset
FIRST_TEXT = "first_text"  # the first streamed text event of each response
FIRST_AUDIO = "first_audio"  # the first response.audio.delta of each response
PSEUDO_TYPES = (FIRST_TEXT, FIRST_AUDIO)
# Upper bounds of every number a fault takes (the docs say nothing; far past any useful test):
# a 400-digit delay was accepted, then overflowed the timer and killed the session.
MAX_COUNT = 10**9  # at, after, nth
MAX_DELAY_MS = 600_000  # ms, jitter_ms: ten minutes
MAX_SECONDS = 86_400.0  # idle_timeout and session_cap seconds: a day
MAX_TIMES = 10**6  # reject times
MAX_SEED = 2**64 - 1
MAX_TEXT = 1024  # code, message, param, scope
# RFC 6455 §7.4: codes a server may put in a close frame (1004-1006 and 1015 are reserved).
_SENDABLE = frozenset([1000, 1001, 1002, 1003, *range(1007, 1015), *range(3000, 5000)])


class FaultSpecError(RealtimeMockError, ValueError):
    """A fault that cannot be built; the message is one line naming the fault and the problem."""


class ErrorType(str, Enum):
    """`error.type` (docs/protocol/events.md §1.7)."""

    INVALID_REQUEST = "invalid_request_error"  # the connection stays open
    SERVER = "server_error"  # the server closes the connection

    def __str__(self) -> str:
        return str(self.value)


@functools.cache
def server_event_types() -> frozenset[str]:
    """Every server event type of every family (from the schemas)."""
    from dashscope_realtime_mock import schemas

    return frozenset().union(*(schemas.event_types("server", f) for f in schemas.families()))


def _close_value(fault: str, value: int | str, *, reset: bool = True) -> int | str:
    if reset and value == RESET:
        return RESET
    if isinstance(value, bool) or not isinstance(value, int) or value not in _SENDABLE:
        also = " or 'reset'" if reset else ""
        raise FaultSpecError(
            f"{fault}: close must be a close code a server may send (1000-1003, 1007-1014, "
            f"3000-4999){also}, not {value!r}"
        )
    return value


@dataclass(frozen=True)
class Fault:
    """One fault; subclasses name their compact form in KIND."""

    KIND: ClassVar[str] = ""

    def describe(self) -> str:
        """The fault in its compact form (what a one-line error quotes)."""
        parts = [
            f"{f.name}={getattr(self, f.name)}"
            for f in fields(self)
            if getattr(self, f.name) != f.default
        ]
        return self.KIND + (":" + ",".join(parts) if parts else "")


@dataclass(frozen=True)
class Targeted(Fault):
    """A fault aimed at one server event (or, for a delay, at every event of a type)."""

    at: int | None = None
    after: int | None = None
    on: str | None = None
    nth: int | None = None
    EVERY_BY_DEFAULT: ClassVar[bool] = False  # `on` without `nth`: every match, or the first

    def __post_init__(self) -> None:
        chosen = [n for n in ("at", "after", "on") if getattr(self, n) is not None]
        if len(chosen) != 1:
            raise FaultSpecError(f"{self.KIND}: give exactly one of at=N, after=N, on=TYPE")
        for name, least in (("at", 1), ("after", 0), ("nth", 1)):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise FaultSpecError(f"{self.KIND}: {name} must be an integer, not {value!r}")
            if value is not None and not least <= value <= MAX_COUNT:
                raise FaultSpecError(
                    f"{self.KIND}: {name} must be in [{least}, {MAX_COUNT}], not {_shown(value)}"
                )
        if self.nth is not None and self.on is None:
            raise FaultSpecError(f"{self.KIND}: nth=K goes with on=TYPE")
        if self.on is not None and self.on not in PSEUDO_TYPES + tuple(server_event_types()):
            raise FaultSpecError(
                f"{self.KIND}: on={self.on!r} is not a server event type "
                f"(nor {' / '.join(PSEUDO_TYPES)})"
            )

    @property
    def index(self) -> int | None:
        """The 1-based index of the event this fault is aimed at, when it is aimed by count."""
        return self.at if self.at is not None else None if self.after is None else self.after + 1


@dataclass(frozen=True)
class InjectError(Targeted):
    """An `error` event sent just before the chosen event; `server_error` then closes."""

    KIND: ClassVar[str] = "error"
    type: ErrorType = ErrorType.INVALID_REQUEST
    code: str | None = None  # default: invalid_value / internal_error
    message: str | None = None
    param: str | None = None
    close: int | str = 1011  # after a server_error (1011: what observers report)

    def __post_init__(self) -> None:
        super().__post_init__()
        try:
            object.__setattr__(self, "type", ErrorType(self.type))
        except ValueError:
            allowed = ", ".join(t.value for t in ErrorType)
            raise FaultSpecError(
                f"error: type must be one of {allowed}, not {self.type!r}"
            ) from None
        if self.code is not None and (not isinstance(self.code, str) or not self.code):
            raise FaultSpecError(f"error: code must be a non-empty string, not {self.code!r}")
        _check_text("error", self, ("code", "message", "param"))
        object.__setattr__(self, "close", _close_value("error", self.close))

    def event_body(self) -> dict[str, Any]:
        """The `error` object of the event (docs/protocol/events.md §1.7)."""
        server = self.type is ErrorType.SERVER
        return {
            "type": self.type.value,
            "code": self.code or ("internal_error" if server else "invalid_value"),
            "message": self.message
            or ("Internal server error." if server else "Invalid request (injected fault)."),
            "param": self.param,
        }


@dataclass(frozen=True)
class Disconnect(Targeted):
    """The server ends the connection instead of sending the chosen event."""

    KIND: ClassVar[str] = "disconnect"
    close: int | str = 1011

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "close", _close_value("disconnect", self.close))


@dataclass(frozen=True)
class Delay(Targeted):
    """The chosen events go out `ms` (plus up to `jitter_ms`, seeded) later than they would."""

    KIND: ClassVar[str] = "delay"
    EVERY_BY_DEFAULT: ClassVar[bool] = True
    ms: int = 0
    jitter_ms: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("ms", "jitter_ms"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise FaultSpecError(f"delay: {name} must be an integer, not {value!r}")
            if not 0 <= value <= MAX_DELAY_MS:
                raise FaultSpecError(
                    f"delay: {name} must be in [0, {MAX_DELAY_MS}], not {_shown(value)}"
                )
        if self.ms == 0 and self.jitter_ms == 0:
            raise FaultSpecError("delay: give ms=N and/or jitter_ms=N")


@dataclass(frozen=True)
class DropEvent(Targeted):
    """The chosen event is never sent. NOT what the real service does: a tolerance test."""

    KIND: ClassVar[str] = "drop"


@dataclass(frozen=True)
class DuplicateEvent(Targeted):
    """The chosen event is sent twice. NOT what the real service does: a tolerance test."""

    KIND: ClassVar[str] = "duplicate"


def _positive_seconds(kind: str, seconds: float) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise FaultSpecError(f"{kind}: seconds must be a number, not {seconds!r}")
    if not 0 < seconds <= MAX_SECONDS:  # NaN and inf fail too
        raise FaultSpecError(
            f"{kind}: seconds must be > 0 and <= {MAX_SECONDS:g}, not {_shown(seconds)}"
        )
    return float(seconds)


def _shown(value: float) -> str:
    """A number as an error quotes it: a huge one by its size, not its 400 digits."""
    text = repr(value)
    return text if len(text) <= 24 else f"a {len(text)}-digit number"


def _check_text(kind: str, fault: Fault, names: tuple[str, ...]) -> None:
    """Each of `names` is None or a string of at most MAX_TEXT characters."""
    for name in names:
        value = getattr(fault, name)
        if value is not None and (not isinstance(value, str) or len(value) > MAX_TEXT):
            raise FaultSpecError(
                f"{kind}: {name} must be a string of at most {MAX_TEXT} characters"
            )


@dataclass(frozen=True)
class IdleTimeout(Fault):
    """Close after `seconds` without a frame from the client (docs/protocol/events.md §1.8, reported ~300 s)."""

    KIND: ClassVar[str] = "idle_timeout"
    seconds: float = 300.0
    close: int | str = 1000

    def __post_init__(self) -> None:
        object.__setattr__(self, "seconds", _positive_seconds(self.KIND, self.seconds))
        object.__setattr__(self, "close", _close_value(self.KIND, self.close))


@dataclass(frozen=True)
class SessionCap(Fault):
    """The session duration cap: `Behaviour.session_cap_s` and `cap_close_code` for this connection."""

    KIND: ClassVar[str] = "session_cap"
    seconds: float = 7200.0
    close: int = 1000

    def __post_init__(self) -> None:
        object.__setattr__(self, "seconds", _positive_seconds(self.KIND, self.seconds))
        object.__setattr__(self, "close", _close_value(self.KIND, self.close, reset=False))


# DashScope's HTTP error codes for each status (the general error-code page docs/protocol/events.md §1.7 links).
HANDSHAKE_REFUSALS = {
    401: ("InvalidApiKey", "Invalid API-key provided."),
    403: ("AccessDenied", "Access denied."),
    429: ("Throttling.RateQuota", "Requests rate limit exceeded, please try again later."),
    500: ("InternalError", "An internal error has occured, please try again later."),
}


@dataclass(frozen=True)
class RejectHandshake(Fault):
    """Refuse the WebSocket upgrade with `status` (every handshake, or the first `times`).

    `times` counts per client (its address and User-Agent), so one client's handshakes do not
    use up another's refusals; clients that give the same `scope` share one count.
    """

    KIND: ClassVar[str] = "reject"
    status: int = 429
    times: int = 0  # 0: every handshake; N: the first N, then accept
    code: str | None = None
    message: str | None = None
    scope: str | None = None  # a name: the clients that give it share the count of `times`

    def __post_init__(self) -> None:
        if self.status not in HANDSHAKE_REFUSALS:
            allowed = ", ".join(map(str, HANDSHAKE_REFUSALS))
            raise FaultSpecError(f"reject: status must be one of {allowed}, not {self.status!r}")
        if isinstance(self.times, bool) or not isinstance(self.times, int):
            raise FaultSpecError(f"reject: times must be an integer, not {self.times!r}")
        if not 0 <= self.times <= MAX_TIMES:
            raise FaultSpecError(
                f"reject: times must be in [0, {MAX_TIMES}], not {_shown(self.times)}"
            )
        _check_text("reject", self, ("code", "message", "scope"))

    def body(self) -> tuple[str, str]:
        """(code, message) of the DashScope-style JSON body."""
        code, message = HANDSHAKE_REFUSALS[self.status]
        return self.code or code, self.message or message


KINDS: dict[str, type[Fault]] = {
    kind.KIND: kind
    for kind in (
        InjectError,
        Disconnect,
        Delay,
        IdleTimeout,
        SessionCap,
        RejectHandshake,
        DropEvent,
        DuplicateEvent,
    )
}


@dataclass(frozen=True)
class FaultPlan:
    """The faults of a server or a connection, and the seed of their randomness (jitter)."""

    faults: tuple[Fault, ...] = ()
    seed: int = 0

    def __post_init__(self) -> None:
        for fault in self.faults:
            if not isinstance(fault, Fault):
                raise FaultSpecError(f"not a fault: {fault!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise FaultSpecError(f"seed must be an integer, not {self.seed!r}")
        if not 0 <= self.seed <= MAX_SEED:
            raise FaultSpecError(f"seed must be in [0, 2**64 - 1], not {_shown(self.seed)}")

    def __bool__(self) -> bool:
        return bool(self.faults)

    def __add__(self, other: FaultPlan) -> FaultPlan:
        """Both plans' faults; the seed of `other` when it sets one."""
        return FaultPlan(self.faults + other.faults, other.seed or self.seed)

    def of_kind(self, kind: type[Fault]) -> list[Any]:
        return [f for f in self.faults if isinstance(f, kind)]

    @classmethod
    def of(cls, value: object) -> FaultPlan:
        """A plan from None, a compact string, a Fault, a FaultPlan, or a list of those."""
        if value is None:
            return cls()
        if isinstance(value, FaultPlan):
            return value
        if isinstance(value, str):
            return cls.parse(value)
        if isinstance(value, Fault):
            return cls((value,))
        if isinstance(value, Iterable) and not isinstance(value, dict | bytes):
            plan = cls()
            for item in value:
                plan += cls.of(item)
            return plan
        raise FaultSpecError(
            f"faults must be a compact string, a Fault or a list of them, not {value!r}"
        )

    @classmethod
    def parse(cls, text: str) -> FaultPlan:
        """``seed=N;kind:key=value,key=value;...`` → a plan (FaultSpecError naming the item)."""
        faults, seed = [], 0
        for item in filter(None, (part.strip() for part in text.split(";"))):
            if item.startswith("seed="):
                seed = _integer(item, "seed", item.removeprefix("seed="))
                continue
            kind_name, _, rest = item.partition(":")
            kind = KINDS.get(kind_name.strip())
            if kind is None:
                known = ", ".join(KINDS)
                raise FaultSpecError(
                    f"fault {_quoted(item)}: unknown kind {_quoted(kind_name)}; known: {known}"
                )
            faults.append(_build(kind, item, rest))
        return cls(tuple(faults), seed)


def _integer(item: str, name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise FaultSpecError(
            f"fault {_quoted(item)}: {name} must be an integer, not {_quoted(raw)}"
        ) from None


def _quoted(text: str) -> str:
    """`text` as an error quotes it: repr, cut to 80 characters."""
    shown = repr(text)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _build(kind: type[Fault], item: str, rest: str) -> Fault:
    """One fault from its `key=value,...` list, each value typed by the field it sets."""
    hints = typing.get_type_hints(kind)
    known = {f.name for f in fields(kind)}
    values: dict[str, Any] = {}
    for pair in filter(None, (p.strip() for p in rest.split(","))):
        name, sep, raw = pair.partition("=")
        if not sep or name not in known:
            allowed = ", ".join(sorted(known))
            raise FaultSpecError(
                f"fault {_quoted(item)}: unknown option {_quoted(name)}; known: {allowed}"
            )
        values[name] = _typed(item, name, hints[name], raw)
    try:
        return kind(**values)
    except FaultSpecError as exc:
        raise FaultSpecError(f"fault {_quoted(item)}: {str(exc).partition(': ')[2]}") from None


def _typed(item: str, name: str, hint: Any, raw: str) -> Any:
    """`raw` converted to the first type of `hint` it fits (int, float, then str)."""
    options = (
        typing.get_args(hint) if typing.get_origin(hint) in (Union, type(int | None)) else (hint,)
    )
    if int in options:
        try:
            return int(raw)
        except ValueError:
            if str not in options:
                raise FaultSpecError(
                    f"fault {_quoted(item)}: {name} must be an integer, not {_quoted(raw)}"
                ) from None
    if float in options:
        try:
            return float(raw)
        except ValueError:
            raise FaultSpecError(
                f"fault {_quoted(item)}: {name} must be a number, not {_quoted(raw)}"
            ) from None
    return raw
