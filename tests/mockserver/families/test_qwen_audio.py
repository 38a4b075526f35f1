"""The Qwen-Audio session core (docs/protocol/qwen-audio.md): turn modes, smart turns, voiceprints,
the conversation's items and the documented refusals."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.protocol.behaviour import Behaviour
from dashscope_realtime_mock.session.base import Playback, Session
from tests.support import (
    QWEN_AUDIO,
    QWEN_AUDIO_FLASH,
    WEATHER_TOOL,
    b64,
    new_session,
    open_strict,
    send,
    stream,
)
from tests.support import types as kinds_of

RATE = 16000


def _session(model: str = QWEN_AUDIO, **behaviour) -> Session:
    return new_session(model, behaviour=Behaviour(**behaviour))


def _push_to_talk(s: Session) -> Session:
    assert kinds_of(send(s, type="session.update", session={"turn_detection": None})) == [
        "session.updated"
    ]
    return s


def _smart(s: Session, **extra) -> list[dict]:
    return send(
        s, type="session.update", session={"turn_detection": {"type": "smart_turn", **extra}}
    )


def _tone(ms: int) -> np.ndarray:
    """A loud 200 Hz tone of `ms`, between 1.5 s silences: one short sound the VAD hears."""
    t = np.arange(RATE * ms // 1000)
    burst = (np.sin(t * 2 * np.pi * 200 / RATE) * 8000).astype(np.int16)
    silence = np.zeros(RATE * 3 // 2, dtype=np.int16)
    return np.concatenate([silence, burst, silence])


def _play(s: Session, pcm: np.ndarray) -> list[dict]:
    out: list[dict] = []
    for i in range(0, len(pcm), 1600):
        out += send(s, type="input_audio_buffer.append", audio=b64(pcm[i : i + 1600].tobytes()))
    return out


def _user_text(s: Session, text: str, **event) -> list[dict]:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    return send(s, type="conversation.item.create", item=item, **event)


def _first(events: list[dict], kind: str) -> dict:
    return next(e for e in events if e["type"] == kind)


@pytest.mark.parametrize("model", [QWEN_AUDIO, QWEN_AUDIO_FLASH])
def test_session_created_shows_the_documented_echo(model):
    """session.created: longanqian, fun-asr, server_vad 0.5/800, and nothing the examples omit."""
    created = open_strict(model).events_to_send()[0]["session"]
    assert created["voice"] == "longanqian" and created["model"] == model
    assert created["input_audio_transcription"] == {"model": "fun-asr"}
    assert created["turn_detection"] == {
        "type": "server_vad",
        "threshold": 0.5,
        "silence_duration_ms": 800,
    }
    assert set(created) == {
        "id",
        "object",
        "model",
        "modalities",
        "voice",
        "input_audio_transcription",
        "turn_detection",
    }


def test_a_vad_turn_is_answered_without_conversation_id(speech_en):
    """server_vad: committed names the previous item; the response names no conversation."""
    s = _session()
    events = stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    kinds = kinds_of(events)
    assert kinds.index("input_audio_buffer.speech_stopped") < kinds.index("response.created")
    committed = _first(events, "input_audio_buffer.committed")
    assert set(committed) == {"event_id", "type", "previous_item_id", "item_id"}
    for kind in ("response.created", "response.done"):
        response = _first(events, kind)["response"]
        assert "conversation_id" not in response and "output_audio_format" not in response
    assert _first(events, "response.done")["response"]["status"] == "completed"


def test_commit_and_clear_are_ignored_in_vad_mode():
    """server_vad: commit and clear get no answer at all (docs/protocol/qwen-audio.md §2)."""
    s = _session()
    assert send(s, type="input_audio_buffer.commit") == []
    assert send(s, type="input_audio_buffer.clear") == []


def test_push_to_talk_commit_waits_for_response_create(speech_en):
    """Push-to-talk: commit makes the user item; only response.create starts the answer."""
    s = _push_to_talk(_session())
    stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    committed = send(s, type="input_audio_buffer.commit")
    assert "response.created" not in kinds_of(committed)
    assert kinds_of(committed)[:2] == ["input_audio_buffer.committed", "conversation.item.created"]
    answer = send(s, type="response.create", response={"modalities": ["audio", "text"]})
    assert _first(answer, "response.done")["response"]["status"] == "completed"


def test_response_create_during_a_response_gets_the_documented_error(speech_en):
    """A second response.create while one streams: invalid_value, the documented message."""
    s = _push_to_talk(_session())
    stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    send(s, type="input_audio_buffer.commit")
    s.receive_event({"type": "response.create"})
    s.next_event()  # the transport has sent response.created; the rest still streams
    [error] = send(s, type="response.create")[:1]
    assert error["error"] == {
        "type": "invalid_request_error",
        "code": "invalid_value",
        "message": "Cannot create response while another response is in progress.",
        "param": "response.create",
        "event_id": error["error"]["event_id"],
    }


def test_response_cancel_ends_the_response_cancelled(speech_en):
    """response.cancel: response.done with status cancelled, reason client_cancelled."""
    s = _push_to_talk(_session())
    stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    send(s, type="input_audio_buffer.commit")
    s.receive_event({"type": "response.create"})
    s.next_event()
    done = _first(send(s, type="response.cancel"), "response.done")["response"]
    assert done["status"] == "cancelled"
    assert done["status_details"] == {"type": "cancelled", "reason": "client_cancelled"}


def test_response_create_may_speak_in_another_voice():
    """response.create's voice applies to that response only."""
    s = _push_to_talk(_session())
    _user_text(s, "Hello")
    answer = send(s, type="response.create", response={"voice": "longanlufeng"})
    assert _first(answer, "response.created")["response"]["voice"] == "longanlufeng"
    _user_text(s, "Again")
    assert _first(send(s, type="response.create"), "response.created")["response"]["voice"] == (
        "longanqian"
    )


def test_only_the_first_update_sets_the_voice():
    """A voice in a later session.update is ignored without an error."""
    s = _session()
    assert (
        send(s, type="session.update", session={"voice": "longanxiaoxin"})[0]["session"]["voice"]
        == "longanxiaoxin"
    )
    [updated] = send(s, type="session.update", session={"voice": "longanlufeng"})
    assert updated["type"] == "session.updated" and updated["session"]["voice"] == "longanxiaoxin"


@pytest.mark.parametrize(
    ("voice", "accepted"),
    [
        ("qwen-audio-3.0-realtime-plus-myvoice-xxxxxx", True),
        ("loongjohn", True),
        ("Cherry", False),
    ],
)
def test_cloned_and_probed_voices_are_accepted_and_omni_voices_refused(voice, accepted):
    """A cloned voice_id and the probed voices are taken; an Omni voice is invalid_value."""
    [answer] = send(_session(), type="session.update", session={"voice": voice})
    assert (answer["type"] == "session.updated") == accepted
    if not accepted:
        assert answer["error"]["param"] == "session.voice"
        assert "'longanqian', 'longanlingxin'" in answer["error"]["message"]


def test_probed_voices_can_be_turned_off():
    """Behaviour.qwen_audio_probed_voices=false: only the five documented voices."""
    s = _session(qwen_audio_probed_voices=False)
    [answer] = send(s, type="session.update", session={"voice": "loongjohn"})
    assert answer["type"] == "error"


def test_semantic_vad_is_refused():
    """turn_detection.type semantic_vad is not a Qwen-Audio mode."""
    [answer] = send(
        _session(), type="session.update", session={"turn_detection": {"type": "semantic_vad"}}
    )
    assert answer["type"] == "error" and "turn_detection" in answer["error"]["param"]


@pytest.mark.parametrize("key", ["turn_detection", "input_audio_format"])
def test_turn_mode_and_format_are_frozen_after_audio(speech_en, key):
    """After the first audio a change of turn mode or input format is refused."""
    s = _session()
    stream(s, speech_en, end_ms=500)
    value = {"turn_detection": None, "input_audio_format": "pcm16"}[key]
    [answer] = send(s, type="session.update", session={key: value})
    assert answer["type"] == "error" and answer["error"]["param"] == f"session.{key}"


def test_late_changes_can_be_ignored_instead(speech_en):
    """Behaviour.qwen_audio_late_session_change=ignore: the update applies without the mode."""
    s = _session(qwen_audio_late_session_change="ignore")
    stream(s, speech_en, end_ms=500)
    [answer] = send(
        s, type="session.update", session={"turn_detection": None, "modalities": ["text"]}
    )
    assert answer["session"]["turn_detection"]["type"] == "server_vad"
    assert answer["session"]["modalities"] == ["text"]


def test_voiceprints_are_registered_around_session_updated():
    """smart_turn voiceprints: in_progress, session.updated, then completed (same vp_ id)."""
    events = _smart(_session(), voiceprint_audio_urls=["https://example.com/speaker.wav"])
    assert kinds_of(events) == [
        "voiceprint_audio_list.in_progress",
        "session.updated",
        "voiceprint_audio_list.completed",
    ]
    assert events[0]["item_id"].startswith("vp_") and events[0]["item_id"] == events[2]["item_id"]


def test_a_voiceprint_that_cannot_be_fetched_fails_and_the_session_goes_on():
    """A URL that is not http(s): voiceprint_audio_list.failed with a reason."""
    events = _smart(_session(), voiceprint_audio_urls=["file:///speaker.wav"])
    failed = events[-1]
    assert failed["type"] == "voiceprint_audio_list.failed" and "file:///" in failed["reason"]


def test_smart_turn_judges_a_short_sound_no_turn():
    """smart_turn: a short sound gets ambient transcription and turn_invalid, and no answer."""
    s = _session()
    _smart(s)
    events = _play(s, _tone(300))
    assert kinds_of(events) == [
        "input_audio_buffer.speech_started",
        "conversation.item.ambient_audio_transcription.delta",
        "input_audio_buffer.speech_stopped",
        "conversation.item.ambient_audio_transcription.completed",
    ]
    assert events[2]["reason"] == "turn_invalid"


def test_smart_turn_answers_a_real_turn(speech_en):
    """smart_turn: an utterance is transcribed, committed and answered; no turn_invalid."""
    s = _session()
    _smart(s)
    events = stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    assert "reason" not in _first(events, "input_audio_buffer.speech_stopped")
    assert _first(events, "response.done")["response"]["status"] == "completed"
    assert "conversation.item.ambient_audio_transcription.delta" not in kinds_of(events)


def test_smart_turn_a_backchannel_does_not_interrupt(speech_en):
    """smart_turn: a short sound while the answer streams leaves the answer whole."""
    s = _session()
    _smart(s)
    for chunk in speech_en.chunks(100, end_ms=speech_en.gap_middle_ms):
        s.receive_event({"type": "input_audio_buffer.append", "audio": b64(chunk)})
    s.next_event()
    events = s.events_to_send() + _play(s, _tone(300))
    assert _first(events, "response.done")["response"]["status"] == "completed"


def test_items_are_created_after_previous_item_id_retrieved_and_deleted():
    """create after an item, retrieve it, delete it; a second delete is an error."""
    s = _push_to_talk(_session())
    first = _user_text(s, "One")[0]["item"]["id"]
    _user_text(s, "Three")
    [created] = _user_text(s, "Two", previous_item_id=first)
    assert created["previous_item_id"] == first
    [retrieved] = send(s, type="conversation.item.retrieve", item_id=created["item"]["id"])
    assert retrieved["item"]["content"] == [{"type": "input_text", "text": "Two"}]
    assert "status" not in retrieved["item"]
    assert kinds_of(send(s, type="conversation.item.delete", item_id=first)) == [
        "conversation.item.deleted"
    ]
    [again] = send(s, type="conversation.item.delete", item_id=first)
    assert again["type"] == "error" and again["error"]["param"] == "item_id"


def test_a_spoken_user_item_is_retrieved_as_its_transcript(speech_en):
    """retrieve of an utterance: input_audio content carrying only the transcript."""
    s = _session()
    events = stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    item_id = _first(events, "input_audio_buffer.committed")["item_id"]
    transcript = _first(events, "conversation.item.input_audio_transcription.completed")
    [retrieved] = send(s, type="conversation.item.retrieve", item_id=item_id)
    assert retrieved["item"]["content"] == [
        {"type": "input_audio", "transcript": transcript["transcript"]}
    ]


def test_a_duplicate_item_id_is_an_error():
    """conversation.item.create with an id already present: invalid_request_error."""
    s = _session()
    _user_text(s, "Hi")
    item = {
        "id": "mine",
        "type": "message",
        "role": "system",
        "content": [{"type": "input_text", "text": "Be brief."}],
    }
    assert kinds_of(send(s, type="conversation.item.create", item=item)) == [
        "conversation.item.created"
    ]
    [error] = send(s, type="conversation.item.create", item=item)
    assert error["type"] == "error" and error["error"]["param"] == "item.id"


def test_an_assistant_item_may_not_hold_input_text():
    """The documented content kinds per role: an assistant message holds output_text."""
    item = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "input_text", "text": "x"}],
    }
    [error] = send(_session(), type="conversation.item.create", item=item)
    assert error["type"] == "error"


def test_a_tool_call_round_trip():
    """tools: a function_call answer; its output then response.create gives a spoken answer."""
    s = _push_to_talk(_session())
    send(s, type="session.update", session={"tools": [WEATHER_TOOL]})
    _user_text(s, "What is the weather in Paris?")
    call = _first(send(s, type="response.create"), "response.function_call_arguments.done")
    output = {"type": "function_call_output", "call_id": call["call_id"], "output": "Sunny."}
    assert kinds_of(send(s, type="conversation.item.create", item=output)) == [
        "conversation.item.created"
    ]
    answer = send(s, type="response.create")
    assert "Sunny." in _first(answer, "response.audio_transcript.done")["transcript"]


def test_a_flat_function_tool_is_refused_as_the_nested_shape_is_documented():
    """OpenAI Realtime's flat tool ({"type": "function", "name": ...}) gets the missing-parameter
    error for the documented `function` object (docs/protocol/qwen-audio.md §3), and the
    session goes on."""
    s = _push_to_talk(_session())
    flat = {"type": "function", "name": "get_weather"}
    [error] = send(s, type="session.update", session={"tools": [flat]})
    assert error["type"] == "error"
    assert error["error"]["message"] == "Missing required parameter: 'session.tools[0].function'."
    assert kinds_of(send(s, type="session.update", session={"tools": [WEATHER_TOOL]})) == [
        "session.updated"
    ]


def test_text_only_output_streams_text():
    """modalities ["text"]: response.text.delta/done and no audio."""
    s = _push_to_talk(_session())
    send(s, type="session.update", session={"modalities": ["text"]})
    _user_text(s, "Hello")
    kinds = kinds_of(send(s, type="response.create"))
    assert "response.text.done" in kinds and "response.audio.delta" not in kinds


def test_session_finish_is_not_a_qwen_audio_event():
    """session.finish: the invalid event type error; the client ends by closing."""
    [error] = send(_session(), type="session.finish")
    assert error["error"]["param"] == "type" and "'session.finish'" in error["error"]["message"]


def test_transcription_failure_has_the_documented_shape():
    """A committed buffer without speech: transcription_error / transcription_failed."""
    s = _push_to_talk(_session())
    send(s, type="input_audio_buffer.append", audio=b64(bytes(6400)))
    failed = _first(
        send(s, type="input_audio_buffer.commit"),
        "conversation.item.input_audio_transcription.failed",
    )
    assert failed["error"] == {
        "type": "transcription_error",
        "code": "transcription_failed",
        "message": "ASR transcription failed",
    }


def test_images_are_ignored():
    """input_image_buffer.append is taken silently (docs/protocol/qwen-audio.md §2)."""
    assert send(_session(), type="input_image_buffer.append", image=b64(b"\xff\xd8")) == []


def test_connect_sends_session_created_alone():
    """docs/protocol/qwen-audio.md §5.1: no session.updated until the client's session.update."""
    assert kinds_of(open_strict(QWEN_AUDIO).events_to_send()) == ["session.created"]


@pytest.mark.parametrize(
    ("wording", "message"),
    [
        ("documented", "Cannot create response while another response is in progress."),
        ("user_speaking", "Cannot create response while the user is speaking."),
    ],
)
def test_smart_turn_refuses_response_create_while_the_user_speaks(speech_en, wording, message):
    """smart_turn, mid-utterance: response.create is refused, worded by the Behaviour."""
    s = _session(qwen_audio_user_turn_refusal=wording)
    _smart(s)
    stream(s, speech_en, end_ms=speech_en.segments[0]["start_ms"] + 600)
    [error] = send(s, type="response.create")
    assert error["error"]["message"] == message and error["error"]["param"] == "response.create"


def _retrieved_mid_answer(drain_first: bool) -> list[dict]:
    """Fast pace: retrieve the answer's item while it is spoken, then let it play out; the
    retrieved event as the client reads it (serialized when taken)."""
    s = open_session(QWEN_AUDIO, rng=random.Random(1), playback=Playback.AUDIO_TIME)
    s.events_to_send()
    _push_to_talk(s)
    user = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi."}]}
    send(s, type="conversation.item.create", item=user)
    started = send(s, type="response.create")
    [item_id] = [e["item"]["id"] for e in started if e["type"] == "response.output_item.added"]
    s.receive_event({"type": "conversation.item.retrieve", "item_id": item_id, "event_id": "r"})
    read = [json.loads(json.dumps(e)) for e in s.events_to_send()] if drain_first else []
    s.receive_event({"type": "input_audio_buffer.append", "audio": b64(bytes(2 * RATE * 30))})
    read += [json.loads(json.dumps(e)) for e in s.events_to_send()]
    return [e for e in read if e["type"] == "conversation.item.retrieved"]


def test_a_retrieved_item_is_what_the_conversation_held_when_it_was_asked_for():
    """Fast pace: the item a retrieve returns does not change with how far the transport got
    (the answer's text later filled in does not reach an event already made)."""
    assert _retrieved_mid_answer(drain_first=True) == _retrieved_mid_answer(drain_first=False)
