"""What the inspector's bounds dropped, as the sentences the page shows: how many, the bound's
value and its name in Limits; nothing at all when nothing was dropped."""

from __future__ import annotations

import pytest

from dashscope_realtime_mock.answers.corpus import CorpusResponder
from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.inspector import Limits
from dashscope_realtime_mock.inspector.bounds import bound_text, session_notes, store_notes
from dashscope_realtime_mock.inspector.store import SessionRecord, SessionStore
from tests.support import ASR

APPEND = {"type": "input_audio_buffer.append", "audio": "AAAA" * 100}  # 400 base64 characters
UPDATE = {"type": "session.update", "session": {"instructions": "x" * 400}}  # weighs ~600


def _session(store: SessionStore) -> SessionRecord:
    session = open_session(ASR)
    store.opened(session, CorpusResponder(), "no fixtures are loaded")
    record = store.get(session.id)
    assert record is not None
    return record


def _texts(record: SessionRecord, limits: Limits) -> list[str]:
    return [note["text"] for note in session_notes(record, limits)]


def test_a_bound_is_named_with_its_value_and_its_limits_field():
    """Sizes in MiB or KiB when whole, characters otherwise; counts with thousands separators."""
    limits = Limits(content_per_event=300_000)
    assert bound_text("content_per_session", limits) == (
        "the inspector keeps at most 32 MiB of non-audio content per session"
        " (Limits.content_per_session)"
    )
    assert bound_text("content_per_event", limits) == (
        "the inspector keeps at most 300,000 characters of non-audio content per event"
        " (Limits.content_per_event)"
    )
    assert bound_text("events_per_session", limits) == (
        "the inspector keeps at most 20,000 events per session (Limits.events_per_session)"
    )


def test_nothing_dropped_says_nothing():
    """A session within every bound, in a store that forgot nothing: no statement at all."""
    store = SessionStore()
    record = _session(store)
    store.event(record.id, ASR, "client", APPEND)
    store.event(record.id, ASR, "client", UPDATE)
    assert session_notes(record, store.limits) == [] and store_notes(store) == []


@pytest.mark.parametrize(
    ("limits", "event", "sentence"),
    [
        (
            Limits(content_per_event=512),
            UPDATE,
            "2 events of this session were kept as their type only: the inspector keeps at most"
            " 512 characters of non-audio content per event (Limits.content_per_event).",
        ),
        (
            Limits(events_per_session=1),
            APPEND,
            "1 event of this session was not kept, only counted: the inspector keeps at most"
            " 1 event per session (Limits.events_per_session).",
        ),
    ],
    ids=["past the per-event bound", "past the event count (singular)"],
)
def test_events_a_bound_dropped_are_counted_with_that_bound(limits, event, sentence):
    """Two events, one past a bound each time: one sentence, with the count and the bound."""
    store = SessionStore(limits)
    record = _session(store)
    for _ in range(2):
        store.event(record.id, ASR, "client", event)
    assert _texts(record, limits) == [sentence]


def test_audio_not_kept_says_what_lacks_it():
    """Audio events past audio_per_session: counted, the bound named, the waveform said to lack it."""
    limits = Limits(audio_per_session=1024)
    store = SessionStore(limits)
    record = _session(store)
    for _ in range(4):
        store.event(record.id, ASR, "client", APPEND)
    [note] = session_notes(record, limits)
    assert (note["what"], note["bound"], note["limit"], note["count"]) == (
        "audio",
        "audio_per_session",
        1024,
        2,
    )
    assert note["text"] == (
        "2 audio events of this session were kept without their audio: the inspector keeps at"
        " most 1 KiB of base64 audio per session (Limits.audio_per_session)."
        " The waveform, the players and the downloads lack that audio."
    )


def test_audio_taken_for_a_newer_session_is_one_statement():
    """A closed session whose audio a newer session took: said once, naming audio_total."""
    limits = Limits(audio_per_session=800, audio_total=1200)
    store = SessionStore(limits)
    old = _session(store)
    for _ in range(3):
        store.event(old.id, ASR, "client", APPEND)  # the third is over audio_per_session
    store.closed(old.id, 1000)
    _session(store)
    assert _texts(old, limits) == [
        "The audio of this session was dropped after it closed, to make room for newer"
        " sessions: the inspector keeps at most 1,200 characters of base64 audio in all"
        " sessions together (Limits.audio_total)."
        " The waveform, the players and the downloads lack that audio."
    ]


def test_sessions_forgotten_are_stated_server_wide():
    """Sessions forgotten for the session bound: one sentence for the list, with the bound."""
    store = SessionStore(Limits(sessions=2))
    for _ in range(5):
        store.closed(_session(store).id, 1000)
    assert [note["text"] for note in store_notes(store)] == [
        "3 sessions were forgotten to make room for newer ones: the inspector keeps the latest"
        " 2 sessions (Limits.sessions)."
    ]
