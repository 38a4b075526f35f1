"""Each invariant fails on a session with one rule deliberately broken, found by the state machine.

If an invariant could never fail, these tests would: each flips one rule of the session core and
expects the machine to report exactly that invariant's message.
"""

from __future__ import annotations

import dataclasses
import types

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.protocol.errors import ProtocolError
from dashscope_realtime_mock.responses.events import response_events
from tests.property.machines import session_machine
from tests.support import ASR, LIVETRANSLATE, LIVETRANSLATE_35, OMNI

HUNT = settings(
    max_examples=400,
    stateful_step_count=30,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    report_multiple_bugs=False,
    derandomize=True,  # the same hunt on every run: a rule either is caught or is not
    suppress_health_check=list(HealthCheck),
)


def _broken(patch):
    """A session factory whose sessions have `patch(session)` applied."""

    def factory(model, **options):
        session = open_session(model, **options)
        patch(session)
        return session

    return factory


def _override(session, name, function):
    setattr(session, name, types.MethodType(function, session))


def _no_audio_start(session):
    def speech_started(self, segment):
        self._emit("input_audio_buffer.speech_started", item_id=segment.item_id)

    _override(session, "_speech_started", speech_started)


def _committed_with_previous_id(session):
    def emit_committed(self, item_id):
        self._emit("input_audio_buffer.committed", previous_item_id=None, item_id=item_id)

    _override(session, "_emit_committed", emit_committed)


def _second_session_created(session):
    original = session._on_session_update

    def on_update(self, event):
        original(event)
        self._emit("session.created", session=self._render(updated=False))

    _override(session, "_on_session_update", on_update)


def _event_after_finished(session):
    original = session._on_session_finish

    def on_finish(self, event):
        original(event)
        self._defer([{"type": "session.finished"}])  # finished, twice

    _override(session, "_on_session_finish", on_finish)


def _part_closed_early(session):
    def start_response(self, plan):
        events = response_events(self.family.dialect, plan)
        kinds = [e["type"] for e in events]
        if "response.content_part.done" in kinds and "response.content_part.added" in kinds:
            part_done = events.pop(kinds.index("response.content_part.done"))
            events.insert(kinds.index("response.content_part.added") + 1, part_done)
        self._defer(events, plan)

    _override(session, "_start_response", start_response)


def _speech_stopped_dropped(session):
    original = session._emit

    def emit(self, kind, **fields):
        if kind != "input_audio_buffer.speech_stopped":
            original(kind, **fields)

    _override(session, "_emit", emit)


def _empty_commit_accepted(session):
    def on_commit(self, event):
        self._commit_buffer()

    _override(session, "_on_input_audio_buffer_commit", on_commit)


def _undocumented_error(session):
    def on_clear(self, event):
        raise ProtocolError("buffer_on_fire", "The buffer is on fire.")

    _override(session, "_on_input_audio_buffer_clear", on_clear)


def _usage_off_by_one(session):
    original = session._start_response

    def off_by_one(usage):
        details = {
            **usage["output_tokens_details"],
            "audio_tokens": usage["output_tokens_details"].get("audio_tokens", 0) + 1,
        }
        return {**usage, "output_tokens_details": details}

    def start_response(self, plan):
        # a walked answer's usage is made at its end (partial_usage): both are off by one
        partial = plan.partial_usage
        return original(
            dataclasses.replace(
                plan,
                usage=off_by_one(plan.usage) if plan.usage is not None else None,
                partial_usage=(lambda tokens, samples: off_by_one(partial(tokens, samples)))
                if partial is not None
                else None,
            )
        )

    _override(session, "_start_response", start_response)


def _block_edited(edit):
    """A patch that applies `edit(events, kinds)` to every response block before it is queued."""

    def patch(session):
        def start_response(self, plan):
            events = response_events(self.family.dialect, plan)
            edit(events, [e["type"] for e in events])
            self._defer(events, plan)

        _override(session, "_start_response", start_response)

    return patch


def _moved(kind: str, before: str):
    """Every response block has its `kind` event moved to just before its `before` event."""

    def edit(events, kinds):
        if kind in kinds and before in kinds:
            moved = events.pop(kinds.index(kind))
            events.insert([e["type"] for e in events].index(before), moved)

    return _block_edited(edit)


def _dropped(kind: str):
    """Every response block loses its `kind` event."""

    def edit(events, kinds):
        if kind in kinds:
            events.pop(kinds.index(kind))

    return _block_edited(edit)


def _committed_before_speech_stopped(session):
    original = session._emit

    def emit(self, kind, **fields):
        if kind == "input_audio_buffer.speech_started":
            original(kind, **fields)
            original("input_audio_buffer.committed", item_id=fields["item_id"])
            return
        original(kind, **fields)

    _override(session, "_emit", emit)


def _transcript_text_after_completed(session):
    original = session._emit_final_transcript

    def emit_final(self, item_id, transcript):
        original(item_id, transcript)
        self._emit_transcription_text(item_id, transcript.text, final=True)

    _override(session, "_emit_final_transcript", emit_final)


def _cleared_unasked(session):
    session._emit("input_audio_buffer.cleared")  # right after session.created, unasked


def _manual_commit_answered(session):
    original = session._commit_buffer

    def commit(self):
        original()
        self._respond()

    _override(session, "_commit_buffer", commit)


BROKEN = [
    ("check_schemas", OMNI, _no_audio_start, "breaks its schema"),
    ("check_dialect", OMNI, _committed_with_previous_id, "committed fields"),
    ("check_starts_with_session_created", ASR, _second_session_created, "a second session.created"),
    ("check_nothing_after_finished", ASR, _event_after_finished, "events after session.finished"),
    (
        "check_responses_nested",
        LIVETRANSLATE_35,
        _part_closed_early,
        "outside an open content part",
    ),
    ("check_speech_events", LIVETRANSLATE, _speech_stopped_dropped, "speech_started twice"),
    ("check_committed_needs_audio", ASR, _empty_commit_accepted, "committed #"),
    ("check_errors_allowed", OMNI, _undocumented_error, "buffer_on_fire"),
    ("check_usage_matches_audio", OMNI, _usage_off_by_one, "usage says"),
    (
        "check_part_order[item created late]",
        OMNI,
        _moved("conversation.item.created", before="response.content_part.done"),
        "not right after its output_item.added",
    ),
    (
        "check_part_order[no transcript done]",
        OMNI,
        _dropped("response.audio_transcript.done"),
        "response.audio.done before response.audio_transcript.done",
    ),
    (
        "check_part_order[no text done]",
        OMNI,
        _dropped("response.text.done"),
        r"content_part.done before \['response.text.done'\]",
    ),
    (
        "check_part_order[no arguments done]",
        OMNI,
        _dropped("response.function_call_arguments.done"),
        "before function_call_arguments.done",
    ),
    (
        "check_user_turn_order[committed early]",
        OMNI,
        _committed_before_speech_stopped,
        "committed .*(before its|without a) speech_stopped",
    ),
    (
        "check_user_turn_order[text after completed]",
        ASR,
        _transcript_text_after_completed,
        "after the transcript of",
    ),
    (
        "check_answers_follow_requests[cleared unasked]",
        OMNI,
        _cleared_unasked,
        r"input_audio_buffer.cleared #\d+ with no client event",
    ),
    (
        "check_answers_follow_requests[manual commit answered]",
        OMNI,
        _manual_commit_answered,
        r"response.created #\d+ with no client event",
    ),
]


@pytest.mark.parametrize(
    ("invariant", "model", "patch", "message"), BROKEN, ids=[b[0] for b in BROKEN]
)
def test_the_machine_catches_a_broken_rule(invariant, model, patch, message):
    """With one rule broken, the state machine fails with that invariant's message."""
    with pytest.raises(AssertionError, match=message):
        run_state_machine_as_test(session_machine(model, factory=_broken(patch)), settings=HUNT)
