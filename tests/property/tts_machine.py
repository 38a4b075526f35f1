"""A RuleBasedStateMachine over the TTS session core: any sequence of text events keeps the
TTS protocol (docs/protocol/tts.md §6).

Rules are the family's client events (session.update from hand-picked and schema-drawn configs,
appends of any text, commit, clear, response.cancel, session.finish, appends after the finish)
and `pull`, the transport taking some of the pending events, which lets a cancel land part-way.
The shared invariants (schemas, dialect, session.created first, nothing after session.finished)
and the TTS ones (:func:`check_tts_responses`) run after every step.
"""

from __future__ import annotations

import random

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.protocol.behaviour import (
    Behaviour,
    TtsResponseOrder,
    TtsSegmentation,
    TtsUpdateUntil,
)
from dashscope_realtime_mock.session.base import Playback, Session
from tests.invariants import (
    Trace,
    check_dialect,
    check_nothing_after_finished,
    check_schemas,
    check_starts_with_session_created,
)

__all__ = ["check_tts_responses", "tts_machine"]

_HEAD = ["response.created", "response.output_item.added", "response.content_part.added"]
_TAILS = (
    ["response.audio.done", "response.content_part.done", "response.output_item.done"],
    ["response.content_part.done", "response.output_item.done", "response.audio.done"],
)
_ALLOWED_ERRORS = {
    "invalid_value",
    "invalid_type",
    "missing_required_parameter",
    "input_text_buffer_commit_empty",
    "response_cancel_not_active",
}

texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["Hello there.", "您好，我是千问。", " and then", "!", "\n", "   ", "word "]),
)
updates = st.fixed_dictionaries(
    {},
    optional={
        "mode": st.sampled_from(["server_commit", "commit", "bogus"]),
        "voice": st.sampled_from(["Cherry", "Ethan", "Nobody"]),
        "response_format": st.sampled_from(["pcm", "wav", "mp3"]),
        "sample_rate": st.sampled_from([8000, 16000, 24000, 44100]),
        "speech_rate": st.floats(0.25, 2.5),
        "volume": st.integers(-5, 105),
        "language_type": st.sampled_from(["Auto", "English", "Klingon"]),
    },
)


def check_tts_responses(trace: Trace) -> None:
    """Each response is created, its item and part opened, audio deltas, the three closings in
    one of the two documented orders, then response.done; one at a time, ids agreeing; every
    error is one a client event may provoke (never a server_error)."""
    current: list[str] = []
    response_id = None
    for event in trace.server:
        kind = event["type"]
        if kind == "error":
            assert event["error"]["code"] in _ALLOWED_ERRORS, event
            continue
        if not kind.startswith("response."):
            assert response_id is None or kind in (
                "input_text_buffer.committed",
                "input_text_buffer.cleared",
                "session.updated",
            ), f"{kind} inside a response"
            continue
        if kind == "response.created":
            assert response_id is None, "a response started inside another"
            response_id = event["response"]["id"]
            current = []
        else:
            assert response_id is not None, f"{kind} outside a response"
            owner = event["response"]["id"] if kind == "response.done" else event["response_id"]
            assert owner == response_id
        if kind != "response.audio.delta":
            current.append(kind)
        if kind == "response.done":
            assert current[:3] == _HEAD and current[3:6] in _TAILS and len(current) == 7, current
            response_id = None


def tts_machine(model: str) -> type[RuleBasedStateMachine]:
    """The machine class for one TTS model."""

    class TtsMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.session: Session
            self.trace = Trace(model, updated_on_connect=False)

        @initialize(
            seed=st.integers(0, 2**16),
            playback=st.sampled_from(Playback),
            segmentation=st.sampled_from(TtsSegmentation),
            order=st.sampled_from(TtsResponseOrder),
            until=st.sampled_from(TtsUpdateUntil),
            cap=st.sampled_from([40, 20_000]),
        )
        def open(self, seed, playback, segmentation, order, until, cap):
            behaviour = Behaviour(
                tts_segmentation=segmentation,
                tts_response_order=order,
                tts_update_until=until,
                tts_text_buffer_cap_chars=cap,
            )
            self.session = open_session(
                model, rng=random.Random(seed), behaviour=behaviour, playback=playback
            )
            self.trace.received(self.session.events_to_send())

        def _send(self, event: dict) -> None:
            self.trace.sent(event, 0)
            self.session.receive_event(event)

        @rule(count=st.integers(1, 6))
        def pull(self, count):
            """The transport sends a few of the pending events."""
            for _ in range(count):
                event = self.session.next_event()
                if event is None:
                    break
                self.trace.received([event])

        @precondition(lambda self: not self.session.finished)
        @rule(session=updates)
        def update(self, session):
            self._send({"type": "session.update", "session": session})

        @precondition(lambda self: not self.session.finished)
        @rule(text=texts)
        def append(self, text):
            self._send({"type": "input_text_buffer.append", "text": text})

        @precondition(lambda self: not self.session.finished)
        @rule()
        def commit(self):
            self._send({"type": "input_text_buffer.commit"})

        @precondition(lambda self: not self.session.finished)
        @rule()
        def clear(self):
            self._send({"type": "input_text_buffer.clear"})

        @precondition(lambda self: not self.session.finished)
        @rule()
        def cancel(self):
            self._send({"type": "response.cancel"})

        @precondition(lambda self: not self.session.finished)
        @rule()
        def finish(self):
            self._send({"type": "session.finish"})

        @precondition(lambda self: self.session.finished)
        @rule(text=texts)
        def append_after_finish(self, text):
            """Nothing answers text sent after the finish (the invariants check it)."""
            self._send({"type": "input_text_buffer.append", "text": text})

        @invariant()
        def protocol_holds(self):
            for check in (
                check_schemas,
                check_dialect,
                check_starts_with_session_created,
                check_nothing_after_finished,
                check_tts_responses,
            ):
                check(self.trace)

        def teardown(self):
            self.trace.received(self.session.events_to_send())
            check_tts_responses(self.trace)
            check_nothing_after_finished(self.trace)

    TtsMachine.__name__ = TtsMachine.__qualname__ = f"TtsMachine[{model}]"
    return TtsMachine
