"""The event block of one response, in the documented order (docs/protocol/events.md §2.4, §4.4, docs/protocol/sequences.md §3.5).

A message: `response.created` → `response.output_item.added` → `conversation.item.created` →
`response.content_part.added` → streamed text (LiveTranslate `text`+`stash`, Omni `delta`)
interleaved with `response.audio.delta` → `*.done` → `response.content_part.done` →
`response.output_item.done` → `response.done`. A tool call replaces the content part with
`response.function_call_arguments.delta`/`.done`. Built as plain dicts without `event_id`; the
session stamps those. :func:`cancelled_events` ends a response part-way (cancel, barge-in).
"""

from __future__ import annotations

import base64
import contextlib
import math
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..media.pcm import OUTPUT_SAMPLE_RATE, base64_size
from ..media.speech import Speech
from ..protocol.dialect import Dialect
from ..protocol.streams import TEXT_STREAM_EVENTS
from ..protocol.text import split_units, text_tokens
from ..protocol.wire import Event, message_item
from .walk import Budget, Walk

__all__ = [
    "AUDIO_DELTA_MS",
    "DELTAS_AT_ONCE",
    "STREAMED_DELTAS",
    "UNITS_PER_STEP",
    "FunctionCall",
    "ResponsePlan",
    "ResponseStream",
    "SentSoFar",
    "cancelled_events",
    "response_events",
]

AUDIO_DELTA_MS = 200  # audio per `response.audio.delta`, at most
UNITS_PER_STEP = 3  # words (or CJK characters) revealed per streamed text event


@dataclass(frozen=True)
class ResponsePlan:
    """Everything that decides one response's events."""

    response_id: str
    item_id: str
    conversation_id: str
    previous_item_id: str | None
    modalities: list[str]
    voice: str
    output_audio_format: str
    text: str
    # int16 at `audio_rate` (or a Speech made where it is sliced); None for text-only output
    audio: np.ndarray | Speech | None
    # usage for the whole answer; None when it is known only once the answer is read
    # (`partial_usage` of what was said: an answer cut by `budget`)
    usage: dict[str, Any] | None
    function_call: FunctionCall | None = None  # the output item is this tool call, not a message
    # conversation.item.created for the assistant item inside the response (not on LiveTranslate
    # G1 pages: Behaviour.livetranslate_shape)
    item_created: bool = True
    # how the response ends when nothing cuts it: "completed", or "incomplete" with its
    # status_details (Omni max_tokens: {"type": "incomplete", "reason": "max_output_tokens"})
    status: str = "completed"
    status_details: dict[str, Any] | None = None
    audio_rate: int = OUTPUT_SAMPLE_RATE  # of `audio` (session.audio may ask for another)
    # usage for what was actually said (its text tokens, audio samples) when the response is cut
    # short, or when it is known only once said
    partial_usage: Callable[[int, int], dict[str, Any]] | None = None
    # the most output tokens the answer may cost: it is cut where the next unit would pass it
    # (an answer read through a Walk: synthesized speech or none)
    budget: Budget | None = None

    @property
    def walked(self) -> bool:
        """A message answer read a few units at a time as its events are made
        (responses/walk.py): its speech, if any, is synthesized here, so how long it is need not
        be known before it is streamed. Recorded audio (an array) is spread over the text."""
        return self.function_call is None and not isinstance(self.audio, np.ndarray)


@dataclass(frozen=True)
class FunctionCall:
    call_id: str
    name: str
    arguments: str  # the full JSON string


def _response_object(
    plan: ResponsePlan, status: str, output: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": plan.response_id,
        "object": "realtime.response",
        "conversation_id": plan.conversation_id,
        "status": status,
        "modalities": list(plan.modalities),
        "voice": plan.voice,
        "output_audio_format": plan.output_audio_format,
        "output": output,
    }


def _item(
    plan: ResponsePlan, status: str, content: list[dict[str, Any]], arguments: str | None = None
) -> dict[str, Any]:
    if plan.function_call is not None:
        call = plan.function_call
        return {
            "id": plan.item_id,
            "object": "realtime.item",
            "type": "function_call",
            "status": status,
            "call_id": call.call_id,
            "name": call.name,
            "arguments": call.arguments if arguments is None else arguments,
        }
    return message_item(plan.item_id, "assistant", content, status)


def _stream_steps(text: str, n_samples: int) -> Iterator[tuple[str, str, int, int]]:
    """(confirmed text, stash, first sample, end sample) for each streamed step, made as asked
    (the confirmed text grows a step at a time, so a long answer costs linear time)."""
    units = split_units(text)
    steps = max(1, math.ceil(len(units) / UNITS_PER_STEP))
    confirmed = ""
    for k in range(1, steps + 1):
        stash = "".join(units[(k - 1) * UNITS_PER_STEP : k * UNITS_PER_STEP])
        yield confirmed, stash, n_samples * (k - 1) // steps, n_samples * k // steps
        confirmed += stash


def _walked_steps(walk: Walk) -> Iterator[tuple[str, str, int, int]]:
    """:func:`_stream_steps` of a walked answer: each step's audio is the speech of its units."""
    confirmed, first, stepped = "", 0, False
    while not (walk.finished and stepped):
        units = walk.take(UNITS_PER_STEP)
        if stepped and not units:
            return
        stash = "".join(units)
        stepped = True
        yield confirmed, stash, first, walk.spoken
        confirmed, first = confirmed + stash, walk.spoken


# Deltas encoded at once: a step's audio (three units of up to 32 syllables each, about 20 s; or
# a recording spread over few units) is encoded this many deltas at a time as they are taken, so
# making a chunk of events encodes about as many deltas as it holds (96 at once took 5 ms).
DELTAS_AT_ONCE = 8


def _step_deltas(audio: np.ndarray | Speech, start: int, end: int, rate: int) -> Iterator[str]:
    """:func:`_audio_deltas` of `audio[start:end]`, the same pieces, encoded DELTAS_AT_ONCE at
    a time as they are taken."""
    span = rate * AUDIO_DELTA_MS // 1000 * DELTAS_AT_ONCE
    for first in range(start, end, span):
        yield from _audio_deltas(audio, first, min(end, first + span), rate)


def _audio_deltas(audio: np.ndarray | Speech, start: int, end: int, rate: int) -> list[str]:
    """The base64 `delta`s of `audio[start:end]`, AUDIO_DELTA_MS each.

    Synthesized answers are cached and read-only (:func:`~..media.speech.synthesize_speech`), so
    sessions that give the same answer share its encoded deltas too: encoding is most of the
    cost of a response, and many sessions reaching the same point at once (a load test) would
    otherwise each pay it in the same event-loop step.
    """
    key = (id(audio), start, end, rate)
    cached = _ENCODED.get(key)
    if cached is not None and cached[0]() is audio:
        with contextlib.suppress(KeyError):  # another server thread may have just evicted it
            _ENCODED.move_to_end(key)
        return cached[1]
    chunks = []
    step = rate * AUDIO_DELTA_MS // 1000
    for first in range(start, end, step):
        piece = audio[first : min(end, first + step)]
        chunks.append(base64.b64encode(piece.astype("<i2").tobytes()).decode("ascii"))
    if _immutable(audio):
        # a weak reference: the cache never keeps an answer's speech alive (a long one's
        # layout is megabytes) and an id reused by another object is told apart (dead: None)
        _ENCODED[key] = (weakref.ref(audio), chunks)
        while len(_ENCODED) > _ENCODED_ENTRIES:
            with contextlib.suppress(KeyError):  # emptied by another server thread meanwhile
                _ENCODED.popitem(last=False)
    return chunks


_ENCODED_ENTRIES = 256  # stretches of audio (a few per answer); about 10 MB at most
_ENCODED: OrderedDict[
    tuple[int, int, int, int], tuple[weakref.ref[np.ndarray | Speech], list[str]]
] = OrderedDict()


def _immutable(audio: np.ndarray | Speech) -> bool:
    """No one can change these samples: neither the array nor anything it views is writeable."""
    if isinstance(audio, Speech):
        return True  # made from its text alone
    base: object = audio
    while isinstance(base, np.ndarray):
        if base.flags.writeable:
            return False
        base = base.base
    return base is None or isinstance(base, bytes)


def _item_created(dialect: Dialect, plan: ResponsePlan) -> Event:
    event: dict[str, Any] = {"type": "conversation.item.created"}
    if dialect.item_created_has_previous_id:
        event["previous_item_id"] = plan.previous_item_id
    event["item"] = _item(plan, "in_progress", [], "")
    return event


def _function_call_events(dialect: Dialect, plan: ResponsePlan, call: FunctionCall) -> list[Event]:
    """The events of a response whose output item is `call` (the plan's function_call)."""
    where = {
        "response_id": plan.response_id,
        "item_id": plan.item_id,
        "output_index": 0,
        "call_id": call.call_id,
    }
    pieces = split_units(call.arguments) or [call.arguments]
    events: list[Event] = [
        _created(plan),
        {
            "type": "response.output_item.added",
            "response_id": plan.response_id,
            "output_index": 0,
            "item": _item(plan, "in_progress", [], ""),
        },
        *([_item_created(dialect, plan)] if plan.item_created else []),
    ]
    step = UNITS_PER_STEP
    events += [
        {
            "type": "response.function_call_arguments.delta",
            **where,
            "delta": "".join(pieces[k : k + step]),
        }
        for k in range(0, len(pieces), step)
    ]
    events.append(
        {
            "type": "response.function_call_arguments.done",
            **where,
            "name": call.name,
            "arguments": call.arguments,
        }
    )
    events.append(
        {
            "type": "response.output_item.done",
            "response_id": plan.response_id,
            "output_index": 0,
            "item": _item(plan, "completed", []),
        }
    )
    done = _response_object(plan, "completed", [_item(plan, "completed", [])])
    done["usage"] = plan.usage
    events.append({"type": "response.done", "response": done})
    return events


def response_events(dialect: Dialect, plan: ResponsePlan) -> list[Event]:
    """All events of a completed response for `plan`, in wire order."""
    return list(ResponseStream(dialect, plan))


class ResponseStream:
    """The events of a completed response for `plan`, in wire order, made as they are taken.

    Nothing is made before it is taken, and a walked answer (:attr:`ResponsePlan.walked`) is
    read only as far as the events taken so far: a long answer costs, in any one step, only the
    events that step takes. :meth:`closing` gives the structural events that end it after a cut,
    without making a delta.
    """

    def __init__(self, dialect: Dialect, plan: ResponsePlan) -> None:
        self.dialect = dialect
        self.plan = plan
        self._head = _head_events(dialect, plan)
        speech = plan.audio if isinstance(plan.audio, Speech) else None
        self._walk = Walk(plan.text, plan.budget, speech) if plan.walked else None
        self._streamed = 0  # streamed events made so far
        self._streaming_done = False

    def __iter__(self) -> Iterator[Event]:
        plan = self.plan
        if plan.function_call is not None:
            yield from _function_call_events(self.dialect, plan, plan.function_call)
            return
        yield from self._head
        for event in _streamed(self.dialect, plan, self._walk):
            self._streamed += 1
            yield event
        self._streaming_done = True
        said = _Said.of(plan, self._walk)
        yield from _tail_events(self.dialect, plan, said)
        yield _response_done(plan, said)

    def first(self) -> Event:
        """`response.created`."""
        return _created(self.plan)

    def closing(self, index: int) -> list[Event]:
        """The events at `index` and after that a cancel keeps, once `index` events were
        taken: no delta, no `response.done` (what :func:`cancelled_events` gives the `.done`
        events of the parts opened; their text is what was sent, filled in there)."""
        plan = self.plan
        if plan.function_call is not None:
            events = _function_call_events(self.dialect, plan, plan.function_call)
            return [
                e
                for e in events[index:]
                if e["type"] not in _STREAMED and e["type"] != "response.done"
            ]
        tail = _tail_events(self.dialect, plan, _Said("", 0, plan.status, plan.status_details, 0))
        if not self._streaming_done:
            return [*self._head[index:], *tail]  # the tail is not reached before streaming ends
        tail_start = len(self._head) + self._streamed
        return [*self._head[index:], *tail[max(0, index - tail_start) :]]


@dataclass(frozen=True)
class _Said:
    """What a completed message response said: its text, audio samples and how it ended."""

    text: str
    samples: int
    status: str
    status_details: dict[str, Any] | None
    tokens: int  # of the text (the walk counted them as it read)

    @classmethod
    def of(cls, plan: ResponsePlan, walk: Walk | None) -> _Said:
        """Once the answer is streamed: the plan's, or what its walk read."""
        if walk is None:
            samples = len(plan.audio) if plan.audio is not None else 0
            tokens = text_tokens(plan.text) if plan.usage is None else 0  # (usage is known)
            return cls(plan.text, samples, plan.status, plan.status_details, tokens)
        if walk.cut and plan.budget is not None and plan.budget.reports_cut:
            details = {"type": "incomplete", "reason": "max_output_tokens"}
            return cls(walk.text, walk.spoken, "incomplete", details, walk.tokens)
        return cls(walk.text, walk.spoken, plan.status, plan.status_details, walk.tokens)

    def usage(self, plan: ResponsePlan) -> dict[str, Any]:
        """The plan's usage, or (None: known only now) that of what was said."""
        if plan.usage is not None:
            return plan.usage
        assert plan.partial_usage is not None, "a plan without usage needs partial_usage"
        return plan.partial_usage(self.tokens, self.samples)


def _created(plan: ResponsePlan) -> Event:
    """`response.created`, the first event of every response."""
    return {"type": "response.created", "response": _response_object(plan, "in_progress", [])}


def _where(plan: ResponsePlan) -> dict[str, Any]:
    return {
        "response_id": plan.response_id,
        "item_id": plan.item_id,
        "output_index": 0,
        "content_index": 0,
    }


def _part_type(plan: ResponsePlan) -> str:
    return "audio" if plan.audio is not None else "text"


def _head_events(dialect: Dialect, plan: ResponsePlan) -> list[Event]:
    """A message response's events before its first streamed one."""
    return [
        _created(plan),
        {
            "type": "response.output_item.added",
            "response_id": plan.response_id,
            "output_index": 0,
            "item": _item(plan, "in_progress", []),
        },
        *([_item_created(dialect, plan)] if plan.item_created else []),
        {
            "type": "response.content_part.added",
            **_where(plan),
            "part": {"type": _part_type(plan), "text": ""},
        },
    ]


def _streamed(dialect: Dialect, plan: ResponsePlan, walk: Walk | None) -> Iterator[Event]:
    """A message response's text and audio deltas, interleaved, made one step at a time."""
    audio = plan.audio
    where = _where(plan)
    stream_type = dialect.transcript_stream if audio is not None else dialect.text_stream
    if walk is not None:
        steps = _walked_steps(walk)
    else:
        steps = _stream_steps(plan.text, len(audio) if audio is not None else 0)
    for confirmed, stash, first, end in steps:
        if dialect.stream_has_stash:
            yield {"type": stream_type, **where, "text": confirmed, "stash": stash}
        elif stash:
            yield {"type": stream_type, **where, "delta": stash}
        if audio is not None:
            for d in _step_deltas(audio, first, end, plan.audio_rate):
                yield {"type": "response.audio.delta", **where, "delta": d}
    if dialect.stream_has_stash:
        text = walk.text if walk is not None else plan.text
        yield {"type": stream_type, **where, "text": text, "stash": ""}


def _item_status(status: str) -> str:
    return "completed" if status == "completed" else "incomplete"


def _tail_events(dialect: Dialect, plan: ResponsePlan, said: _Said) -> list[Event]:
    """A message response's closing `.done` events after its last streamed one (not
    `response.done`)."""
    where = _where(plan)
    part_type = _part_type(plan)
    events: list[Event] = []
    if plan.audio is not None:
        events.append({"type": "response.audio_transcript.done", **where, "transcript": said.text})
        events.append({"type": "response.audio.done", **where})
    else:
        events.append({"type": "response.text.done", **where, "text": said.text})
    # Doc quirk kept (tests/schemas/examples/SOURCES.md): parts and output_item.done carry `text` even for
    # audio parts, while response.done uses `transcript` for them.
    events.append(
        {
            "type": "response.content_part.done",
            **where,
            "part": {"type": part_type, "text": said.text},
        }
    )
    item = _item(plan, _item_status(said.status), [{"type": part_type, "text": said.text}])
    events.append(
        {
            "type": "response.output_item.done",
            "response_id": plan.response_id,
            "output_index": 0,
            "item": item,
        }
    )
    return events


def _response_done(plan: ResponsePlan, said: _Said) -> Event:
    final_content = (
        {"type": "audio", "transcript": said.text}
        if plan.audio is not None
        else {"type": "text", "text": said.text}
    )
    output = [_item(plan, _item_status(said.status), [final_content])]
    done = _response_object(plan, said.status, output)
    if said.status_details is not None:
        done["status_details"] = said.status_details
    done["usage"] = said.usage(plan)
    return {"type": "response.done", "response": done}


_STREAMED = TEXT_STREAM_EVENTS | {
    "response.audio.delta",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
}


# The deltas of a response: what a cut response may still send late (Behaviour.late_deltas).
STREAMED_DELTAS = _STREAMED - {"response.function_call_arguments.done"}


@dataclass
class SentSoFar:
    """What of a response reached the client before a cut, kept up as each event is sent, so a
    cancel of a long answer does not read every event sent again."""

    count: int = 0  # events
    text: str = ""  # text shown
    audio_deltas: int = 0
    audio_bytes: int = 0  # what the audio deltas carry (PCM16: two a sample)
    arguments: str = ""  # tool arguments
    item_opened: bool = False  # response.output_item.added was sent

    @property
    def samples(self) -> int:
        """PCM16 audio samples sent."""
        return self.audio_bytes // 2

    def add(self, event: Event) -> None:
        """`event` of the response was sent."""
        self.count += 1
        kind = event["type"]
        if kind in ("response.text.text", "response.audio_transcript.text"):
            self.text = event["text"] + event["stash"]
        elif kind in ("response.text.delta", "response.audio_transcript.delta"):
            self.text += event["delta"]
        elif kind == "response.audio.delta":
            self.audio_deltas += 1
            self.audio_bytes += base64_size(event["delta"])
        elif kind == "response.function_call_arguments.delta":
            self.arguments += event["delta"]
        elif kind == "response.output_item.added":
            self.item_opened = True


def cancelled_events(
    stream: ResponseStream,
    sent: SentSoFar,
    reason: str,
    send_done: bool,
    status: str = "cancelled",
) -> list[Event]:
    """What replaces the unsent rest of a response when it is cancelled after `sent`.

    No more deltas; every part already opened gets its `.done` with the text sent so far
    (docs/protocol/events.md §4.1: the `.done` events also fire on cancellation); the item ends `incomplete`
    and `response.done` says `status` (Behaviour.cancelled_status) with OpenAI beta's
    `status_details` (`client_cancelled`
    or `turn_detected`), unless `send_done` is off (Behaviour.cancel_sends_response_done).
    """
    plan = stream.plan
    text, samples, arguments = sent.text, sent.samples, sent.arguments
    item_opened = sent.item_opened
    rest: list[Event] = []
    if not sent.count:
        if not send_done:
            return []  # nothing reached the client, and nothing will: the response never was
        rest.append(stream.first())  # nothing reached the client: created and cancelled at once
    elif item_opened:
        # The rest of the structure, minus every delta: parts opened get their .done events.
        rest += [_with_partial(e, plan, text, arguments) for e in stream.closing(sent.count)]
    output = []
    if item_opened:
        final = (
            {"type": "audio", "transcript": text}
            if plan.audio is not None
            else {"type": "text", "text": text}
        )
        output.append(_item(plan, "incomplete", [] if plan.function_call else [final], arguments))
    if send_done:
        done = _response_object(plan, status, output)
        done["status_details"] = {"type": status, "reason": reason}
        usage = plan.partial_usage
        done["usage"] = usage(text_tokens(text), samples) if usage is not None else plan.usage
        assert done["usage"] is not None, "a plan without usage needs partial_usage"
        rest.append({"type": "response.done", "response": done})
    return rest


def _with_partial(event: Event, plan: ResponsePlan, text: str, arguments: str) -> Event:
    """A closing event of the plan rewritten to carry only what was sent."""
    event = dict(event)
    kind = event["type"]
    if kind == "response.text.done":
        event["text"] = text
    elif kind == "response.audio_transcript.done":
        event["transcript"] = text
    elif kind == "response.content_part.done":
        event["part"] = {**event["part"], "text": text}
    elif kind == "response.output_item.done":
        content = [] if plan.function_call else [{**event["item"]["content"][0], "text": text}]
        event["item"] = _item(plan, "incomplete", content, arguments)
    return event
