"""Strict replay is judged inside the session core: no socket is needed to see a departure."""

from __future__ import annotations

from pathlib import Path

from dashscope_realtime_mock.answers.corpus import CorpusResponder
from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.replay.matchers import ReplayReferee
from dashscope_realtime_mock.replay.responders import ScriptedResponder
from dashscope_realtime_mock.replay.store import load_library

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
FIXTURE = load_library(FIXTURES / "scenarios")["asr-manual"]


def _session():
    responder = ScriptedResponder.from_fixture(FIXTURE, CorpusResponder())
    return open_session(
        FIXTURE.header["model"], responder=responder, referee=ReplayReferee(FIXTURE)
    )


def test_a_departing_client_event_fails_the_session_with_the_report():
    """An event the recording does not have ends the session with server_error and the report."""
    session = _session()
    session.receive_event({"event_id": "e1", "type": "session.finish"})
    events = session.events_to_send()
    error = events[-1]["error"]
    assert error["type"] == "server_error" and "strict replay of 'asr-manual'" in error["message"]
    assert session.departure == error["message"]
    assert session.finished and session.close_code == 1011


def test_an_event_the_recording_has_is_let_through():
    """The recorded first client event passes the referee and is answered normally."""
    first = next(line["event"] for line in FIXTURE.events if line["dir"] == "client")
    session = _session()
    session.receive_event(dict(first))
    assert session.departure is None
    kinds = [e["type"] for e in session.events_to_send()]
    assert kinds == ["session.created", "session.updated", "session.updated"]
