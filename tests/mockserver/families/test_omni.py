"""The Omni session core (docs/protocol/events.md §4, docs/protocol/sequences.md §3): assistant turns, tools, cancel, barge-in."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from dashscope_realtime_mock.answers.corpus import CorpusResponder
from dashscope_realtime_mock.media.speech import Speech
from dashscope_realtime_mock.protocol.behaviour import Behaviour
from dashscope_realtime_mock.session.base import Session
from tests.support import (
    OMNI,
    OMNI_TURBO,
    WEATHER_TOOL,
    b64,
    new_session,
    open_strict,
    send,
    stream,
    tiny_jpeg,
    types,
)

RESPONSE_AUDIO = [
    "response.created",
    "response.output_item.added",
    "conversation.item.created",
    "response.content_part.added",
    "response.audio_transcript.done",
    "response.audio.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.done",
]


def _session(model: str = OMNI, **behaviour) -> Session:
    s = open_strict(model, behaviour=Behaviour(**behaviour))
    s.events_to_send()
    return s


def _manual(s: Session | None = None, **session) -> Session:
    s = s or new_session(OMNI)
    assert types(send(s, type="session.update", session={"turn_detection": None, **session})) == [
        "session.updated"
    ]
    return s


def _feed(s: Session, speech, **bounds) -> None:
    """Stream audio without taking any server event (a transport that has not sent them yet)."""
    for chunk in speech.chunks(100, **bounds):
        s.receive_event({"type": "input_audio_buffer.append", "audio": b64(chunk)})


def _take_until(s: Session, kind: str) -> list[dict]:
    """Take events one by one (as a paced transport does) up to and including the first `kind`."""
    taken = []
    while (event := s.next_event()) is not None:
        taken.append(event)
        if event["type"] == kind:
            return taken
    raise AssertionError(f"no {kind} in {[e['type'] for e in taken]}")


def _without_stream(kinds: list[str]) -> list[str]:
    return [k for k in kinds if not k.endswith(".delta")]


def test_session_created_shows_documented_defaults():
    """session.created: Cherry, pcm/pcm, transcription on, server_vad 0.5/800, tools [], temperature 0.9."""
    s = open_strict(OMNI)
    session = s.events_to_send()[0]["session"]
    assert session["voice"] == "Cherry"
    assert (session["input_audio_format"], session["output_audio_format"]) == ("pcm", "pcm")
    assert session["input_audio_transcription"] == {"model": "qwen3-asr-flash-realtime"}
    assert session["turn_detection"] == {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 800,
        "create_response": True,
        "interrupt_response": True,
    }
    assert session["tools"] == [] and session["temperature"] == 0.9


def test_turbo_defaults_to_chelsie():
    """qwen-omni-turbo-realtime's default voice is Chelsie (docs/protocol/events.md §4.2)."""
    assert open_strict(OMNI_TURBO).events_to_send()[0]["session"]["voice"] == "Chelsie"


def test_documented_update_is_echoed_with_sampling_parameters():
    """The documented English session.update is accepted; session.updated echoes every parameter."""
    [updated] = send(
        new_session(OMNI),
        type="session.update",
        session={
            "modalities": ["text", "audio"],
            "voice": "Ethan",
            "input_audio_format": "pcm",
            "output_audio_format": "pcm",
            "instructions": "You are a hotel agent.",
            "turn_detection": {"type": "server_vad", "threshold": 0.5, "silence_duration_ms": 800},
            "seed": 1314,
            "max_tokens": 16384,
            "repetition_penalty": 1.05,
            "presence_penalty": 0.0,
            "top_k": 50,
            "top_p": 1.0,
            "temperature": 0.9,
            "smooth_output": False,
        },
    )
    session = updated["session"]
    assert session["instructions"] == "You are a hotel agent." and session["voice"] == "Ethan"
    assert (session["seed"], session["top_k"], session["smooth_output"]) == (1314, 50, False)
    assert session["max_response_output_token"] == "inf"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("temperature", 2.0),
        ("top_p", 0),
        ("top_k", -1),
        ("max_tokens", 16385),
        ("repetition_penalty", 0),
        ("presence_penalty", 2.5),
        ("seed", 2**31),
        ("smooth_output", "yes"),
        ("voice", "Nobody"),
        ("modalities", ["audio"]),
        ("input_audio_format", "opus"),
    ],
)
def test_out_of_range_sampling_and_config_values_name_the_param(field, value):
    """Each documented range is enforced with param session.<field>; the old config stays."""
    s = new_session(OMNI)
    [error] = send(s, type="session.update", session={field: value})
    assert error["error"]["type"] == "invalid_request_error"
    assert error["error"]["param"] == f"session.{field}"


def test_turbo_sampling_parameters_are_fixed():
    """turbo: sampling parameters cannot be modified; the fixed ones are echoed."""
    [updated] = send(new_session(OMNI_TURBO), type="session.update", session={"temperature": 0.3})
    assert updated["session"]["temperature"] == 1.0 and "smooth_output" not in updated["session"]


def test_tools_must_use_the_nested_function_shape():
    """tools: {type: function, function: {name, ...}}; the flat OpenAI shape is rejected."""
    [error] = send(
        new_session(OMNI),
        type="session.update",
        session={"tools": [{"type": "function", "name": "get_current_weather"}]},
    )
    assert error["error"]["param"] == "session.tools[0].function"
    [updated] = send(new_session(OMNI), type="session.update", session={"tools": [WEATHER_TOOL]})
    assert updated["session"]["tools"] == [WEATHER_TOOL]


def test_vad_turn_is_committed_transcribed_and_answered(speech_en):
    """VAD: started → delta → stopped → committed → item → completed → response block (docs/protocol/sequences.md §3.2)."""
    kinds = _without_stream(
        types(stream(new_session(OMNI), speech_en, end_ms=speech_en.gap_middle_ms))
    )
    assert kinds == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.created",
        "conversation.item.input_audio_transcription.completed",
        *RESPONSE_AUDIO,
    ]


def test_omni_dialect_fields(speech_en):
    """committed has only item_id, the user item no previous_item_id, completed only transcript."""
    events = stream(new_session(OMNI), speech_en, end_ms=speech_en.gap_middle_ms)
    by_type = {e["type"]: e for e in events}
    assert set(by_type["input_audio_buffer.committed"]) == {"event_id", "type", "item_id"}
    assert "previous_item_id" not in by_type["conversation.item.created"]
    assert set(by_type["conversation.item.input_audio_transcription.completed"]) == {
        "event_id",
        "type",
        "item_id",
        "content_index",
        "transcript",
    }
    live = by_type["conversation.item.input_audio_transcription.delta"]
    assert {"text", "stash", "language", "emotion", "obfuscation"} <= set(
        live
    ) and "delta" not in live


def test_answer_streams_deltas_that_add_up_to_the_transcript(speech_en):
    """response.audio_transcript.delta pieces concatenate to .done's transcript; audio is 24 kHz PCM16."""
    events = stream(new_session(OMNI), speech_en, end_ms=speech_en.gap_middle_ms)
    deltas = "".join(e["delta"] for e in events if e["type"] == "response.audio_transcript.delta")
    [done] = [e for e in events if e["type"] == "response.audio_transcript.done"]
    assert deltas == done["transcript"] and deltas
    audio = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.audio.delta"
    )
    usage = next(e for e in events if e["type"] == "response.done")["response"]["usage"]
    assert usage["output_tokens_details"]["audio_tokens"] == -(-len(audio) // 2 * 12.5 // 24000)


def test_text_only_answer_uses_response_text_delta(speech_en):
    """modalities [text]: response.text.delta / .done, no audio, no audio_tokens in usage."""
    s = new_session(OMNI)
    send(s, type="session.update", session={"modalities": ["text"]})
    events = stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    kinds = types(events)
    assert "response.text.delta" in kinds and "response.text.done" in kinds
    assert not [k for k in kinds if k.startswith("response.audio")]
    usage = next(e for e in events if e["type"] == "response.done")["response"]["usage"]
    assert "audio_tokens" not in usage["output_tokens_details"]


def test_create_response_false_leaves_the_turn_unanswered(speech_en):
    """turn_detection.create_response false: the turn is committed but nothing answers it."""
    s = new_session(OMNI)
    send(
        s,
        type="session.update",
        session={"turn_detection": {"type": "server_vad", "create_response": False}},
    )
    assert "response.created" not in types(stream(s, speech_en, end_ms=speech_en.gap_middle_ms))


def test_manual_commit_makes_the_user_item_but_no_response(speech_en):
    """Manual: commit → committed → item → completed; the answer waits for response.create."""
    s = _manual()
    stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    assert types(send(s, type="input_audio_buffer.commit")) == [
        "input_audio_buffer.committed",
        "conversation.item.created",
        "conversation.item.input_audio_transcription.completed",
    ]
    answer = send(
        s, type="response.create", response={"instructions": "Be brief.", "modalities": ["text"]}
    )
    assert _without_stream(types(answer))[0] == "response.created"
    assert answer[0]["response"]["modalities"] == ["text"]


def test_images_are_committed_with_the_audio_and_billed(speech_en):
    """Images appended after audio travel with the next commit and show up as image tokens."""
    s = _manual()
    stream(s, speech_en, end_ms=1000)
    assert send(s, type="input_image_buffer.append", image=b64(tiny_jpeg(640, 480))) == []
    stream(s, speech_en, start_ms=1000, end_ms=speech_en.gap_middle_ms)
    send(s, type="input_audio_buffer.commit")
    done = send(s, type="response.create")[-1]
    # 640x480 at 1 token per 32x32 px = 20 x 15 tiles.
    assert done["response"]["usage"]["input_tokens_details"]["image_tokens"] == 300


def test_image_before_audio_is_rejected():
    """The documented message for an image sent before any audio."""
    [error] = send(
        new_session(OMNI), type="input_image_buffer.append", image=b64(tiny_jpeg(640, 480))
    )
    assert error["error"]["message"] == "Error append image before append audio."


def test_cancel_closes_what_was_open_and_ends_cancelled(speech_en):
    """response.cancel mid-audio: the .done events carry what was sent; response.done is cancelled."""
    s = _manual()
    stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    send(s, type="input_audio_buffer.commit")
    s.receive_event({"type": "response.create"})
    sent = _take_until(s, "response.audio.delta")
    s.receive_event({"type": "response.cancel"})
    rest = s.events_to_send()
    assert types(rest) == [
        "response.audio_transcript.done",
        "response.audio.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.done",
    ]
    shown = "".join(e["delta"] for e in sent if e["type"] == "response.audio_transcript.delta")
    assert rest[0]["transcript"] == shown
    done = rest[-1]["response"]
    assert done["status"] == "cancelled" and done["status_details"]["reason"] == "client_cancelled"
    assert done["output"][0]["status"] == "incomplete"
    audio = sum(
        len(base64.b64decode(e["delta"])) // 2 for e in sent if e["type"] == "response.audio.delta"
    )
    assert done["usage"]["output_tokens_details"]["audio_tokens"] == -(-audio * 12.5 // 24000)


def test_cancel_can_leave_out_response_done(speech_en):
    """cancel_sends_response_done=False: only the .done events of the open parts."""
    s = _manual(_session(cancel_sends_response_done=False))
    stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    send(s, type="input_audio_buffer.commit")
    s.receive_event({"type": "response.create"})
    _take_until(s, "response.content_part.added")
    s.receive_event({"type": "response.cancel"})
    assert "response.done" not in types(s.events_to_send())


def test_cancel_with_nothing_to_cancel_is_an_error_and_session_goes_on():
    """No active response: invalid_request_error; the next session.update is still answered."""
    s = new_session(OMNI)
    [error] = send(s, type="response.cancel", event_id="event_x")
    assert error["error"]["type"] == "invalid_request_error"
    assert error["error"]["message"] == "Conversation has none active response"
    assert error["error"]["event_id"] == "event_x"
    assert types(send(s, type="session.update", session={})) == ["session.updated"]


def test_barge_in_interrupts_the_response(speech_en):
    """VAD: speech starting while an answer streams cuts it short (reason turn_detected)."""
    s = new_session(OMNI)
    _feed(s, speech_en, end_ms=speech_en.gap_middle_ms)
    _take_until(s, "response.audio.delta")
    _feed(s, speech_en, start_ms=speech_en.gap_middle_ms)
    rest = s.events_to_send()
    kinds = types(rest)
    assert kinds[0] == "input_audio_buffer.speech_started"
    first_done = next(e for e in rest if e["type"] == "response.done")
    assert first_done["response"]["status_details"] == {
        "type": "cancelled",
        "reason": "turn_detected",
    }
    assert kinds.count("response.created") == 1  # the new turn's answer, after the cut one ended


def test_no_barge_in_when_interrupt_response_is_off(speech_en):
    """interrupt_response false: the first answer completes."""
    s = new_session(OMNI)
    send(
        s,
        type="session.update",
        session={"turn_detection": {"type": "server_vad", "interrupt_response": False}},
    )
    _feed(s, speech_en, end_ms=speech_en.gap_middle_ms)
    _take_until(s, "response.audio.delta")
    _feed(s, speech_en, start_ms=speech_en.gap_middle_ms)
    statuses = [e["response"]["status"] for e in s.events_to_send() if e["type"] == "response.done"]
    assert statuses == ["completed", "completed"]


def test_response_create_while_active_is_an_error(speech_en):
    """A second response.create while one streams is rejected (Qwen-Audio's documented rule)."""
    s = _manual()
    s.receive_event({"type": "response.create"})
    _take_until(s, "response.created")
    [error] = [e for e in send(s, type="response.create") if e["type"] == "error"]
    assert error["error"] == {
        "type": "invalid_request_error",
        "code": "invalid_value",
        "message": "Cannot create response while another response is in progress.",
        "param": "response.create",
        **({"event_id": error["error"]["event_id"]} if "event_id" in error["error"] else {}),
    }


def test_response_create_while_active_can_queue():
    """response_create_while_active=queue: the second answer follows the first."""
    s = _manual(_session(response_create_while_active="queue"))
    s.receive_event({"type": "response.create"})
    _take_until(s, "response.created")
    kinds = types(send(s, type="response.create"))
    assert kinds.count("response.done") == 2 and "error" not in kinds


def test_tool_call_round_trip(speech_en):
    """tools: the turn gets a function_call; its output + response.create gets an answer using it."""
    s = new_session(OMNI)
    send(s, type="session.update", session={"tools": [WEATHER_TOOL]})
    events = stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    added = next(e for e in events if e["type"] == "response.output_item.added")["item"]
    assert added["type"] == "function_call" and added["arguments"] == ""
    pieces = "".join(
        e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta"
    )
    [done] = [e for e in events if e["type"] == "response.function_call_arguments.done"]
    assert done["arguments"] == pieces and done["name"] == "get_current_weather"
    assert done["call_id"].startswith("call_") and len(done["call_id"]) == 27
    assert set(json.loads(done["arguments"])) == {"location"}
    final = next(e for e in events if e["type"] == "response.done")["response"]
    assert (
        final["output"][0]["type"] == "function_call"
        and "audio_tokens" not in final["usage"]["output_tokens_details"]
    )
    created = send(
        s,
        type="conversation.item.create",
        item={
            "type": "function_call_output",
            "call_id": done["call_id"],
            "output": "Sunny, 25 degrees.",
        },
    )
    assert types(created) == ["conversation.item.created"]
    assert created[0]["item"]["type"] == "function_call_output"
    answer = send(s, type="response.create")
    [transcript] = [
        e["transcript"] for e in answer if e["type"] == "response.audio_transcript.done"
    ]
    assert "Sunny, 25 degrees." in transcript


def test_tool_result_can_continue_automatically(speech_en):
    """tool_result_continuation=auto: the function_call_output is answered without response.create."""
    s = _session(tool_result_continuation="auto")
    send(s, type="session.update", session={"tools": [WEATHER_TOOL]})
    stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    kinds = types(
        send(
            s,
            type="conversation.item.create",
            item={"type": "function_call_output", "call_id": "call_1", "output": "ok"},
        )
    )
    assert kinds[0] == "conversation.item.created" and "response.done" in kinds


def test_user_text_item_is_answered():
    """A user message of input_text parts is created and answered on response.create."""
    s = _manual()
    [created] = send(
        s,
        type="conversation.item.create",
        item={
            "id": "item_mine",
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "Hi"}],
        },
    )
    assert created["item"]["id"] == "item_mine"
    assert "response.done" in types(send(s, type="response.create"))


def test_duplicate_item_id_is_rejected():
    """docs/protocol/events.md §1.7: a duplicate item_id is an invalid_request_error."""
    s = new_session(OMNI)
    item = {"id": "item_1", "type": "function_call_output", "call_id": "call_1", "output": "x"}
    send(s, type="conversation.item.create", item=item)
    [error] = send(s, type="conversation.item.create", item=item)
    assert error["error"]["param"] == "item.id"


def test_session_finish_is_accepted_by_default(speech_en):
    """omni_session_finish=accept: pending answer, then session.finished (what the SDK waits for)."""
    s = new_session(OMNI)
    stream(s, speech_en, end_ms=speech_en.segments[0]["end_ms"])
    kinds = types(send(s, type="session.finish"))
    assert kinds[-2:] == ["response.done", "session.finished"]


def test_session_finish_can_be_rejected():
    """omni_session_finish=reject: the invalid-event error reported for qwen3.5-omni; session goes on."""
    s = _session(omni_session_finish="reject")
    [error] = send(s, type="session.finish")
    assert error["error"]["type"] == "invalid_request_error" and not s.finished


def test_transcript_can_follow_the_response(speech_en):
    """omni_transcript_position=after_response: transcription.completed after response.done."""
    s = _session(omni_transcript_position="after_response")
    kinds = types(stream(s, speech_en, end_ms=speech_en.gap_middle_ms))
    assert kinds.index("response.done") < kinds.index(
        "conversation.item.input_audio_transcription.completed"
    )


def test_session_cap_is_120_minutes_and_configurable():
    """Omni documents a 120-minute cap; Behaviour.session_cap_s overrides it."""
    assert new_session(OMNI).session_cap_s == 7200
    assert _session(session_cap_s=1.5).session_cap_s == 1.5


@pytest.mark.parametrize(
    "session",
    [
        {"voice": ["Cherry"]},
        {"input_audio_format": ["pcm"]},
        {"input_audio_transcription": {"model": {}}},
    ],
)
def test_values_of_the_wrong_json_type_are_errors(session):
    """A list or object where a string belongs is an invalid_request_error naming the field."""
    [error] = send(new_session(OMNI), type="session.update", session=session)
    assert error["error"]["type"] == "invalid_request_error"
    assert error["error"]["param"].startswith("session.")


def test_switching_to_manual_mid_utterance_answers_that_utterance(speech_en):
    """turn_detection: null while the user speaks closes the utterance as a VAD turn and answers it."""
    s = new_session(OMNI)
    stream(s, speech_en, end_ms=speech_en.segments[0]["start_ms"] + 1000)
    kinds = types(send(s, type="session.update", session={"turn_detection": None}))
    assert kinds[0] == "input_audio_buffer.speech_stopped" and "response.done" in kinds
    assert kinds[-1] == "response.done" and "session.updated" in kinds


def test_tool_with_malformed_parameters_is_still_called(speech_en):
    """A tool whose parameters schema is odd (non-object properties) gets a call with empty arguments."""
    s = new_session(OMNI)
    send(
        s,
        type="session.update",
        session={
            "tools": [
                {
                    "type": "function",
                    "function": {
                        "name": "f",
                        "parameters": {"type": "object", "properties": [], "required": 5},
                    },
                }
            ]
        },
    )
    events = stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    [done] = [e for e in events if e["type"] == "response.function_call_arguments.done"]
    assert json.loads(done["arguments"]) == {}


def test_non_string_item_id_is_rejected():
    """conversation.item.create with a numeric item id: invalid_type on item.id."""
    [error] = send(
        new_session(OMNI),
        type="conversation.item.create",
        item={"id": 5, "type": "function_call_output", "call_id": "c", "output": "o"},
    )
    assert error["error"]["code"] == "invalid_type" and error["error"]["param"] == "item.id"


def test_cancel_before_anything_sent_without_response_done_leaves_no_trace(speech_en):
    """Found by the state machine: with cancel_sends_response_done off, a response cancelled before
    any of it was sent used to leave a lone response.created that nothing ever closed."""
    s = _manual(_session(cancel_sends_response_done=False))
    s.receive_event({"type": "response.create"})
    s.receive_event({"type": "response.cancel"})
    s.receive_event({"type": "response.create"})
    kinds = types(s.events_to_send())
    assert kinds.count("response.created") == 1 and kinds.count("response.done") == 1


def test_tool_choice_none_answers_with_text_and_is_echoed(speech_en):
    """tool_choice none (set by the client, then echoed): tools configured, yet no tool call."""
    s = new_session(OMNI)
    [updated] = send(
        s, type="session.update", session={"tools": [WEATHER_TOOL], "tool_choice": "none"}
    )
    kinds = types(stream(s, speech_en))
    assert updated["session"]["tool_choice"] == "none"
    assert "response.function_call_arguments.done" not in kinds and "response.done" in kinds


def test_omni_video_settings_are_refused():
    """video.input.representation_compact (qwen3.8 only) is refused, never silently ignored."""
    [error] = send(
        new_session(OMNI),
        type="session.update",
        session={"video": {"input": {"representation_compact": "normal"}}},
    )
    assert error["error"]["param"] == "session.video"


def test_a_turn_detection_type_error_lists_only_what_the_model_takes():
    """smart_turn (Qwen-Audio's) on qwen3-omni-flash: the error lists server_vad alone, never
    semantic_vad, which this model refuses too."""
    s = new_session(OMNI)
    [error] = send(s, type="session.update", session={"turn_detection": {"type": "smart_turn"}})
    assert error["error"]["message"] == (
        "Invalid value: 'smart_turn'. Supported values are: 'server_vad'."
    )


def test_audio_input_takes_the_documented_16_khz_only():
    """session.audio input at 8 kHz on qwen3-omni-flash: refused, as its reference takes 16 kHz only."""
    s = new_session(OMNI)
    update = {"audio": {"input": {"format": {"type": "pcm", "sample_rate": 8000}}}}
    [error] = send(s, type="session.update", session=update)
    assert error["error"]["param"] == "session.audio.input.format.sample_rate"
    assert error["error"]["message"].endswith("Supported values are: '16000'.")


def test_audio_rates_of_qwen35_can_be_chosen_and_are_listed_in_documented_order():
    """omni_audio_rates=qwen3.5: 8 kHz is taken; a bad rate lists 8000/16000/24000/48000 in order."""
    s = _session(omni_audio_rates="qwen3.5")
    ok = {"audio": {"input": {"format": {"type": "pcm", "sample_rate": 8000}}}}
    assert types(send(s, type="session.update", session=ok)) == ["session.updated"]
    bad = {"audio": {"output": {"format": {"type": "pcm", "sample_rate": 12}}}}
    [error] = send(s, type="session.update", session=bad)
    assert error["error"]["message"].endswith(
        "Supported values are: '8000', '16000', '24000', '48000'."
    )


def test_smooth_output_is_refused_on_turbo():
    """smooth_output on qwen-omni-turbo (qwen3-omni-flash only): an error, never a silent drop."""
    s = new_session(OMNI_TURBO)
    [error] = send(s, type="session.update", session={"smooth_output": False})
    assert error["error"]["param"] == "session.smooth_output"


class _RecordedResponder(CorpusResponder):
    """The built-in responder whose speech is a recording (a second of a constant), as replay
    gives a fixture's audio for its own text."""

    def speech(self, text: str, voice: str, sample_rate: int) -> np.ndarray | Speech:
        recording = np.full(sample_rate, 7, dtype=np.int16)
        recording.flags.writeable = False
        return recording


def _recorded_answer(max_tokens: int) -> tuple[bytes, dict]:
    s = new_session(OMNI, responder=_RecordedResponder())
    send(s, type="session.update", session={"turn_detection": None, "max_tokens": max_tokens})
    item = {"type": "function_call_output", "call_id": "call_1", "output": "word " * 40}
    send(s, type="conversation.item.create", item=item)
    events = send(s, type="response.create")
    audio = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.audio.delta"
    )
    return audio, events[-1]["response"]


def test_a_recorded_answer_that_fits_is_its_recording():
    """max_tokens above what the recording and its text cost: the recording, whole."""
    audio, response = _recorded_answer(1000)
    assert response["status"] == "completed"
    assert np.frombuffer(audio, dtype="<i2").tolist() == [7] * 24000


def test_a_recorded_answer_past_max_tokens_is_synthesized_and_cut():
    """The recording is the whole answer's speech: a cut answer is synthesized up to its cut."""
    audio, response = _recorded_answer(30)
    assert response["status"] == "incomplete"
    assert response["usage"]["output_tokens"] <= 30
    assert len(audio) > 0 and set(np.frombuffer(audio, dtype="<i2").tolist()) != {7}
