"""The inspector's memory: the live and recent sessions, each with its traffic, in bounded buffers.

The transport calls :class:`SessionStore` between frames (it is a
:class:`~dashscope_realtime_mock.transport.observers.SessionWatcher` but for its pages). Recording an event
costs a clock read, two comparisons and a list append: the event dict is kept as it is (the
transport never changes an event once it is sent or received), and audio stays base64 until a
page asks for it. Everything is bounded by :class:`Limits`: the number of sessions kept, the
events per session, the audio payload per session and in all (past a limit, an event is kept
without its audio), and the rest of the content per event, per session and in all (past a limit,
an event is kept as its type alone, and the page and API count what was not kept). API keys never
reach it: the transport hands over events, not requests.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from ..answers.responder import Responder
from ..protocol.schema_checks import StrictModeViolation
from ..protocol.wire import Event
from ..replay.matchers import ReplayMismatch
from ..session.base import Session
from .audio import APPEND, AUDIO_DELTA, AudioIndex

__all__ = [
    "AUDIO_NOT_KEPT",
    "EVENT_NOT_KEPT",
    "Failure",
    "Limits",
    "SessionRecord",
    "SessionStore",
    "weight",
]

# What replaces an audio payload past a limit (not base64, so it decodes to nothing).
AUDIO_NOT_KEPT = "(audio not kept: the inspector's audio limit was reached)"
# The one field an event kept without its content has besides its type (and event_id).
EVENT_NOT_KEPT = "not_kept"
# What one string, number, object or array costs besides its characters (about what Python
# spends on it): what bounds the work of weighing an event, too.
_NODE = 64
_AUDIO_EVENT_WEIGHT = 4 * _NODE  # an append or delta's fields besides its (counted) audio


@dataclass(frozen=True)
class Limits:
    """How much the inspector keeps. Audio is counted in base64 characters (4 per 3 bytes)."""

    sessions: int = 200
    events_per_session: int = 20_000
    audio_per_session: int = 32 * 2**20  # ~8 min of 16 kHz input plus its answers
    audio_total: int = 256 * 2**20
    # Everything but audio, weighed by :func:`weight` (characters, and 64 per value): one
    # event's, one session's and all sessions' (a 25 MB session.update is kept as its type).
    content_per_event: int = 2**20
    content_per_session: int = 32 * 2**20
    content_total: int = 128 * 2**20

    def __post_init__(self) -> None:
        if min(self.sessions, self.events_per_session) < 1:
            raise ValueError("the inspector must keep at least one session and one event")
        if min(self.audio_per_session, self.audio_total) < 0:
            raise ValueError("audio limits must be >= 0")
        if min(self.content_per_event, self.content_per_session, self.content_total) < 0:
            raise ValueError("content limits must be >= 0")


@dataclass(frozen=True)
class Failure:
    """Something that failed inside the mock during a session."""

    t_ms: int
    kind: str  # "strict-mode violation", "replay departure" or "server failure"
    message: str


@dataclass(eq=False)
class SessionRecord:
    """One session as the inspector saw it."""

    id: str
    model: str
    family: str
    responder: Responder
    why: str
    started: float  # time.monotonic() at open
    started_wall: float  # time.time() at open
    events: list[tuple[int, str, Event]] = field(default_factory=list)  # (t_ms, direction, event)
    dropped_events: int = 0
    audio_chars: int = 0
    audio_dropped: bool = False
    content: int = 0  # the weight of the events kept, audio aside
    events_not_kept: int = 0  # events kept as their type alone (over a content limit)
    failures: list[Failure] = field(default_factory=list)
    ended: float | None = None
    close_code: int | None = None
    finished: bool = False  # session.finished was sent
    errors: int = 0  # `error` events sent
    audio: AudioIndex = field(default_factory=AudioIndex)  # decoded when a page asks
    # What the bounds dropped, by the Limits field that dropped it (docs/inspector.md): events
    # kept as their type alone, audio events kept without their audio; and whether all its audio
    # was dropped after it closed, to make room in audio_total for a newer session.
    not_kept_by: dict[str, int] = field(default_factory=dict)
    audio_not_kept_by: dict[str, int] = field(default_factory=dict)
    audio_stripped: bool = False

    def t_ms(self, now: float | None = None) -> int:
        """Milliseconds since the session opened (now, or at `now`)."""
        return int(((time.monotonic() if now is None else now) - self.started) * 1000)

    @property
    def live(self) -> bool:
        return self.ended is None

    @property
    def duration_ms(self) -> int:
        return self.t_ms(self.ended)

    @property
    def outcome(self) -> str:
        """live, error (a failure inside the mock or close 1011), finished, or closed."""
        if self.live:
            return "live"
        if self.failures or self.close_code == 1011:
            return "error"
        return "finished" if self.finished else "closed"


class SessionStore:
    """The bounded history of sessions, fed by the transport; pages read it on the same loop."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._records: dict[str, SessionRecord] = {}
        self.audio_chars = 0
        self.content = 0  # the weight of every session's events kept, audio aside
        self.sessions_forgotten = 0  # evicted to make room
        self.forgotten_by: dict[str, int] = {}  # the same, by the Limits field that evicted them
        self.version = 0  # grows with every change a page may want to show
        self.subscribers = 0  # open pages' update streams
        self._wake = asyncio.Event()

    # ---- the transport's side (hot path: record only) ------------------------------------

    def opened(self, session: Session, responder: Responder, why: str) -> None:
        while len(self._records) >= self.limits.sessions or self._content_crowded():
            self._evict(
                "sessions" if len(self._records) >= self.limits.sessions else "content_total"
            )
        self._make_room_for_audio()
        self._records[session.id] = SessionRecord(
            session.id,
            session.model_id,
            session.family.name,
            responder,
            why,
            time.monotonic(),
            time.time(),
        )
        self._changed()

    def event(self, session_id: str, model: str, direction: str, event: Event) -> None:
        record = self._records.get(session_id)
        if record is None:
            return
        if len(record.events) >= self.limits.events_per_session:
            record.dropped_events += 1
            return
        kind = event.get("type")
        if kind in (APPEND, AUDIO_DELTA):
            event = self._count_audio(record, event, "audio" if kind == APPEND else "delta")
            event = self._count_content(record, event, _AUDIO_EVENT_WEIGHT)
        else:
            event = self._count_content(record, event)
        if kind == "error":
            record.errors += 1
        elif kind == "session.finished":
            record.finished = True
        record.events.append((record.t_ms(), direction, event))
        self._changed()

    def failure(self, session_id: str | None, error: BaseException) -> None:
        record = self._records.get(session_id) if session_id is not None else None
        if record is None:
            return
        kind = (
            "strict-mode violation"
            if isinstance(error, StrictModeViolation)
            else "replay departure"
            if isinstance(error, ReplayMismatch)
            else "server failure"
        )
        record.failures.append(Failure(record.t_ms(), kind, f"{type(error).__name__}: {error}"))
        self._changed()

    def replayed(self, session_id: str, scenario: str | None, reason: str) -> None:
        record = self._records.get(session_id)
        if record is not None:
            record.why = reason
            self._changed()

    def closed(self, session_id: str, close_code: int | None) -> None:
        record = self._records.get(session_id)
        if record is not None:
            record.ended, record.close_code = time.monotonic(), close_code
            self._changed()

    def refused(self, url: str, reason: str) -> None:
        """A refused handshake has no session to show; the server's log has its WARNING line."""

    def _count_audio(self, record: SessionRecord, event: Event, field_name: str) -> dict[str, Any]:
        payload = event.get(field_name)
        if not isinstance(payload, str):
            return event
        size = len(payload)
        bound = (
            "audio_per_session"
            if record.audio_chars + size > self.limits.audio_per_session
            else "audio_total"
            if self.audio_chars + size > self.limits.audio_total
            else None
        )
        if bound is not None:
            record.audio_dropped = True
            _count(record.audio_not_kept_by, bound)
            return {**event, field_name: AUDIO_NOT_KEPT}
        record.audio_chars += size
        self.audio_chars += size
        return event

    def _count_content(self, record: SessionRecord, event: Event, size: int | None = None) -> Event:
        """`event`, or its type alone when it would cross a content limit."""
        limits = self.limits
        rooms = {  # the room each content bound leaves; the tightest one decides
            "content_per_event": limits.content_per_event,
            "content_per_session": limits.content_per_session - record.content,
            "content_total": limits.content_total - self.content,
        }
        bound = min(rooms, key=rooms.__getitem__)
        room = rooms[bound]
        size = weight(event, room) if size is None else size
        if size > room:
            record.events_not_kept += 1
            _count(record.not_kept_by, bound)
            return _not_kept(event, size, bound)
        record.content += size
        self.content += size
        return event

    def _content_crowded(self) -> bool:
        """A new session would not find a full session's room in the content total."""
        crowded = self.content > self.limits.content_total - self.limits.content_per_session
        return crowded and any(not record.live for record in self._records.values())

    def _changed(self) -> None:
        self.version += 1
        if self.subscribers:
            self._wake.set()

    def _evict(self, bound: str) -> None:
        """Forget the oldest closed session (the oldest of all if every one is live), because
        of `bound` (the Limits field that has no room for a new session)."""
        victim = next((r for r in self._records.values() if not r.live), None)
        victim = victim or next(iter(self._records.values()))
        del self._records[victim.id]
        self.audio_chars -= victim.audio_chars
        self.content -= victim.content
        self.sessions_forgotten += 1
        _count(self.forgotten_by, bound)

    def _make_room_for_audio(self) -> None:
        """Before a session opens: drop the audio of the oldest closed sessions until a full
        session's worth fits in the total (their events stay, marked as without audio)."""
        room = self.limits.audio_total - self.limits.audio_per_session
        for record in list(self._records.values()):
            if self.audio_chars <= room:
                return
            if not record.live and record.audio_chars:
                _strip_audio(record)
                self.audio_chars -= record.audio_chars
                record.audio_chars = 0

    # ---- the pages' side -------------------------------------------------------------------

    def sessions(self) -> list[SessionRecord]:
        """The sessions kept, newest first."""
        return list(reversed(self._records.values()))

    def get(self, session_id: str) -> SessionRecord | None:
        return self._records.get(session_id)

    async def wait_for_change(self, seen: int, timeout: float) -> None:
        """Return once `version` differs from `seen`, or after `timeout` seconds."""
        while self.version == seen:
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                return

    def wake_all(self) -> None:
        """Wake every waiting page stream (the server is shutting down)."""
        self.version += 1
        self._wake.set()


def weight(value: object, budget: int) -> int:
    """What keeping `value` costs: its strings' characters and 64 per value (string, number,
    object, array), counted until the total passes `budget` (so the work stays bounded)."""
    total = 0
    stack = [value]
    while stack and total <= budget:
        item = stack.pop()
        total += _NODE
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            total += sum(len(key) for key in item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return total


def _count(counts: dict[str, int], bound: str) -> None:
    counts[bound] = counts.get(bound, 0) + 1


def _not_kept(event: Event, size: int, bound: str) -> dict[str, Any]:
    """`event` as its type (and event_id) alone, saying why: its weight passed `bound`."""
    kept: dict[str, Any] = {
        key: value
        for key in ("type", "event_id")
        if isinstance(value := event.get(key), str) and len(value) <= _NODE
    }
    kept[EVENT_NOT_KEPT] = (
        f"over {size:,} characters: past the inspector's content limit (Limits.{bound}),"
        " only the type is kept"
    )
    return kept


def _strip_audio(record: SessionRecord) -> None:
    """Replace every audio payload of `record` by the AUDIO_NOT_KEPT marker."""
    record.audio_dropped = record.audio_stripped = True
    record.audio = AudioIndex()  # what it decoded goes too
    for index, (t_ms, direction, event) in enumerate(record.events):
        kind = event.get("type")
        if kind in (APPEND, AUDIO_DELTA):
            field_name = "audio" if kind == APPEND else "delta"
            record.events[index] = (t_ms, direction, {**event, field_name: AUDIO_NOT_KEPT})
