"""The ASR session core (docs/protocol/events.md §3, docs/protocol/sequences.md §2): transcripts only, no responses."""

from __future__ import annotations

import numpy as np
import pytest

from dashscope_realtime_mock.protocol.behaviour import (
    Behaviour,
    CommitInVadMode,
    Scoped,
    TranscriptionModelError,
)
from tests.support import ASR, b64, new_session, open_strict, send, stream, types

VAD_SEGMENT = [
    "input_audio_buffer.speech_started",
    "input_audio_buffer.speech_stopped",
    "input_audio_buffer.committed",
    "conversation.item.created",
    "conversation.item.input_audio_transcription.text",
    "conversation.item.input_audio_transcription.completed",
]


def _manual(**session):
    s = new_session(ASR)
    assert types(send(s, type="session.update", session={"turn_detection": None, **session})) == [
        "session.updated"
    ]
    return s


def _without_live_text(kinds: list[str]) -> list[str]:
    """The event kinds with the live `.text` updates sent while speaking folded away."""
    out: list[str] = []
    for kind in kinds:
        if (
            kind.endswith("transcription.text")
            and out
            and out[-1] in ("input_audio_buffer.speech_started", kind)
        ):
            continue
        out.append(kind)
    return out


def test_session_created_shows_documented_defaults():
    """session.created: text only, pcm, transcription null, server_vad 0.2 / 800 ms (qianwen example)."""
    s = open_strict(ASR)
    created, updated = s.events_to_send()
    assert updated["session"] == created["session"]  # connect also gives session.updated
    assert created["session"] == {
        "id": created["session"]["id"],
        "object": "realtime.session",
        "model": ASR,
        "modalities": ["text"],
        "input_audio_format": "pcm",
        "input_audio_transcription": None,
        "turn_detection": {"type": "server_vad", "threshold": 0.2, "silence_duration_ms": 800},
    }


def test_documented_update_is_echoed():
    """The documented session.update example (language zh, 0.0 / 400 ms) is accepted and echoed."""
    [updated] = send(
        new_session(ASR),
        type="session.update",
        event_id="event_123",
        session={
            "input_audio_format": "pcm",
            "sample_rate": 16000,
            "input_audio_transcription": {"language": "zh"},
            "turn_detection": {"type": "server_vad", "threshold": 0.0, "silence_duration_ms": 400},
        },
    )
    session = updated["session"]
    assert session["input_audio_transcription"] == {"language": "zh"}
    assert session["turn_detection"] == {
        "type": "server_vad",
        "threshold": 0.0,
        "silence_duration_ms": 400,
    }
    assert session["sample_rate"] == 16000


@pytest.mark.parametrize(
    ("session", "param"),
    [
        ({"input_audio_format": "mp3"}, "session.input_audio_format"),
        ({"sample_rate": 44100}, "session.sample_rate"),
        (
            {"input_audio_transcription": {"language": "xx"}},
            "session.input_audio_transcription.language",
        ),
        (
            {"input_audio_transcription": {"model": "whisper-1xx"}},
            "session.input_audio_transcription.model",
        ),
        (
            {"turn_detection": {"type": "server_vad", "threshold": 1.5}},
            "session.turn_detection.threshold",
        ),
        (
            {"turn_detection": {"type": "server_vad", "silence_duration_ms": 100}},
            "session.turn_detection.silence_duration_ms",
        ),
        ({"turn_detection": {"threshold": 0.1}}, "session.turn_detection.type"),
    ],
)
def test_invalid_updates_name_the_param_and_carry_the_event_id(session, param):
    """ASR errors name the param and, as the ASR pages document, the client event_id."""
    [error] = send(new_session(ASR), type="session.update", event_id="event_9", session=session)
    assert error["error"]["type"] == "invalid_request_error"
    assert error["error"]["param"] == param
    assert error["error"]["event_id"] == "event_9"


def test_pcm16_is_refused_as_documented():
    """By default ASR refuses pcm16 with the documented message (error.qianwen.json)."""
    s = open_strict(ASR)
    s.events_to_send()
    [error] = send(s, type="session.update", session={"input_audio_format": "pcm16"})
    assert (
        error["error"]["message"] == "Invalid value: 'pcm16'. Supported values are: 'pcm', 'opus'."
    )


def test_pcm16_is_accepted_when_legacy_format_strings_are_on_for_asr():
    """legacy_format_strings=asr:true lets ASR take pcm16 as well."""
    s = open_strict(ASR, behaviour=Behaviour().with_assignments(["legacy_format_strings=asr:true"]))
    s.events_to_send()
    [updated] = send(s, type="session.update", session={"input_audio_format": "pcm16"})
    assert updated["session"]["input_audio_format"] == "pcm16"


def test_sdk_session_update_is_accepted():
    """What the official SDK sends for ASR with TranscriptionParams (voice null, pcm in, its
    pcm16 output format, model null) is accepted."""
    [updated] = send(
        new_session(ASR),
        type="session.update",
        session={
            "modalities": ["text"],
            "voice": None,
            "input_audio_format": "pcm",
            "output_audio_format": "pcm16",
            "input_audio_transcription": {"model": None},
            "turn_detection": {
                "type": "server_vad",
                "threshold": 0.2,
                "prefix_padding_ms": 300,
                "silence_duration_ms": 800,
            },
        },
    )
    assert updated["type"] == "session.updated"
    assert updated["session"]["modalities"] == ["text"]


def test_corpus_text_over_10000_tokens_is_rejected():
    """corpus.text is capped at 10,000 tokens (docs/protocol/events.md §1.9)."""
    [error] = send(
        new_session(ASR),
        type="session.update",
        session={"input_audio_transcription": {"corpus": {"text": "word " * 10_001}}},
    )
    assert error["error"]["param"] == "session.input_audio_transcription.corpus.text"


def test_vad_utterance_runs_the_documented_sequence(speech_en):
    """speech_started → .text → speech_stopped → committed → item → .text → .completed, per utterance."""
    kinds = _without_live_text(types(stream(new_session(ASR), speech_en)))
    assert kinds == VAD_SEGMENT * 2


def test_committed_chains_previous_item_ids(speech_en):
    """committed carries previous_item_id (null first) and the item_id announced by speech_started."""
    events = stream(new_session(ASR), speech_en)
    started = [e["item_id"] for e in events if e["type"] == "input_audio_buffer.speech_started"]
    committed = [e for e in events if e["type"] == "input_audio_buffer.committed"]
    assert [c["item_id"] for c in committed] == started
    assert [c["previous_item_id"] for c in committed] == [None, started[0]]


def test_user_item_has_input_audio_with_null_transcript(speech_en):
    """The user item's content is input_audio with transcript null; the text comes in .completed."""
    events = stream(new_session(ASR), speech_en)
    item = next(e for e in events if e["type"] == "conversation.item.created")["item"]
    assert item["role"] == "user" and item["status"] == "completed"
    assert item["content"] == [{"type": "input_audio", "transcript": None}]


def test_live_text_grows_and_ends_as_the_completed_transcript(speech_en):
    """Every .text of an item is a prefix of its final transcript (text + stash as displayed)."""
    events = stream(new_session(ASR), speech_en)
    completed = {
        e["item_id"]: e["transcript"]
        for e in events
        if e["type"].endswith("transcription.completed")
    }
    for event in events:
        if event["type"].endswith("transcription.text"):
            assert completed[event["item_id"]].startswith(event["text"] + event["stash"])
            assert event["emotion"] == "neutral"


def test_requested_language_is_reported(speech_zh):
    """With language zh set, transcripts are in zh and say so."""
    s = new_session(ASR)
    send(s, type="session.update", session={"input_audio_transcription": {"language": "zh"}})
    completed = [e for e in stream(s, speech_zh) if e["type"].endswith("transcription.completed")]
    assert [c["language"] for c in completed] == ["zh", "zh"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c["transcript"]) for c in completed)


def test_manual_commit_is_committed_then_transcribed(speech_en):
    """Manual mode: commit → committed → item → .text → .completed; no speech events."""
    s = _manual()
    assert stream(s, speech_en, end_ms=speech_en.gap_middle_ms) == []
    kinds = types(send(s, type="input_audio_buffer.commit"))
    assert kinds == VAD_SEGMENT[2:]


def test_manual_item_created_can_be_left_out(speech_en):
    """asr_manual_item_created=False follows the manual flow list literally (no item event)."""
    s = open_strict(ASR, behaviour=Behaviour(asr_manual_item_created=False))
    s.events_to_send()
    send(s, type="session.update", session={"turn_detection": None})
    stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    assert "conversation.item.created" not in types(send(s, type="input_audio_buffer.commit"))


def test_commit_on_empty_buffer_is_an_error_and_session_goes_on():
    """An empty commit is an invalid_request_error; the next session.update still works."""
    s = _manual()
    [error] = send(s, type="input_audio_buffer.commit", event_id="event_c")
    assert (
        error["error"]["type"] == "invalid_request_error"
        and error["error"]["event_id"] == "event_c"
    )
    assert types(send(s, type="session.update", session={})) == ["session.updated"]


def test_commit_of_silence_fails_transcription():
    """Committed audio with no speech gets transcription.failed (audio_unintelligible)."""
    s = _manual()
    send(s, type="input_audio_buffer.append", audio=b64(bytes(32000)))
    events = send(s, type="input_audio_buffer.commit")
    failed = events[-1]
    assert failed["type"] == "conversation.item.input_audio_transcription.failed"
    assert failed["error"] == {
        "code": "audio_unintelligible",
        "message": "The audio could not be transcribed.",
        "param": None,
    }


def test_more_than_60_seconds_per_commit_is_refused_without_losing_audio(speech_en):
    """An append that would pass 60 s is refused; what was buffered still commits."""
    s = _manual()
    second = np.zeros(16000, dtype="<i2").tobytes()
    for _ in range(60):
        assert send(s, type="input_audio_buffer.append", audio=b64(second)) == []
    [error] = send(s, type="input_audio_buffer.append", audio=b64(second))
    assert error["error"]["param"] == "audio"
    assert "input_audio_buffer.committed" in types(send(s, type="input_audio_buffer.commit"))


def test_append_over_15_mib_is_refused():
    """One append's audio field is capped at 15 MiB (docs/protocol/events.md §1.9)."""
    [error] = send(
        new_session(ASR), type="input_audio_buffer.append", audio="A" * (15 * 1024 * 1024 + 4)
    )
    assert error["error"]["param"] == "audio"


def test_commit_in_vad_mode_is_an_error_by_default():
    """VAD mode: commit is documented as unavailable → invalid_request_error."""
    [error] = send(new_session(ASR), type="input_audio_buffer.commit")
    assert error["error"]["code"] == "invalid_state"


def test_commit_in_vad_mode_can_be_ignored():
    """commit_in_vad_mode=ignore: the commit is accepted silently."""
    s = open_strict(ASR, behaviour=Behaviour(commit_in_vad_mode=Scoped(CommitInVadMode.IGNORE)))
    s.events_to_send()
    assert send(s, type="input_audio_buffer.commit") == []


def test_finish_completes_the_pending_utterance(speech_en):
    """session.finish mid-utterance: speech_stopped … .completed, then session.finished."""
    s = new_session(ASR)
    stream(s, speech_en, end_ms=speech_en.segments[0]["end_ms"])
    kinds = types(send(s, type="session.finish"))
    assert kinds[0] == "input_audio_buffer.speech_stopped"
    assert kinds[-2:] == [
        "conversation.item.input_audio_transcription.completed",
        "session.finished",
    ]
    assert s.finished


def test_finish_before_speech_finishes_at_once():
    """No speech yet: session.finished immediately (docs/protocol/sequences.md §2.2)."""
    assert types(send(new_session(ASR), type="session.finish")) == ["session.finished"]


def test_finished_can_carry_the_transcript(speech_en):
    """asr_finished_transcript=True adds what the official samples read."""
    s = open_strict(ASR, behaviour=Behaviour(asr_finished_transcript=True))
    s.events_to_send()
    events = stream(s, speech_en) + send(s, type="session.finish")
    transcripts = [e["transcript"] for e in events if e["type"].endswith("transcription.completed")]
    assert events[-1]["transcript"] == " ".join(transcripts)


@pytest.mark.parametrize(
    "kind", ["response.create", "input_audio_buffer.clear", "input_image_buffer.append"]
)
def test_events_of_other_families_are_rejected(kind):
    """ASR has no responses, clear or images (docs/protocol/events.md §3.1)."""
    [error] = send(new_session(ASR), type=kind)
    assert error["error"]["param"] == "type"


def test_eight_khz_audio_is_upsampled(speech_en_8k):
    """sample_rate 8000: the same utterances are found, timed in real ms."""
    s = new_session(ASR)
    send(s, type="session.update", session={"sample_rate": 8000})
    events = stream(s, speech_en_8k)
    starts = [
        e["audio_start_ms"] for e in events if e["type"] == "input_audio_buffer.speech_started"
    ]
    assert len(starts) == 2
    assert abs(starts[0] - (speech_en_8k.segments[0]["start_ms"])) <= 200


def test_a_format_error_lists_only_what_asr_takes_in_documented_order():
    """input_audio_format "wav": the list is the documented 'pcm', 'opus', without the refused pcm16."""
    s = new_session(ASR)
    [error] = send(s, type="session.update", session={"input_audio_format": "wav"})
    assert error["error"]["message"] == "Invalid value: 'wav'. Supported values are: 'pcm', 'opus'."
    assert error["error"]["param"] == "session.input_audio_format"


def test_an_unknown_transcription_model_gets_the_documented_error():
    """input_audio_transcription.model unknown: the docs' example error, listing 'whisper-1'."""
    s = new_session(ASR)
    update = {"input_audio_transcription": {"model": "whisper-1xx"}}
    [error] = send(s, type="session.update", session=update)
    assert error["error"]["message"] == (
        "Invalid value: 'whisper-1xx'. Supported values are: 'whisper-1'."
    )
    assert error["error"]["param"] == "session.input_audio_transcription.model"


@pytest.mark.parametrize("name", ["whisper-1", "qwen3-asr-flash-realtime"])
def test_the_listed_and_the_sdk_transcription_models_are_taken(name):
    """'whisper-1' (the error lists it) and the model's own id (the v2 SDK sends it) are taken."""
    s = new_session(ASR)
    update = {"input_audio_transcription": {"model": name}}
    assert types(send(s, type="session.update", session=update)) == ["session.updated"]


def test_the_transcription_model_error_can_list_the_models_own_ids():
    """asr_transcription_model_error=model: the error lists qwen3-asr-flash-realtime."""
    s = open_strict(
        ASR, behaviour=Behaviour(asr_transcription_model_error=TranscriptionModelError.MODEL)
    )
    s.events_to_send()
    update = {"input_audio_transcription": {"model": "whisper-1"}}
    [error] = send(s, type="session.update", session=update)
    assert error["error"]["message"].endswith("Supported values are: 'qwen3-asr-flash-realtime'.")
