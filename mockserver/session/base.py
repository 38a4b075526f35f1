"""The protocol of one connection, with no I/O: client events in, server events out.

Open one through the registry (:meth:`~.registry.FamilyRegistry.open_session` picks the family's
class from the model). Feed client frames with :meth:`Session.receive_text` (or parsed events
with :meth:`Session.receive_event`), then take what to send: :meth:`Session.events_to_send`
drains everything, or a paced transport pulls one event at a time with
:meth:`Session.peek_event` / :meth:`Session.next_event`. There is no clock here.

Two lanes keep the order a live server has: events that answer the client at once (errors,
`session.updated`, speech events, transcripts) go out before the rest of a response that is still
streaming, while responses and `session.finished` go out one after another, in order.

What counts as "already played" when a `response.cancel` or a barge-in arrives is a
:class:`Playback` rule. `TRANSPORT` (realtime and recorded pace, where the wall clock is the
truth): what the transport has not pulled yet. `AUDIO_TIME` (fast pace): an answer started at
audio time T has played, by the time the client's audio reaches T + t, every event whose audio
starts at or before t (its playback length is its audio; its closing `.done` events play after
all of it, and at the earliest 1 ms after T, so a text-only answer is cancellable too); the rest
waits in the session, so a cut depends on the audio alone, never on how far a transport got.
This holds while the answer can still be cut: in every mode for a family whose client may send
`response.cancel` or `response.create` (a cancel sent right after the create, manual mode
included, finds the answer in progress), and when speech can interrupt it. The wait ends when
the audio gets there, at `session.finish`, or when the transport reports the client's input idle
(:meth:`Session.input_idle`, after `audio_idle_ms` without a client frame): docs/pace.md.

This base class holds only what every family shares: dispatch by event type (one `_on_<type>`
method per client event), schema checks, the two lanes, errors, `session.update` and
`session.finish`. Audio intake and VAD are an opt-in layer (:mod:`dashscope_realtime_mock.session.listening`);
each family's rules live in its package under :mod:`dashscope_realtime_mock.families`.
"""

from __future__ import annotations

import functools
import itertools
import random
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from dashscope_realtime_mock.schemas import Catalogue

from ..answers.corpus import CorpusResponder
from ..answers.responder import Responder
from ..media.pcm import OUTPUT_SAMPLE_RATE, base64_size
from ..protocol import inbound, wording
from ..protocol.behaviour import Behaviour, UnknownFields
from ..protocol.dialect import Dialect
from ..protocol.errors import SERVER_ERROR, ProtocolError
from ..protocol.ids import IdFactory
from ..protocol.rules import ConfigRules
from ..protocol.schema_checks import check_client_event, check_server_event
from ..protocol.spec import ModelSpec
from ..protocol.streams import TEXT_STREAM_EVENTS
from ..protocol.wire import Event
from ..responses.events import (
    STREAMED_DELTAS,
    ResponsePlan,
    ResponseStream,
    SentSoFar,
    cancelled_events,
)

__all__ = [
    "MADE_PER_STEP",
    "VALID",
    "ClientReferee",
    "FamilyFacts",
    "Playback",
    "SchemaVerdict",
    "Session",
]

# Events of a response made in one step (an audio delta of 200 ms costs about 100 µs to make and
# encode): a long answer is made a chunk at a time as it is sent, never all in one loop step.
MADE_PER_STEP = 16
# The deltas that take Behaviour.text_delta_ms of audio time to play where no audio is under them
# (Playback.AUDIO_TIME): without it, a long text-only answer was all due the instant it started
# and made whole in one step (20,000 events: 300 ms).
TEXT_DELTAS = TEXT_STREAM_EVENTS | {"response.function_call_arguments.delta"}

# A client event's schema check done ahead (Session.vet_frame): VALID, the error to answer, or
# None when it still has to be done.
VALID = True
SchemaVerdict = ProtocolError | bool | None


@functools.lru_cache(maxsize=64)
def _session_fields(schemas: Catalogue, family: str) -> frozenset[str]:
    """The `session` fields of `family`'s session.update schema, resolved once per catalogue."""
    resolved = schemas.resolved("client", "session.update", family) or {}
    session = resolved.get("properties", {}).get("session", {})
    return frozenset(session.get("properties", {}))


class Playback(str, Enum):
    """What counts as played when a cancel or a barge-in cuts an answer (see the module doc)."""

    TRANSPORT = "transport"  # what the transport has pulled (realtime and recorded pace)
    AUDIO_TIME = "audio_time"  # what the client's audio time says has played (fast pace)


class FamilyFacts(Protocol):
    """What a session reads of its family's record (:class:`~.family.Family` provides it)."""

    @property
    def name(self) -> str: ...

    @property
    def dialect(self) -> Dialect: ...

    @property
    def rules(self) -> ConfigRules: ...

    @property
    def schemas(self) -> Catalogue: ...


class ClientReferee(Protocol):
    """Judges each client event before the session acts on it (strict replay, replay/matchers.py)."""

    def check(self, event: Event) -> str | None:
        """None while the client does what is expected; else a report of how it departed."""
        ...

    def at_close(self) -> str | None:
        """The client closed: None if it did all that was recorded; else what it left undone."""
        ...


@dataclass
class Turn:
    """Events that go out after everything deferred before them: a response, or session.finished."""

    pending: deque[Event]
    plan: ResponsePlan | None = None
    # what of it reached the client (a summary: the events themselves are not kept)
    sent_so_far: SentSoFar = field(default_factory=SentSoFar)
    cancelled: bool = False
    # Playback.AUDIO_TIME: audio time the response started at, and for each pending event the ms
    # of the response's audio before it (when it is played, counted from start_ms)
    start_ms: int = 0
    offsets: deque[int] = field(default_factory=deque)
    played_out: bool = False  # the client's input went idle: all of it counts as played
    # The response's events (None: all made), made a chunk at a time as `pending` empties
    # (Session._make), their ids drawn then from the response's own factory
    stream: ResponseStream | None = None
    source: Iterator[Event] | None = None
    ids: IdFactory | None = None
    samples: int = 0  # audio samples in the events made so far (for their offsets)
    text_ms: int = 0  # text time of the text deltas made so far (Behaviour.text_delta_ms each)


def _waiting(turn: Turn) -> int:
    """Events of `turn` made and not sent, and one for the rest while any is not made yet."""
    return len(turn.pending) + (turn.source is not None)


class Session:
    """One realtime session; each family subclasses it (directly, or through a layer it opts into)."""

    def __init__(
        self,
        family: FamilyFacts,
        spec: ModelSpec,
        model_id: str | None = None,
        *,
        responder: Responder | None = None,
        rng: random.Random | None = None,
        behaviour: Behaviour | None = None,
        strict: bool = False,
        referee: ClientReferee | None = None,
        playback: Playback = Playback.TRANSPORT,
    ) -> None:
        self.family = family
        self.playback = Playback(playback)
        self.spec = spec
        self.strict = strict  # validate every server event against its schema
        self.model_id = model_id or spec.model_id
        # per-family choices resolved for this model once (Behaviour.resolve)
        self.behaviour = (behaviour or Behaviour()).resolve(family.name, spec.model_id)
        self.referee = referee
        self.departure: str | None = None  # strict replay: how the client departed, if it did
        # sees every parsed client event first (the transport's traffic capture)
        self.client_event_listener: Callable[[Event], None] | None = None
        self._schemas = family.schemas
        self._id_factory = IdFactory(rng)
        self._responder: Responder = responder or CorpusResponder()
        # events, or a response wholly released in fast pace whose rest is made as it is taken
        self._outbox: deque[Event | Turn] = deque()
        self._turn_queue: deque[Turn] = deque()
        # The response started whose events are not built yet (TRANSPORT playback, not strict):
        # see _start_response. Anything that draws an id or looks at the turns builds it first,
        # so there is never more than one.
        self._unbuilt: Turn | None = None
        self.id = self._ids.new("sess")
        self.conversation_id = self._ids.new("conv")
        self.config: dict[str, Any] = spec.default_session()
        self.finished = False
        self.close_code = 1000  # what the transport closes with once everything is sent
        self.close_reason = "session finished"
        self.expired = False
        self._last_item_id: str | None = None
        # the client can cut a response short (see _can_interrupt); fixed by the family's events
        self._client_can_cut = bool(
            {"response.cancel", "response.create"} & set(family.dialect.client_events)
        )
        # client event type → the name of its `_on_…` method (looked up per event, so a subclass
        # or a test that replaces a handler is always the one called)
        self._handlers: dict[str, str] = {
            name: "_on_" + name.replace(".", "_") for name in family.dialect.client_events
        }
        self._start()
        self._emit("session.created", session=self._render(updated=False))
        self._responder.observe_config(self._render(updated=True))
        if self.behaviour.updated_on_connect:
            # The SDK references: connect "Triggers session.created and session.updated events".
            self._emit("session.updated", session=self._render(updated=True))

    def _start(self) -> None:
        """Set up what a layer or family keeps per session (before session.created is made)."""

    @property
    def _ids(self) -> IdFactory:
        """Every id is drawn here; a response started but not built yet is built first, so ids
        come in the order building it at once would have drawn them."""
        if self._unbuilt is not None:
            self._build_started()
        return self._id_factory

    @property
    def _turns(self) -> deque[Turn]:
        """What goes out after the outbox, each response built (see :meth:`_start_response`)."""
        if self._unbuilt is not None:
            self._build_started()
        return self._turn_queue

    @property
    def output_head(self) -> object | None:
        """What goes out next, never building an answer: the next event, or the answer it
        belongs to while that is not built. The transport compares it before and after each
        client frame (a change: wake the send task); reading it cannot fail or cost a build."""
        if self._outbox or self.playback is Playback.AUDIO_TIME:
            head = self._outbox[0] if self._outbox else None
            return head.pending[0] if isinstance(head, Turn) and head.pending else head
        for turn in self._turn_queue:
            if turn is self._unbuilt:
                return turn
            if turn.pending:
                return turn.pending[0]
        return None

    @property
    def building_next(self) -> bool:
        """The next event to send belongs to a response whose events are not built yet; the
        transport may let other sessions send first (the next `peek_event` builds it)."""
        return self._unbuilt is not None and self.output_head is self._unbuilt

    # ---- the transport-facing interface -------------------------------------------------

    def peek_event(self) -> Event | None:
        """The next server event to send, without taking it (None: nothing to send now)."""
        while self._outbox:
            head = self._outbox[0]
            if not isinstance(head, Turn):
                return head
            if head.pending:
                return head.pending[0]
            self._outbox.popleft()  # a released response, all sent
        if self.playback is Playback.AUDIO_TIME:
            return None
        while self._turns and not self._turns[0].pending:
            self._turns.popleft()
        return self._turns[0].pending[0] if self._turns else None

    def next_event(self) -> Event | None:
        """Take the next server event to send; the transport calls this when it sends it."""
        if self.peek_event() is None:
            return None
        if self._outbox:
            head = self._outbox[0]
            if isinstance(head, Turn):
                return self._take(head, keep=False)
            self._outbox.popleft()
            return head
        return self._take(self._turns[0])

    def _take(self, turn: Turn, keep: bool = True) -> Event:
        """The next event of `turn` (`keep`: counted as sent, for a cut); the next chunk of its
        events is made when these run out."""
        event = turn.pending.popleft()
        if turn.offsets:
            turn.offsets.popleft()
        if keep:
            turn.sent_so_far.add(event)
        if not turn.pending and turn.source is not None:
            self._make(turn)
        return event

    def events_to_send(self) -> list[Event]:
        """Every server event ready now, in order (what an unpaced transport sends at once)."""
        out = []
        while (event := self.next_event()) is not None:
            out.append(event)
        return out

    @property
    def awaiting_audio(self) -> bool:
        """Playback.AUDIO_TIME: part of an answer waits for the client's audio to play it."""
        return self.playback is Playback.AUDIO_TIME and any(t.pending for t in self._turns)

    def input_idle(self) -> None:
        """The client's input went quiet (fast pace): every answer made so far counts as played.

        The transport calls this after `ServerOptions.audio_idle_ms` without a client frame
        while :attr:`awaiting_audio`; a client that keeps streaming never sees it.
        """
        for turn in self._turns:
            turn.played_out = True
        self._release_played()

    @property
    def unsent_events(self) -> int:
        """How many events wait to be sent (the transport's backpressure reads it). In fast pace
        the part of an answer still waiting for the client's audio does not count: only more
        audio from the client can release it, so reading must go on. An answer not built yet
        counts as one event (reading this never builds it)."""
        queued = sum(_waiting(e) if isinstance(e, Turn) else 1 for e in self._outbox)
        if self.playback is Playback.AUDIO_TIME:
            return queued
        return queued + sum(map(_waiting, self._turn_queue)) + (self._unbuilt is not None)

    @property
    def output_sample_rate(self) -> int:
        """The rate of the audio deltas this session sends (a listening family may change it)."""
        return OUTPUT_SAMPLE_RATE

    @property
    def session_cap_s(self) -> float:
        """Seconds after which the server ends the session (0: never); the transport keeps time."""
        return self.behaviour.session_cap_s or self.spec.session_cap_s

    def fail(self, message: str) -> None:
        """The transport hit an unexpected failure: emit the documented `server_error`, then stop."""
        self._turns.clear()
        self._error(ProtocolError("internal_error", message, type=SERVER_ERROR), None)
        self.finished = True
        self.close_code, self.close_reason = 1011, "server error"

    def expire(self) -> None:
        """The session cap was reached: the server closes (docs/protocol/events.md §1.8; no event is documented)."""
        self._turns.clear()
        self.finished = self.expired = True
        self.close_code = self.behaviour.cap_close_code
        self.close_reason = f"session duration limit reached ({self.session_cap_s:g} s)"

    def receive_text(self, frame: str) -> None:
        """A text frame from the client: JSON of one client event."""
        if not self.finished:
            self.receive_read(inbound.read_frame(frame))

    def receive_read(self, read: Event | inbound.Rejected, verdict: SchemaVerdict = None) -> None:
        """A text frame already read by :func:`~.inbound.read_frame`, and perhaps its schema
        verdict (:func:`vet_frame`): the transport reads and checks a long frame off the event
        loop, then hands the result here, in order."""
        if self.finished:
            return
        if isinstance(read, inbound.Rejected):
            self._error(read.error, read.event_id)
            return
        self.receive_event(read, schema_verdict=verdict)

    def vet_frame(self, frame: str) -> tuple[Event | inbound.Rejected, SchemaVerdict]:
        """Read `frame` and check its event against this family's schema, touching nothing of
        the session (so a transport may run it in a worker thread): (read, verdict)."""
        read = inbound.read_frame(frame)
        if isinstance(read, inbound.Rejected):
            return read, None
        kind = read.get("type")
        if not isinstance(kind, str) or kind not in self._handlers:
            return read, None  # answered by the session itself (missing or unknown type)
        try:
            check_client_event(read, self.family.name, self._schemas)
        except ProtocolError as exc:
            return read, exc
        return read, VALID

    def client_closed(self) -> str | None:
        """The client closed the connection; under strict replay, the report of what it left
        undone of the recording (also kept in `departure`), else None."""
        if self.referee is None or self.departure is not None:
            return None
        self.departure = self.referee.at_close()
        return self.departure

    def receive_binary(self, data: bytes) -> None:
        """A binary frame: the protocol only has JSON text frames (docs/protocol/events.md §1.4)."""
        if self.finished:
            return
        message = (
            f"Binary frames are not supported ({len(data)} bytes received); send JSON text frames "
            "with base64 audio in input_audio_buffer.append."
        )
        self._error(ProtocolError("invalid_frame", message), None)

    def receive_event(self, event: Event, *, schema_verdict: SchemaVerdict = None) -> None:
        """One parsed client event. Bad events get an `error` event; the session goes on."""
        if self.finished:
            return
        if self.client_event_listener is not None:
            self.client_event_listener(event)
        if self.referee is not None and (report := self.referee.check(event)):
            # Strict replay: a departure from the recording fails the session (server_error).
            self.departure = report
            self.fail(report)
            return
        event_id = event.get("event_id") if isinstance(event.get("event_id"), str) else None
        kind = event.get("type")
        if not isinstance(kind, str):
            self._error(wording.missing_parameter("type"), event_id)
            return
        handler_name = self._handlers.get(kind)
        if handler_name is None:
            self._error(self._unknown_event(kind), event_id)
            return
        try:
            if schema_verdict is None:
                check_client_event(event, self.family.name, self._schemas)
            elif isinstance(schema_verdict, ProtocolError):
                raise schema_verdict
            getattr(self, handler_name)(event)
        except ProtocolError as exc:
            self._error(exc, event_id)
        self._release_played()

    def _unknown_event(self, kind: str) -> ProtocolError:
        supported = ", ".join(f"'{t}'" for t in sorted(self._handlers))
        return ProtocolError(
            "invalid_value",
            f"Invalid value: '{wording.shortened(kind)}'. Supported values are: {supported}.",
            "type",
        )

    # ---- hooks of the layers and families -----------------------------------------------

    def _render(self, updated: bool) -> dict[str, Any]:
        """The `session` object of session.created / session.updated (the family's rules)."""
        return self.family.rules.render(
            self.spec, self.config, self.id, self.model_id, updated=updated
        )

    def _config_changed(self, old: dict[str, Any]) -> None:
        """After a session.update was applied: adapt to the new configuration."""

    def _finish_pending(self) -> None:
        """At session.finish: complete whatever the client left pending (docs/protocol/events.md §2.1 / §3.1)."""

    def _finished_event(self) -> Event:
        return {"type": "session.finished"}

    def _audio_now_ms(self) -> int:
        """The session's audio time (a listening layer counts the client's samples)."""
        return 0

    def _can_interrupt(self) -> bool:
        """Whether later input may still cut an answer short. A family whose client can send
        `response.cancel` or `response.create` can always cut one (the cancel window of
        docs/pace.md), in every mode; a family may add reasons of its own."""
        return self._client_can_cut

    # ---- client events every family has -------------------------------------------------

    def _on_session_update(self, event: Event) -> None:
        if self.behaviour.unknown_session_fields is UnknownFields.ERROR:
            known = self._session_fields()
            for name in event["session"]:
                if name not in known:
                    raise wording.unknown_parameter(f"session.{name}")
        old = self.config
        new = self.family.rules.apply_update(
            self.spec, self.config, event["session"], self.behaviour
        )
        # a replaying responder may refuse a config its fixture cannot answer (ProtocolError)
        self._responder.observe_config(
            self.family.rules.render(self.spec, new, self.id, self.model_id, updated=True)
        )
        self.config = new
        self._config_changed(old)
        self._emit("session.updated", session=self._render(updated=True))

    def _session_fields(self) -> frozenset[str]:
        """The fields this family's session.update schema names (Behaviour.unknown_session_fields)."""
        return _session_fields(self._schemas, self.family.name)

    def _on_session_finish(self, event: Event) -> None:
        # docs/protocol/events.md §2.1 / §3.1: finish every pending utterance, then session.finished.
        self._finish_pending()
        for turn in self._turns:  # no more audio will come: every answer plays out
            turn.played_out = True
        self._defer([self._finished_event()])
        self.finished = True

    # ---- output -------------------------------------------------------------------------

    def _emit(self, kind: str, **fields: Any) -> None:
        """Send at once (ahead of any response still streaming)."""
        self._outbox.append(self._stamp({"type": kind, **fields}))

    def _defer(self, events: list[Event], plan: ResponsePlan | None = None) -> None:
        """Send after everything deferred so far: a response's events, or session.finished."""
        self._turns.append(Turn(deque(self._stamp_all(events)), plan))
        self._release_played()

    def _stamp(self, event: Event) -> Event:
        return self._stamped(event, self._ids.new("event"))

    def _stamp_all(self, events: list[Event]) -> list[Event]:
        """What :meth:`_stamp` on each in turn gives (the same ids), with one draw for all.

        (Strict mode: an event that breaks its schema fails the session after every id of the
        batch was drawn, not just those before it; the ids that follow differ in a seeded run.)
        """
        ids = self._ids.new_many("event", len(events))
        return [self._stamped(event, event_id) for event, event_id in zip(events, ids, strict=True)]

    def _stamped(self, event: Event, event_id: str) -> Event:
        event = {"event_id": event_id, **event}
        if self.strict:
            check_server_event(event, self.family.name, self._schemas)
        return event

    def _start_response(self, plan: ResponsePlan) -> Turn:
        """Queue a response's events after everything deferred so far (the turn that holds
        them is returned: a family may follow how far it got).

        Paced by the transport (and not strict), its events are built when first needed: when
        the transport reaches them, or when anything draws an id or looks at the turns, whichever
        comes first. So an utterance's end sends speech_stopped without waiting for its whole
        answer to be built, and what is built, and every id, is what building it here would give
        (the plan fixes the content; nothing in this session can draw an id in between; sessions
        that share one seeded generator interleave their draws as their builds come). A build
        that fails raises from the call that needed it (the transport answers server_error).
        """
        turn = Turn(deque(), plan, start_ms=self._audio_now_ms())
        self._turns.append(turn)
        if self.playback is Playback.AUDIO_TIME or self.strict:
            self._build(turn)  # released by audio time at once; strict: checked as it is made
        else:
            self._unbuilt = turn
        self._release_played()
        return turn

    def _build_started(self) -> None:
        """Build the response started but not built yet (its callers check there is one)."""
        turn, self._unbuilt = self._unbuilt, None
        assert turn is not None
        self._build(turn)

    def _build(self, turn: Turn) -> None:
        """Give `turn`'s response its own id factory (one draw from the session's: the ids that
        follow do not depend on how long the response is) and make its first events; the rest
        are made as these are taken (strict: all of them now, each checked against its
        schema)."""
        assert turn.plan is not None
        turn.stream = ResponseStream(self.family.dialect, turn.plan)
        turn.source = iter(turn.stream)
        turn.ids = self._ids.fork()
        self._make(turn, sys.maxsize if self.strict else MADE_PER_STEP)

    def _make(self, turn: Turn, count: int = MADE_PER_STEP) -> None:
        """Make the next `count` events of `turn` (fewer when fewer are left), with their
        Playback.AUDIO_TIME offsets."""
        assert turn.plan is not None and turn.source is not None and turn.ids is not None
        events = list(itertools.islice(turn.source, count))
        if len(events) < count:
            turn.source = None  # all made
        made = []
        for event, event_id in zip(events, turn.ids.new_many("event", len(events)), strict=True):
            made.append(self._stamped(event, event_id))
            played_ms = max(turn.samples * 1000 // turn.plan.audio_rate, turn.text_ms)
            # The closing (`.done`) events play after the audio, and never at the instant the
            # response started: a text-only answer (or a tool call) stays cancellable too.
            turn.offsets.append(max(played_ms, 1) if event["type"].endswith(".done") else played_ms)
            if event["type"] == "response.audio.delta":
                turn.samples += base64_size(event["delta"]) // 2
            elif event["type"] in TEXT_DELTAS:
                turn.text_ms += self.behaviour.text_delta_ms
        self._made(made)
        turn.pending.extend(made)

    def _made(self, events: list[Event]) -> None:
        """Events of a response were just made (a family may adjust them before they queue)."""

    def _release_played(self) -> None:
        """Playback.AUDIO_TIME: move what has played by now into the send lane, in order."""
        if self.playback is not Playback.AUDIO_TIME:
            return
        now = self._audio_now_ms()
        while self._turns:
            turn = self._turns[0]
            held = (
                turn.plan is not None
                and not turn.cancelled
                and not turn.played_out
                and self._can_interrupt()
            )
            if not held and turn.source is not None:
                # all of it plays now: the rest is made as the transport takes it
                self._outbox.append(turn)
                self._turns.popleft()
                continue
            while turn.pending and (
                not held or not turn.offsets or turn.offsets[0] <= now - turn.start_ms
            ):
                self._outbox.append(self._take(turn))
            if turn.pending:
                return
            self._turns.popleft()

    def _active_response(self) -> Turn | None:
        """The response that has not finished sending (a cancel or barge-in can still stop it)."""
        for turn in self._turns:
            if turn.plan is not None and turn.pending and not turn.cancelled:
                return turn
        return None

    def _cancel_response(self, turn: Turn, reason: str) -> None:
        """Replace what is unsent of `turn` by its closing events (responses/events.py)."""
        assert turn.plan is not None
        late, stray = self._late_deltas(turn) if self.behaviour.late_deltas else ([], [])
        stream = turn.stream or ResponseStream(self.family.dialect, turn.plan)
        rest = cancelled_events(
            stream,
            turn.sent_so_far,
            reason,
            self.behaviour.cancel_sends_response_done,
            self.behaviour.cancelled_status.value,
        )
        turn.pending = deque([*late, *self._stamp_all(rest), *stray])
        turn.offsets.clear()
        turn.source = None
        turn.cancelled = True

    def _late_deltas(self, turn: Turn) -> tuple[list[Event], list[Event]]:
        """Behaviour.late_deltas: the unsent deltas that still go out before the closing events
        (counted as sent, so response.done includes them) and the one, if any, after it."""
        rng = random.Random(f"{self.id}:{turn.plan.response_id if turn.plan else ''}")
        while (
            len(turn.pending) <= 4 and turn.source is not None
        ):  # the most late deltas, and the next
            self._make(turn)
        streamed = []
        for event in turn.pending:
            if event["type"] not in STREAMED_DELTAS:
                break
            streamed.append(event)
        late = streamed[: rng.randint(1, 3)]
        for event in late:
            turn.sent_so_far.add(event)
        after = streamed[len(late) : len(late) + 1] if rng.random() < 0.25 else []
        return late, after if self.behaviour.cancel_sends_response_done else []

    def _error(self, exc: ProtocolError, client_event_id: str | None) -> None:
        self._emit(
            "error",
            error=exc.to_error_object(client_event_id, self.family.dialect.error_has_event_id),
        )
