"""The inspector's store keeps a bounded history: sessions, events and audio each have a limit."""

from __future__ import annotations

import pytest

from dashscope_realtime_mock.answers.corpus import CorpusResponder
from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.inspector import Limits
from dashscope_realtime_mock.inspector.store import (
    AUDIO_NOT_KEPT,
    SessionRecord,
    SessionStore,
    weight,
)
from dashscope_realtime_mock.inspector.views import summary
from dashscope_realtime_mock.protocol.schema_checks import StrictModeViolation
from tests.support import ASR

APPEND = {"type": "input_audio_buffer.append", "audio": "AAAA" * 100}  # 400 base64 characters


def _open(store: SessionStore) -> str:
    session = open_session(ASR)
    store.opened(session, CorpusResponder(), "no fixtures are loaded")
    return session.id


def _record(store: SessionStore, session_id: str) -> SessionRecord:
    """The store's record of `session_id`, which it must still hold."""
    record = store.get(session_id)
    assert record is not None, f"{session_id} was forgotten"
    return record


def test_only_the_latest_sessions_are_kept():
    """Past the session limit the oldest closed session is forgotten."""
    store = SessionStore(Limits(sessions=3))
    ids = [_open(store) for _ in range(3)]
    store.closed(ids[1], 1000)
    newest = _open(store)
    assert [r.id for r in store.sessions()] == [newest, ids[2], ids[0]]


def test_events_past_the_limit_are_counted_not_kept():
    """Past the per-session event limit, events are counted in the session's total only."""
    store = SessionStore(Limits(events_per_session=2))
    session_id = _open(store)
    for n in range(5):
        store.event(session_id, ASR, "client", {"type": "session.update", "n": n})
    record = _record(store, session_id)
    assert len(record.events) == 2 and summary(record)["events"] == 5


def test_audio_past_the_session_limit_is_replaced_by_a_marker():
    """An append past the per-session audio limit is kept without its audio."""
    store = SessionStore(Limits(audio_per_session=1000))
    session_id = _open(store)
    for _ in range(3):
        store.event(session_id, ASR, "client", APPEND)
    audio = [event["audio"] for _, _, event in _record(store, session_id).events]
    assert audio == [APPEND["audio"], APPEND["audio"], AUDIO_NOT_KEPT]
    assert _record(store, session_id).audio_dropped


def _closed_session_with_audio(store: SessionStore) -> str:
    """A closed session holding two appends of audio (800 characters)."""
    old = _open(store)
    store.event(old, ASR, "client", APPEND)
    store.event(old, ASR, "client", APPEND)
    store.closed(old, 1000)
    return old


def test_a_new_session_takes_the_audio_of_the_oldest_closed_one():
    """When the total audio is full, opening a session drops the oldest closed session's audio."""
    store = SessionStore(Limits(audio_per_session=800, audio_total=1200))
    old = _closed_session_with_audio(store)
    _open(store)
    assert store.audio_chars == 0
    assert _record(store, old).events[0][2]["audio"] == AUDIO_NOT_KEPT


@pytest.mark.parametrize(
    ("finished", "close_code", "outcome"),
    [(True, 1000, "finished"), (False, 1006, "closed"), (True, 1011, "error")],
)
def test_the_outcome_follows_how_the_session_ended(finished, close_code, outcome):
    """finished after session.finished, closed with a code otherwise, error on close 1011."""
    store = SessionStore()
    session_id = _open(store)
    assert _record(store, session_id).outcome == "live"
    if finished:
        store.event(session_id, ASR, "server", {"type": "session.finished"})
    store.closed(session_id, close_code)
    assert (_record(store, session_id).outcome, _record(store, session_id).close_code) == (
        outcome,
        close_code,
    )


def test_a_strict_mode_violation_is_recorded_as_such():
    """A failure inside the mock is kept with its kind, and the session's outcome is error."""
    store = SessionStore()
    session_id = _open(store)
    store.failure(session_id, StrictModeViolation("response.done: 'usage' is required"))
    store.event(session_id, ASR, "server", {"type": "session.finished"})
    store.closed(session_id, 1000)
    record = _record(store, session_id)
    assert record.outcome == "error" and record.failures[0].kind == "strict-mode violation"


def test_bad_limits_are_refused():
    """A limit that keeps nothing fails when the limits are built."""
    with pytest.raises(ValueError, match="at least one session"):
        Limits(sessions=0)


def test_weighing_an_event_stops_past_its_budget():
    """weight() walks no further than the budget, however large the event."""
    huge = {"items": [{"text": "x"} for _ in range(100_000)]}
    assert 1000 < weight(huge, 1000) < 1000 + 200
    assert weight({"type": "a"}, 10**9) == 64 * 2 + len("type") + 1


def _updates(store: SessionStore, session_id: str, count: int, characters: int) -> None:
    """`count` client session.update events, each carrying `characters` of instructions."""
    update = {"type": "session.update", "session": {"instructions": "x" * characters}}
    for _ in range(count):
        store.event(session_id, ASR, "client", update)


def test_sessions_forgotten_are_counted_by_the_session_bound():
    """A session forgotten because the list is full counts against Limits.sessions."""
    store = SessionStore(Limits(sessions=2))
    for _ in range(4):
        store.closed(_open(store), 1000)
    assert store.forgotten_by == {"sessions": 2}


def test_sessions_forgotten_for_content_are_counted_by_the_content_total():
    """A session forgotten because the content total has no room counts against content_total."""
    store = SessionStore(Limits(content_per_session=1000, content_total=1500))
    old = _open(store)
    _updates(store, old, 1, 700)
    store.closed(old, 1000)
    _open(store)
    assert store.forgotten_by == {"content_total": 1}


@pytest.mark.parametrize(
    ("limits", "bound"),
    [
        (Limits(content_per_event=500), "content_per_event"),
        (Limits(content_per_session=1000), "content_per_session"),
        (Limits(content_per_session=1000, content_total=900), "content_total"),
    ],
)
def test_events_kept_as_their_type_are_counted_by_the_bound_that_had_no_room(limits, bound):
    """Of the content bounds, the one with the least room is the one an event is counted under."""
    store = SessionStore(limits)
    session_id = _open(store)
    _updates(store, session_id, 3, 400)  # ~600 each with the 64-per-value weights
    record = _record(store, session_id)
    assert record.not_kept_by == {bound: record.events_not_kept}
    assert record.events_not_kept >= 2
    assert f"Limits.{bound}" in record.events[-1][2]["not_kept"]


@pytest.mark.parametrize(
    ("limits", "bound"),
    [
        (Limits(audio_per_session=1000), "audio_per_session"),
        (Limits(audio_per_session=2000, audio_total=1000), "audio_total"),
    ],
)
def test_audio_not_kept_is_counted_by_its_bound(limits, bound):
    """Each append kept without its audio counts under the audio bound it would have passed."""
    store = SessionStore(limits)
    session_id = _open(store)
    for _ in range(4):
        store.event(session_id, ASR, "client", APPEND)
    assert _record(store, session_id).audio_not_kept_by == {bound: 2}


def test_audio_taken_for_a_newer_session_is_marked_as_such():
    """A closed session whose audio a newer one took says so; one that kept its audio does not."""
    store = SessionStore(Limits(audio_per_session=800, audio_total=1200))
    old = _closed_session_with_audio(store)
    new = _open(store)
    assert _record(store, old).audio_stripped and not _record(store, new).audio_stripped
