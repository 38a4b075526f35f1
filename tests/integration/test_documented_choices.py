"""The official SDK, unmodified, against the places where the docs speak (and the named options
where they are silent): each documented behaviour, and the option's other value.

The Java SDK's default payloads are sent as raw JSON (`send_raw`); `AudioFormatConfig` goes
through the Python SDK's own `update_session`.
"""

from __future__ import annotations

import base64
import json
import math

import pytest
from dashscope.audio.qwen_omni import MultiModality, OmniRealtimeConversation
from dashscope.audio.qwen_omni.omni_realtime import (
    AudioFormatConfig,
    TranscriptionParams,
    TranslationParams,
)

from dashscope_realtime_mock.protocol.behaviour import (
    Behaviour,
    CancelledStatus,
    LiveTranslateShape,
    Scoped,
    SpeechTimestamps,
    UnknownCallId,
)
from tests.integration.sdk_support import API_KEY, SDK_WARNINGS, Recorder
from tests.support import ASR, LIVETRANSLATE, LIVETRANSLATE_35, OMNI, OMNI_TURBO, b64, types

pytestmark = SDK_WARNINGS
OMNI_2509 = "qwen3-omni-flash-realtime-2025-09-15"
TEXT = [MultiModality.TEXT]
TEXT_AUDIO = [MultiModality.AUDIO, MultiModality.TEXT]


def _connect(server, model: str) -> tuple[OmniRealtimeConversation, Recorder]:
    recorder = Recorder()
    conversation = OmniRealtimeConversation(
        model=model, callback=recorder, url=server.url, api_key=API_KEY
    )
    conversation.connect()
    recorder.wait_for("session.created")
    return conversation, recorder


def _raw(conversation: OmniRealtimeConversation, **event) -> None:
    conversation.send_raw(json.dumps({"event_id": "event_raw", **event}))


def _say(conversation: OmniRealtimeConversation, speech, **bounds) -> None:
    for chunk in speech.chunks(100, **bounds):
        conversation.append_audio(b64(chunk))


def _updated(recorder: Recorder, count: int = 2) -> dict:
    """The `count`-th session.updated (the first is the one connect triggers)."""
    return recorder.wait_for("session.updated", count)["session"]


# ---- connect: session.created, then session.updated (the SDK references) ------------------


def test_connect_gives_session_created_then_session_updated(realtime_mock):
    """With no client event sent, connect triggers session.created and session.updated."""
    conversation, recorder = _connect(realtime_mock, OMNI)
    updated = recorder.wait_for("session.updated")
    conversation.close()
    assert types(recorder.events)[:2] == ["session.created", "session.updated"]
    assert updated["session"]["voice"] == recorder.events[0]["session"]["voice"]


@pytest.mark.realtime_mock(behaviour=Behaviour(updated_on_connect=False))
def test_updated_on_connect_off_leaves_only_session_created(realtime_mock):
    """updated_on_connect=false: the first session.updated is the answer to the client's update."""
    conversation, recorder = _connect(realtime_mock, OMNI)
    conversation.update_session(output_modalities=TEXT, voice="Ethan")
    first = recorder.wait_for("session.updated")
    conversation.close()
    assert first["session"]["voice"] == "Ethan"


# ---- Omni: commit and response.create with VAD on (the Omni SDK reference FAQ) ------------


def test_omni_commit_in_vad_mode_commits_and_response_create_answers(realtime_mock, speech_en):
    """Push-to-talk over VAD: commit ends the turn (no automatic answer), response.create answers."""
    conversation, recorder = _connect(realtime_mock, OMNI)
    conversation.update_session(output_modalities=TEXT, enable_turn_detection=True)
    _updated(recorder)
    _say(conversation, speech_en, end_ms=speech_en.segments[0]["start_ms"] + 800)
    recorder.wait_for("input_audio_buffer.speech_started")
    conversation.commit()
    committed = recorder.wait_for("input_audio_buffer.committed")
    recorder.wait_for("conversation.item.input_audio_transcription.completed")
    assert "response.created" not in types(recorder.events)
    conversation.create_response()
    done = recorder.wait_for("response.done")
    conversation.close()
    assert done["response"]["status"] == "completed"
    assert "error" not in types(recorder.events) and committed["item_id"].startswith("item_")


@pytest.mark.realtime_mock(
    behaviour=Behaviour().with_assignments(["commit_in_vad_mode=omni:error"])
)
def test_omni_commit_in_vad_mode_can_be_an_error(realtime_mock, speech_en):
    """commit_in_vad_mode=omni:error: the commit gets invalid_state, as ASR documents it."""
    conversation, recorder = _connect(realtime_mock, OMNI)
    _say(conversation, speech_en, end_ms=speech_en.segments[0]["start_ms"] + 800)
    conversation.commit()
    error = recorder.wait_for("error")
    conversation.close()
    assert error["error"]["code"] == "invalid_state"


def test_asr_commit_in_vad_mode_is_an_error_as_documented(realtime_mock, speech_en):
    """ASR's reference forbids commit in VAD mode: invalid_state, and the session goes on."""
    conversation, recorder = _connect(realtime_mock, ASR)
    _say(conversation, speech_en, end_ms=speech_en.segments[0]["start_ms"] + 800)
    conversation.commit()
    error = recorder.wait_for("error")
    conversation.end_session()
    conversation.close()
    assert error["error"]["code"] == "invalid_state"
    assert types(recorder.events)[-1] == "session.finished"


# ---- LiveTranslate qwen3: the source language defaults to en (the guide) ------------------


def test_livetranslate_source_language_defaults_to_english(realtime_mock, speech_en):
    """Transcription on, no language set: the source transcript reports en."""
    conversation, recorder = _connect(realtime_mock, LIVETRANSLATE)
    conversation.update_session(
        output_modalities=TEXT,
        input_audio_transcription_model="qwen3-asr-flash-realtime",
        translation_params=TranslationParams(language="zh"),
    )
    _updated(recorder)
    _say(conversation, speech_en, end_ms=speech_en.gap_middle_ms)
    completed = recorder.wait_for("conversation.item.input_audio_transcription.completed")
    conversation.close()
    assert completed["language"] == "en"


# ---- audio format strings per family -----------------------------------------------------


def test_asr_refuses_pcm16_with_the_documented_message(realtime_mock):
    """The SDK's default format pcm16 (no TranscriptionParams) gets ASR's documented error."""
    conversation, recorder = _connect(realtime_mock, ASR)
    conversation.update_session(output_modalities=TEXT)
    error = recorder.wait_for("error")
    conversation.close()
    assert error["error"]["message"] == (
        "Invalid value: 'pcm16'. Supported values are: 'pcm', 'opus'."
    )


@pytest.mark.realtime_mock(
    behaviour=Behaviour().with_assignments(["legacy_format_strings=asr:true"])
)
def test_asr_can_take_pcm16_when_asked(realtime_mock):
    """legacy_format_strings=asr:true: ASR takes the SDK's pcm16 too."""
    conversation, recorder = _connect(realtime_mock, ASR)
    conversation.update_session(output_modalities=TEXT)
    session = _updated(recorder)
    conversation.close()
    assert session["input_audio_format"] == "pcm16"


@pytest.mark.parametrize("model", [OMNI, OMNI_2509, OMNI_TURBO])
def test_the_java_sdk_defaults_work_on_every_omni_model(realtime_mock, model):
    """pcm16 in, pcm24 out, gummy-realtime-v1 transcription (the Java SDK's defaults) are taken."""
    conversation, recorder = _connect(realtime_mock, model)
    _raw(
        conversation,
        type="session.update",
        session={
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm24",
            "input_audio_transcription": {"model": "gummy-realtime-v1"},
        },
    )
    session = _updated(recorder)
    conversation.close()
    assert (session["input_audio_format"], session["output_audio_format"]) == ("pcm16", "pcm24")
    assert session["input_audio_transcription"] == {"model": "gummy-realtime-v1"}


# ---- session.audio (AudioFormatConfig) -----------------------------------------------------


def test_audio_format_config_input_rate_times_8khz_audio(realtime_mock, speech_en_8k):
    """input_audio_config 8 kHz: echoed in session.updated, and speech is timed at 8 kHz."""
    conversation, recorder = _connect(realtime_mock, ASR)
    conversation.update_session(
        output_modalities=TEXT,
        input_audio_config=AudioFormatConfig(type="pcm", sample_rate=8000),
        transcription_params=TranscriptionParams(language="en"),
    )
    session = _updated(recorder)
    _say(conversation, speech_en_8k, end_ms=speech_en_8k.gap_middle_ms)
    started = recorder.wait_for("input_audio_buffer.speech_started")
    conversation.close()
    assert session["audio"]["input"]["format"] == {"type": "pcm", "sample_rate": 8000}
    assert abs(started["audio_start_ms"] - speech_en_8k.segments[0]["start_ms"]) <= 200


@pytest.mark.realtime_mock(behaviour=Behaviour().with_assignments(["omni_audio_rates=qwen3.5"]))
def test_audio_format_config_output_rate_shapes_the_audio_deltas(realtime_mock, speech_en):
    """omni_audio_rates=qwen3.5, output_audio_config 16 kHz on Omni: the deltas are 16 kHz
    (usage agrees) and it is echoed."""
    conversation, recorder = _connect(realtime_mock, OMNI)
    conversation.update_session(
        output_modalities=TEXT_AUDIO,
        output_audio_config=AudioFormatConfig(type="pcm", sample_rate=16000),
    )
    session = _updated(recorder)
    _say(conversation, speech_en, end_ms=speech_en.gap_middle_ms)
    done = recorder.wait_for("response.done")
    conversation.close()
    deltas = [e for e in recorder.events if e["type"] == "response.audio.delta"]
    sizes = [len(base64.b64decode(e["delta"])) // 2 for e in deltas]
    samples = sum(sizes)
    usage = done["response"]["usage"]["output_tokens_details"]["audio_tokens"]
    assert session["audio"]["output"]["format"] == {"type": "pcm", "sample_rate": 16000}
    assert usage == math.ceil(samples / 16000 * 12.5)
    assert max(sizes) == 3200  # 200 ms at 16 kHz


def test_audio_format_config_omni_output_rate_follows_its_reference(realtime_mock):
    """qwen3-omni-flash speaks at 24 kHz, not to be chosen: output_audio_config 16 kHz is refused."""
    conversation, recorder = _connect(realtime_mock, OMNI)
    conversation.update_session(
        output_modalities=TEXT_AUDIO,
        output_audio_config=AudioFormatConfig(type="pcm", sample_rate=16000),
    )
    error = recorder.wait_for("error")
    conversation.close()
    assert error["error"]["param"] == "session.audio.output.format.sample_rate"
    assert error["error"]["message"].endswith("Supported values are: '24000'.")


def test_audio_format_config_a_model_cannot_take_is_an_error(realtime_mock):
    """LiveTranslate speaks at 24 kHz only: output_audio_config 16 kHz gets an error naming it."""
    conversation, recorder = _connect(realtime_mock, LIVETRANSLATE)
    conversation.update_session(
        output_modalities=TEXT_AUDIO,
        output_audio_config=AudioFormatConfig(type="pcm", sample_rate=16000),
    )
    error = recorder.wait_for("error")
    conversation.close()
    assert error["error"]["param"] == "session.audio.output.format.sample_rate"
    assert "Supported values are: '24000'" in error["error"]["message"]


# ---- audio_start_ms / audio_end_ms --------------------------------------------------------


def _first_utterance_edges(server, speech) -> tuple[dict, dict, dict]:
    """ASR over the first utterance: (speech_started, speech_stopped, the true segment)."""
    conversation, recorder = _connect(server, ASR)
    conversation.update_session(
        output_modalities=TEXT, transcription_params=TranscriptionParams(language="en")
    )
    _updated(recorder)
    _say(conversation, speech, end_ms=speech.gap_middle_ms)
    started = recorder.wait_for("input_audio_buffer.speech_started")
    stopped = recorder.wait_for("input_audio_buffer.speech_stopped")
    conversation.close()
    return started, stopped, speech.segments[0]


def test_speech_events_mark_the_edges_of_the_speech(realtime_mock, speech_en):
    """By default audio_start_ms/audio_end_ms are where the speech starts and ends."""
    started, stopped, truth = _first_utterance_edges(realtime_mock, speech_en)
    assert abs(started["audio_start_ms"] - truth["start_ms"]) <= 100
    assert abs(stopped["audio_end_ms"] - truth["end_ms"]) <= 100


@pytest.mark.realtime_mock(behaviour=Behaviour(speech_timestamps=SpeechTimestamps.PADDED))
def test_speech_timestamps_padded_is_openai_betas_convention(realtime_mock, speech_en):
    """speech_timestamps=padded: onset − prefix padding (300), offset + silence (800)."""
    started, stopped, truth = _first_utterance_edges(realtime_mock, speech_en)
    assert abs(started["audio_start_ms"] - (truth["start_ms"] - 300)) <= 100
    assert abs(stopped["audio_end_ms"] - (truth["end_ms"] + 800)) <= 100


# ---- LiveTranslate: G1 shape on qwen3, voices on qwen3.5 ----------------------------------


def _translate(server, model: str, speech, **session) -> list[dict]:
    conversation, recorder = _connect(server, model)
    conversation.update_session(
        output_modalities=TEXT, translation_params=TranslationParams(language="zh"), **session
    )
    _updated(recorder)
    _say(conversation, speech, end_ms=speech.gap_middle_ms)
    conversation.end_session()
    conversation.close()
    return recorder.events


def test_qwen3_livetranslate_has_the_g1_shape(realtime_mock, speech_en):
    """qwen3: no conversation.item.created inside the response, no item_id on speech events."""
    events = _translate(realtime_mock, LIVETRANSLATE, speech_en)
    started = next(e for e in events if e["type"] == "input_audio_buffer.speech_started")
    assert "conversation.item.created" not in types(events) and "item_id" not in started
    assert "response.done" in types(events)


@pytest.mark.realtime_mock(behaviour=Behaviour(livetranslate_shape=Scoped(LiveTranslateShape.G2)))
def test_livetranslate_shape_g2_on_qwen3(realtime_mock, speech_en):
    """livetranslate_shape=g2: the response's assistant item is announced on qwen3 too."""
    events = _translate(realtime_mock, LIVETRANSLATE, speech_en)
    created = next(e for e in events if e["type"] == "conversation.item.created")
    assert created["item"]["role"] == "assistant"


def test_qwen35_accepts_its_examples_voice_cherry(realtime_mock):
    """The qwen3.5 examples show voice Cherry: it is accepted."""
    conversation, recorder = _connect(realtime_mock, LIVETRANSLATE_35)
    conversation.update_session(output_modalities=TEXT_AUDIO, voice="Cherry")
    session = _updated(recorder)
    conversation.close()
    assert session["voice"] == "Cherry"


@pytest.mark.realtime_mock(behaviour=Behaviour(example_voices=False))
def test_qwen35_voice_list_can_be_strict(realtime_mock):
    """example_voices=false: Cherry is refused and the error lists the documented voices."""
    conversation, recorder = _connect(realtime_mock, LIVETRANSLATE_35)
    conversation.update_session(output_modalities=TEXT_AUDIO, voice="Cherry")
    error = recorder.wait_for("error")
    conversation.close()
    assert error["error"]["message"] == (
        "Invalid value: 'Cherry'. Supported values are: 'Tina', 'Cindy', 'Liora Mira', "
        "'Sunnybobi', 'Raymond', 'Ethan', 'Theo Calm'."
    )


def test_a_transcription_language_set_alone_is_echoed(realtime_mock):
    """qwen3: input_audio_transcription.language set alone is applied and echoed."""
    conversation, recorder = _connect(realtime_mock, LIVETRANSLATE)
    _raw(
        conversation,
        type="session.update",
        session={"input_audio_transcription": {"language": "fr"}},
    )
    session = _updated(recorder)
    conversation.close()
    assert session["input_audio_transcription"] == {"language": "fr"}


# ---- Omni: max_tokens, cancelled status, echoes, call ids ----------------------------------


def test_omni_max_tokens_truncates_the_answer(realtime_mock, speech_en):
    """max_tokens 12: the answer is cut, response.done says incomplete and usage fits the cut."""
    conversation, recorder = _connect(realtime_mock, OMNI)
    conversation.update_session(output_modalities=TEXT_AUDIO, max_tokens=12)
    _updated(recorder)
    _say(conversation, speech_en, end_ms=speech_en.gap_middle_ms)
    done = recorder.wait_for("response.done")
    conversation.close()
    response = done["response"]
    transcript = recorder.wait_for("response.audio_transcript.done")["transcript"]
    assert response["status"] == "incomplete"
    assert response["status_details"] == {"type": "incomplete", "reason": "max_output_tokens"}
    assert 0 < response["usage"]["output_tokens"] <= 12 and transcript
    assert response["output"][0]["status"] == "incomplete"


def _cancelled(server, speech) -> dict:
    conversation, recorder = _connect(server, OMNI)
    conversation.update_session(output_modalities=TEXT_AUDIO, enable_turn_detection=False)
    _updated(recorder)
    _say(conversation, speech, end_ms=speech.gap_middle_ms)
    conversation.commit()
    recorder.wait_for("input_audio_buffer.committed")
    conversation.create_response()
    recorder.wait_for("response.audio.delta")
    conversation.cancel_response()
    done = recorder.wait_for("response.done")
    conversation.close()
    return done["response"]


PACED = {"pace": "realtime", "first_text_latency_ms": 50, "first_audio_latency_ms": 100}


@pytest.mark.realtime_mock(**PACED)
def test_a_cancelled_response_says_cancelled(realtime_mock, speech_en):
    """By default a cancelled response ends with status cancelled (Qwen-Audio's page)."""
    response = _cancelled(realtime_mock, speech_en)
    assert response["status"] == "cancelled"
    assert response["status_details"] == {"type": "cancelled", "reason": "client_cancelled"}


@pytest.mark.realtime_mock(
    **PACED, behaviour=Behaviour(cancelled_status=CancelledStatus.INCOMPLETE)
)
def test_cancelled_status_can_be_incomplete(realtime_mock, speech_en):
    """cancelled_status=incomplete: DashScope's own status enum."""
    response = _cancelled(realtime_mock, speech_en)
    assert response["status"] == "incomplete"
    assert response["status_details"] == {"type": "incomplete", "reason": "client_cancelled"}


def test_omni_session_created_echoes_search_as_the_example(realtime_mock):
    """session.created carries enable_search false and search_options {} (session.created.json)."""
    conversation, recorder = _connect(realtime_mock, OMNI)
    created = recorder.events[0]["session"]
    conversation.close()
    assert (created["enable_search"], created["search_options"]) == (False, {})


def test_omni_session_created_echoes_tool_choice_as_the_legacy_example(realtime_mock):
    """session.created echoes tool_choice "auto" right after tools (session.created.legacy.json)."""
    conversation, recorder = _connect(realtime_mock, OMNI)
    created = recorder.events[0]["session"]
    conversation.close()
    keys = list(created)
    assert created["tool_choice"] == "auto"
    assert keys.index("tool_choice") == keys.index("tools") + 1


def test_omni_enable_search_is_refused(realtime_mock):
    """enable_search true (qwen3.5/3.8 only) is refused with an error naming it."""
    conversation, recorder = _connect(realtime_mock, OMNI)
    conversation.update_session(output_modalities=TEXT, enable_search=True)
    error = recorder.wait_for("error")
    conversation.close()
    assert error["error"]["param"] == "session.enable_search"


def _tool_output(server, call_id: str, answer: str) -> dict:
    """Return a tool result for `call_id` and wait for the server's `answer` to it."""
    conversation, recorder = _connect(server, OMNI)
    item = {"type": "function_call_output", "call_id": call_id, "output": "{}"}
    _raw(conversation, type="conversation.item.create", item=item)
    event = recorder.wait_for(answer)
    conversation.close()
    assert not [e for e in recorder.events if e["type"] == "error" and answer != "error"]
    return event


def test_an_unknown_call_id_is_accepted_by_default(realtime_mock):
    """unknown_call_id=accept (default): the output item is created."""
    created = _tool_output(realtime_mock, "call_nobodyissuedthis", "conversation.item.created")
    assert created["item"]["call_id"] == "call_nobodyissuedthis"


@pytest.mark.realtime_mock(behaviour=Behaviour(unknown_call_id=UnknownCallId.ERROR))
def test_an_unknown_call_id_can_be_an_error(realtime_mock):
    """unknown_call_id=error: invalid_request_error naming item.call_id."""
    error = _tool_output(realtime_mock, "call_nobodyissuedthis", "error")
    assert error["error"]["param"] == "item.call_id"
