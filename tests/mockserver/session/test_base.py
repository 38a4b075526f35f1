"""The shared session base: the two output lanes a transport pulls from (session.py)."""

from __future__ import annotations

import random

import pytest

from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.protocol.behaviour import Behaviour, UnknownFields
from tests.support import ASR, LIVETRANSLATE, OMNI, new_session, send, stream, types


def _manual_omni_with_answer_queued(speech):
    s = new_session(OMNI)
    send(s, type="session.update", session={"turn_detection": None})
    stream(s, speech, end_ms=speech.gap_middle_ms)
    send(s, type="input_audio_buffer.commit")
    s.receive_event({"type": "response.create"})
    return s


def test_peek_does_not_take(speech_en):
    """peek_event shows the next event without taking it; next_event takes that same event."""
    s = _manual_omni_with_answer_queued(speech_en)
    head = s.peek_event()
    assert s.peek_event() is head and s.next_event() is head
    assert s.peek_event() is not head


def test_immediate_answers_overtake_a_streaming_response(speech_en):
    """An error or session.updated goes out before the unsent rest of a response."""
    s = _manual_omni_with_answer_queued(speech_en)
    assert s.next_event()["type"] == "response.created"
    s.receive_event({"type": "session.update", "session": {}})
    s.receive_event({"type": "no.such.event"})
    assert types([s.next_event(), s.next_event()]) == ["session.updated", "error"]
    assert s.next_event()["type"] == "response.output_item.added"


def test_session_finished_waits_for_the_response(speech_en):
    """session.finished is deferred behind a response still being sent."""
    s = _manual_omni_with_answer_queued(speech_en)
    s.receive_event({"type": "session.finish"})
    assert s.finished
    kinds = types(s.events_to_send())
    assert kinds[0] == "response.created" and kinds[-2:] == ["response.done", "session.finished"]


def test_fail_drops_the_unsent_response_and_reports_server_error(speech_en):
    """An internal failure: what was not sent is dropped; the last event is server_error; close 1011."""
    s = _manual_omni_with_answer_queued(speech_en)
    s.next_event()
    s.fail("boom")
    [error] = s.events_to_send()
    assert error["error"]["type"] == "server_error" and s.close_code == 1011


def test_expire_ends_the_session_without_an_event(speech_en):
    """The session cap: nothing more is sent; the transport closes with the cap code."""
    s = _manual_omni_with_answer_queued(speech_en)
    s.expire()
    assert s.finished and s.expired and s.events_to_send() == [] and s.close_code == 1000


def test_cancel_before_anything_was_sent_is_a_bare_cancelled_response(speech_en):
    """A response cancelled before its first event: response.created then response.done cancelled."""
    s = _manual_omni_with_answer_queued(speech_en)
    s.receive_event({"type": "response.cancel"})
    events = s.events_to_send()
    assert types(events) == ["response.created", "response.done"]
    assert events[1]["response"]["status"] == "cancelled" and events[1]["response"]["output"] == []


def _lazy_omni_with_answer_started(modalities: list[str] | None = None):
    """A session paced by the transport (not strict): its answer is built when first needed."""
    s = open_session(OMNI, rng=random.Random(3))
    s.events_to_send()
    s.receive_event({"type": "session.update", "session": {"turn_detection": None}})
    s.events_to_send()
    s.receive_event({"type": "response.create", "response": {"modalities": modalities or ["text"]}})
    return s


def test_an_answer_not_built_yet_counts_as_one_unsent_event_and_builds_when_peeked():
    s = _lazy_omni_with_answer_started()
    assert s.building_next and s.unsent_events == 1
    head = s.output_head
    assert s.output_head is head and s.building_next  # reading the head builds nothing
    assert s.peek_event()["type"] == "response.created"
    assert not s.building_next and s.unsent_events > 1
    s.events_to_send()
    assert s.unsent_events == 0 and s.output_head is None


def test_an_answer_built_later_keeps_the_modalities_asked_for():
    """The client's list is copied when the answer starts, not read when it is built."""
    modalities = ["text"]
    s = _lazy_omni_with_answer_started(modalities)
    modalities.append("audio")  # a caller reusing its event after handing it over
    created = s.peek_event()
    assert created["type"] == "response.created"
    assert created["response"]["modalities"] == ["text"]


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (OMNI, "foo"),
        (LIVETRANSLATE, "instructions"),
        (LIVETRANSLATE, "temperature"),
        (ASR, "tools"),
    ],
)
def test_an_unknown_session_field_can_be_refused(model, field):
    """unknown_session_fields=error: a field the family's schema lacks gets unknown_parameter."""
    s = new_session(model, behaviour=Behaviour(unknown_session_fields=UnknownFields.ERROR))
    [error] = send(s, type="session.update", session={field: 1})
    assert error["error"]["code"] == "unknown_parameter"
    assert error["error"]["param"] == f"session.{field}"


def test_an_unknown_session_field_is_ignored_and_not_echoed_by_default():
    """unknown_session_fields=ignore (default): taken, and session.updated does not echo it."""
    s = new_session(LIVETRANSLATE)
    [updated] = send(s, type="session.update", session={"instructions": "be brief"})
    assert updated["type"] == "session.updated" and "instructions" not in updated["session"]
