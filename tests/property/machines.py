"""A RuleBasedStateMachine over the pure session core, built per model (one per family).

`session_machine(model)` returns a machine class whose rules are the family's client events (and
a few malformed frames), plus `pull`: the transport taking some of the pending server events,
which is what lets cancels and barge-ins land part-way through a response. Every invariant of
`tests/invariants.py` runs after every step. Each sequence draws its :class:`Playback`: transport
playback (realtime and recorded pace: what `pull` took has played) or audio time (fast pace: what
the client's audio says has played; `input_idle` is the transport reporting the client quiet).
`factory` lets a test swap in a deliberately broken session to show that the machine catches it.
"""

from __future__ import annotations

import base64
import random
from collections import Counter
from collections.abc import Callable

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from dashscope_realtime_mock import families as registry
from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.families.omni.next_models import NextOmniModel
from dashscope_realtime_mock.session.base import Playback, Session
from tests import strategies
from tests.invariants import Trace, check_all

__all__ = ["STEPS", "session_machine"]

# Rules and sequences run, per machine name: `make fuzz` prints them (tests/property/conftest.py).
STEPS: Counter = Counter()
SEQUENCES: Counter = Counter()


def session_machine(
    model: str, factory: Callable[..., Session] = open_session
) -> type[RuleBasedStateMachine]:
    found = registry.lookup(model)
    assert found is not None, f"unknown model {model}"
    family = found.family
    accepted = family.dialect.client_events
    serves_mcp = isinstance(found.spec, NextOmniModel) and found.spec.mcp_tools

    def has(kind: str):
        return precondition(lambda self: kind in accepted and not self.session.finished)

    class SessionMachine(RuleBasedStateMachine):
        calls = Bundle("calls")

        def __init__(self) -> None:
            super().__init__()
            self.session: Session | None = None
            self.trace = Trace(model)
            self.audio_ms = 0
            self.sent = 0
            self.item_ids: list[str] = []

        @initialize(
            behaviour=strategies.behaviours(),
            seed=st.integers(0, 2**16),
            manual=st.booleans(),
            tools=st.booleans(),
            playback=st.sampled_from(Playback),
        )
        def open(self, behaviour, seed, manual, tools, playback):
            """A session with any of the documented-open choices, in either playback; half start
            in manual mode, and Omni half the time with a tool (so tool calls and their outputs
            get exercised)."""
            self.session = factory(
                model, rng=random.Random(seed), behaviour=behaviour, playback=playback
            )
            self.trace.cancel_sends_response_done = behaviour.cancel_sends_response_done
            self.trace.updated_on_connect = self.session.behaviour.updated_on_connect
            self.trace.received(self.session.events_to_send())
            start: dict[str, object] = {"turn_detection": None} if manual else {}
            if tools and family.name in ("omni", "qwen_audio"):
                start["tools"] = strategies.TOOLS
            if start:
                self._send({"type": "session.update", "session": start})

        # ---- helpers -------------------------------------------------------------------

        def _send(self, event: dict) -> None:
            assert self.session is not None  # open runs before every rule
            self.sent += 1
            event = {"event_id": f"event_{self.sent}", **event}
            self.session.receive_event(event)
            self.trace.sent(event, self.audio_ms)

        def _take(self, count: int | None) -> list[dict]:
            assert self.session is not None  # open runs before every rule
            taken: list[dict] = []
            while count is None or len(taken) < count:
                event = self.session.next_event()
                if event is None:
                    break
                taken.append(event)
            self.trace.received(taken)
            for event in taken:
                if event["type"] == "input_audio_buffer.committed" and "item_id" in event:
                    self.item_ids.append(event["item_id"])
            return taken

        # ---- the transport -------------------------------------------------------------

        @rule(target=calls, count=st.integers(1, 80))
        def pull(self, count):
            """The transport sends `count` pending events (fewer if fewer are ready)."""
            taken = self._take(count)
            return multiple(
                *[
                    e["call_id"]
                    for e in taken
                    if e["type"] == "response.function_call_arguments.done"
                ]
            )

        @precondition(lambda self: self.session.awaiting_audio)
        @rule()
        def input_idle(self):
            """Fast pace: the client went quiet, so every answer made so far counts as played."""
            assert self.session is not None  # open runs before every rule
            self.session.input_idle()

        # ---- client events -------------------------------------------------------------

        @has("session.update")
        @rule(session=strategies.session_updates(model))
        def update(self, session):
            self._send({"type": "session.update", "session": session})

        @has("input_audio_buffer.append")
        @rule(run=strategies.audio_runs())
        def append(self, run):
            kind, ms = run
            # the audio is 16 kHz PCM, but it lasts as long as the rate the session was told
            assert self.session is not None  # open runs before every rule
            rate = self.session.config.get("sample_rate", 16000)
            for chunk in strategies.chunks_of(kind, ms):
                self.audio_ms += len(base64.b64decode(chunk)) // 2 * 1000 // rate
                self._send({"type": "input_audio_buffer.append", "audio": chunk})

        @has("input_audio_buffer.append")
        @rule(audio=st.sampled_from(["not base64!", "", 7]))
        def append_bad_audio(self, audio):
            self._send({"type": "input_audio_buffer.append", "audio": audio})

        @has("input_audio_buffer.commit")
        @rule()
        def commit(self):
            self._send({"type": "input_audio_buffer.commit"})

        @has("input_audio_buffer.clear")
        @rule()
        def clear(self):
            self._send({"type": "input_audio_buffer.clear"})

        @has("input_image_buffer.append")
        @rule(image=strategies.images())
        def image(self, image):
            self._send(
                {"type": "input_image_buffer.append", "image": base64.b64encode(image).decode()}
            )

        @has("response.create")
        @rule(
            options=st.sampled_from(
                [
                    None,
                    {},
                    {"modalities": ["text"]},
                    {"instructions": "Be brief."},
                    {"modalities": ["audio"]},
                ]
            )
        )
        def response_create(self, options):
            event = {"type": "response.create"}
            if options is not None:
                event["response"] = options
            self._send(event)

        @has("response.cancel")
        @rule()
        def response_cancel(self):
            self._send({"type": "response.cancel"})

        @has("conversation.item.create")
        @rule(call_id=calls, output=strategies.tool_outputs())
        def tool_output(self, call_id, output):
            self._send(
                {
                    "type": "conversation.item.create",
                    "item": {"type": "function_call_output", "call_id": call_id, "output": output},
                }
            )

        @has("conversation.item.create")
        @rule(text=st.sampled_from(["Hi", "What is the weather?"]))
        def user_text(self, text):
            self._send(
                {
                    "type": "conversation.item.create",
                    "item": {
                        "type": "message",
                        "role": "user",
                        "content": [{"type": "input_text", "text": text}],
                    },
                }
            )

        @precondition(lambda self: serves_mcp and not self.session.finished)
        @rule(tools=st.sampled_from(strategies.MCP_TOOLS))
        def mcp_question(self, tools):
            """qwen3.8: an MCP server, then a question that its tool answers."""
            self._send({"type": "session.update", "session": {"tools": tools}})
            self._send(
                {
                    "type": "conversation.item.create",
                    "item": {
                        "type": "message",
                        "role": "user",
                        "content": [{"type": "input_text", "text": "Where is the station?"}],
                    },
                }
            )
            self._send({"type": "response.create"})

        @has("conversation.item.create")
        @rule(approve=st.booleans())
        def mcp_approval(self, approve):
            """qwen3.8: answer the latest mcp_approval_request (any other model: an error)."""
            requests = [
                e["item"]["id"]
                for e in self.trace.server
                if e["type"] == "conversation.item.created"
                and e["item"]["type"] == "mcp_approval_request"
            ]
            self._send(
                {
                    "type": "conversation.item.create",
                    "item": {
                        "type": "mcp_approval_response",
                        "approval_request_id": requests[-1] if requests else "mcpr_none",
                        "approve": approve,
                    },
                }
            )

        @precondition(
            lambda self: (
                "conversation.item.create" in accepted
                and self.item_ids
                and not self.session.finished
            )
        )
        @rule(data=st.data())
        def reuse_item_id(self, data):
            """A client item with an id the server already used: a duplicate."""
            item_id = data.draw(st.sampled_from(self.item_ids))
            self._send(
                {
                    "type": "conversation.item.create",
                    "item": {
                        "id": item_id,
                        "type": "function_call_output",
                        "call_id": "call_x",
                        "output": "x",
                    },
                }
            )

        @has("conversation.item.retrieve")
        @rule(data=st.data())
        def retrieve_item(self, data):
            """Qwen-Audio: ask for an item the server made, or for one that does not exist."""
            item_id = data.draw(st.sampled_from([*self.item_ids, "item_unknown"]))
            self._send({"type": "conversation.item.retrieve", "item_id": item_id})

        @has("conversation.item.retrieve")  # the families that manage their conversation
        @rule(data=st.data(), role=st.sampled_from(["system", "assistant"]))
        def insert_message(self, data, role):
            """Qwen-Audio: a system or assistant message after an item (perhaps unknown)."""
            event: dict = {
                "type": "conversation.item.create",
                "item": {
                    "type": "message",
                    "role": role,
                    "content": [
                        {
                            "type": "output_text" if role == "assistant" else "input_text",
                            "text": "Hi",
                        }
                    ],
                },
            }
            previous = data.draw(st.sampled_from([None, *self.item_ids, "item_unknown"]))
            if previous is not None:
                event["previous_item_id"] = previous
            self._send(event)

        @has("conversation.item.delete")
        @rule(data=st.data())
        def delete_item(self, data):
            """Qwen-Audio: delete an item the server made (perhaps already deleted), or none."""
            item_id = data.draw(st.sampled_from([*self.item_ids, "item_unknown"]))
            self._send({"type": "conversation.item.delete", "item_id": item_id})

        @precondition(lambda self: not self.session.finished)
        @rule(
            frame=st.sampled_from(
                ["not json", "[1, 2]", '{"type": 5}', '{"type": "no.such.event"}']
            )
        )
        def malformed_frame(self, frame):
            assert self.session is not None  # open runs before every rule
            self.session.receive_text(frame)
            self.trace.sent(None, self.audio_ms)

        @has("session.finish")
        @rule()
        def finish(self):
            self._send({"type": "session.finish"})

        @precondition(lambda self: self.session.finished)
        @rule()
        def audio_after_finish(self):
            """After the end nothing more is answered (the invariants check nothing follows)."""
            self._send(
                {
                    "type": "input_audio_buffer.append",
                    "audio": strategies.chunks_of("speech", 100)[0],
                }
            )

        # ---- invariants ----------------------------------------------------------------

        @invariant()
        def protocol_holds(self):
            STEPS[type(self).__name__] += 1  # invariants run after every step
            check_all(self.trace)

        def teardown(self):
            SEQUENCES[type(self).__name__] += 1
            if self.session is not None:
                if self.session.awaiting_audio:
                    self.session.input_idle()  # what the transport does once the client is quiet
                self._take(None)
                check_all(self.trace)

    SessionMachine.__name__ = SessionMachine.__qualname__ = f"SessionMachine[{model}]"
    return SessionMachine
