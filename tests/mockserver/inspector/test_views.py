"""What the inspector page shows of a session, and its exports (fixture zip, raw JSONL)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from dashscope_realtime_mock.answers.corpus import CorpusResponder
from dashscope_realtime_mock.answers.rules import AnswerRule
from dashscope_realtime_mock.answers.scripted import ScriptedAnswers
from dashscope_realtime_mock.inspector.audio import APPEND
from dashscope_realtime_mock.inspector.store import SessionRecord
from dashscope_realtime_mock.inspector.views import (
    conversation,
    event_json,
    fixture_name,
    fixture_zip,
    replay_details,
    summary,
    timeline,
    traffic_jsonl,
)
from tests.support import OMNI, b64

AUDIO = b64(bytes(3200))  # 100 ms of 16 kHz PCM16 silence


def _record(*events: tuple[int, str, dict[str, Any]], ended: float | None = 2.0) -> SessionRecord:
    """A session that opened at monotonic 1.0 with these events (closed at `ended`)."""
    record = SessionRecord(
        id="sess_1",
        model=OMNI,
        family="omni",
        responder=CorpusResponder(),
        why="no fixtures are loaded",
        started=1.0,
        started_wall=1_700_000_000.0,
        events=list(events),
        ended=ended,
    )
    return record


def test_a_summary_row_counts_events_and_names_the_outcome() -> None:
    """The list row: id, model, duration, outcome and the events seen (dropped ones counted)."""
    record = _record((0, "client", {"type": "session.update"}))
    record.dropped_events, record.finished = 2, True
    row = summary(record)
    assert (row["id"], row["model"], row["duration_ms"]) == ("sess_1", OMNI, 1000)
    assert (row["outcome"], row["events"], row["started"]) == ("finished", 3, 1_700_000_000_000)


def test_the_built_in_responder_is_named_with_why() -> None:
    """Answered by the corpus responder: "Built-in responder" and the reason it was chosen."""
    assert replay_details(_record()) == {
        "fixture": None,
        "text": "Built-in responder",
        "why": "no fixtures are loaded",
        "rules": [],
    }


def test_each_turn_a_scripted_answer_decided_names_its_rule() -> None:
    """Scripted answers over the built-in responder: each turn they decided, with the rule."""
    rule = AnswerRule(heard="Hi", say="Hello", number=2)
    scripted = ScriptedAnswers(CorpusResponder(), (rule,), OMNI, "omni")
    scripted.transcript(0, "en", 1500)
    record = _record()
    record.responder = scripted
    details = replay_details(record)
    assert details["text"] == "Built-in responder"
    assert details["rules"] == [{"turn": 1, "rule": "rule 2, heard 'Hi', say 'Hello'"}]


def test_the_timeline_gives_each_event_its_lane_and_input_audio() -> None:
    """Each event: number, time, audio time, direction, type; an append also its span of input audio."""
    record = _record(
        (0, "client", {"type": APPEND, "audio": AUDIO}),
        (5, "server", {"type": "error", "error": {"message": "bad"}}),
    )
    entries = timeline(record, record.audio.update(record.events))
    assert entries == [
        {"i": 0, "t": 0, "a": 100, "dir": "client", "type": APPEND, "in": (0, 100)},
        {
            "i": 1,
            "t": 5,
            "a": 100,
            "dir": "server",
            "type": "error",
            "level": "error",
            "message": "bad",
        },
    ]


def test_the_timeline_from_an_event_on_leaves_out_the_earlier_ones() -> None:
    """since=1: only event 1 on (what a page that has event 0 asks for)."""
    record = _record((0, "client", {"type": "a"}), (1, "client", {"type": "b"}))
    entries = timeline(record, record.audio.update(record.events), since=1)
    assert [entry["type"] for entry in entries] == ["b"]


def test_an_events_json_abbreviates_long_audio() -> None:
    """An append's long base64 is cut to its start and its length."""
    shown = event_json(_record((0, "client", {"type": APPEND, "audio": AUDIO})), 0)
    assert shown["event"]["audio"] == f"{AUDIO[:32]}… ({len(AUDIO):,} base64 characters)"
    assert (shown["i"], shown["t_ms"], shown["dir"]) == (0, 0, "client")


def test_the_fixture_zip_holds_one_scenario_folder_named_after_the_session() -> None:
    """The export unzips to scenarios/inspected-<id>/, the files of a fixture."""
    record = _record((0, "client", {"type": APPEND, "audio": AUDIO}))
    names = zipfile.ZipFile(io.BytesIO(fixture_zip(record))).namelist()
    assert fixture_name(record) == "inspected-sess_1"
    assert names and all(name.startswith("scenarios/inspected-sess_1/") for name in names)


def test_the_raw_traffic_is_one_json_line_per_event_audio_included() -> None:
    """traffic_jsonl: a {t_ms, dir, event} line per event, the audio as sent."""
    record = _record((0, "client", {"type": APPEND, "audio": AUDIO}), (9, "server", {"type": "x"}))
    lines = traffic_jsonl(record).decode().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"t_ms": 0, "dir": "client", "event": {"type": APPEND, "audio": AUDIO}},
        {"t_ms": 9, "dir": "server", "event": {"type": "x"}},
    ]


def test_no_traffic_exports_as_nothing() -> None:
    """A session without events: an empty JSONL."""
    assert traffic_jsonl(_record()) == b""


def test_speech_events_sit_at_the_audio_they_name_others_at_the_audio_sent() -> None:
    """audio_time: speech_started at audio_start_ms, speech_stopped at audio_end_ms, the rest at
    the input audio received when it went over the wire."""
    from dashscope_realtime_mock.inspector.views import audio_time

    started = {"type": "input_audio_buffer.speech_started", "audio_start_ms": 600}
    stopped = {"type": "input_audio_buffer.speech_stopped", "audio_end_ms": 3380}
    assert audio_time(started, 1200) == 600
    assert audio_time(stopped, 4200) == 3380
    assert audio_time({"type": "response.done"}, 4200) == 4200


def test_each_timeline_entry_carries_its_audio_time() -> None:
    """The timeline gives every event `a`, in milliseconds of input audio, beside its wall time `t`."""
    record = _record(
        (0, "client", {"type": APPEND, "audio": AUDIO}),
        (5, "client", {"type": APPEND, "audio": AUDIO}),
        (9, "server", {"type": "input_audio_buffer.speech_started", "audio_start_ms": 50}),
        (9, "server", {"type": "session.finished"}),
    )
    entries = timeline(record, record.audio.update(record.events))
    assert [(e["t"], e["a"]) for e in entries] == [(0, 100), (5, 200), (9, 50), (9, 200)]


def test_a_livetranslate_transcript_goes_under_the_utterance_that_ended() -> None:
    """LiveTranslate's speech events name no item, its transcript does: the transcript is drawn
    under the utterance that just ended, and the language it was heard in is named as assumed."""
    from dashscope_realtime_mock.inspector.views import conversation

    record = _record(
        (0, "client", {"type": APPEND, "audio": AUDIO}),
        (1, "server", {"type": "input_audio_buffer.speech_started", "audio_start_ms": 10}),
        (2, "server", {"type": "input_audio_buffer.speech_stopped", "audio_end_ms": 90}),
        (
            3,
            "server",
            {
                "type": "conversation.item.input_audio_transcription.completed",
                "item_id": "item_x",
                "transcript": "hola",
                "language": "en",
            },
        ),
    )
    record.family = "livetranslate"
    drawn = conversation(record, record.audio.update(record.events))
    assert drawn["texts"] == [{"item": "utterance-1", "kind": "transcript", "text": "hola"}]
    assert drawn["source_language"].startswith("en (assumed: the session named none")


def test_a_named_source_language_is_shown_as_named() -> None:
    """session.updated naming input_audio_transcription.language: the page says it was named."""
    from dashscope_realtime_mock.inspector.views import conversation

    updated = {
        "type": "session.updated",
        "session": {"input_audio_transcription": {"language": "es"}},
    }
    record = _record((0, "server", updated))
    record.family = "livetranslate"
    drawn = conversation(record, record.audio.update(record.events))
    assert drawn["source_language"] == "es (named by the session)"


def test_an_mcp_call_is_shown_under_the_answer_it_belongs_to() -> None:
    """qwen3.8 MCP: the final mcp_call item shows as server.tool(arguments) → status."""
    item = {
        "id": "item_2",
        "type": "mcp_call",
        "status": "completed",
        "server_label": "maps",
        "name": "search",
        "arguments": '{"query": "park"}',
    }
    record = _record(
        (
            0,
            "server",
            {"type": "conversation.item.created", "item": {"id": "item_1", "role": "user"}},
        ),
        (1, "server", {"type": "response.created", "response": {"id": "resp_1"}}),
        (2, "server", {"type": "response.output_item.done", "item": item}),
    )
    texts = conversation(record, record.audio.update(record.events))["texts"]
    assert texts == [
        {"item": "item_1", "kind": "MCP call", "text": 'maps.search({"query": "park"}) → completed'}
    ]
