"""The official DashScope SDK, unmodified, holds Omni conversations with the mock.

A manual turn with an image, a VAD turn, a cancelled response, a barge-in and a tool-call round
trip. Cancel and barge-in run against a server in `realtime` pace, so that a response is still
streaming when the client acts, as against the live service.
"""

from __future__ import annotations

import base64

import pytest
from dashscope import Client
from dashscope.audio.qwen_omni import MultiModality, OmniRealtimeConversation

from tests.dialects import assert_dialect
from tests.integration.sdk_support import API_KEY, SDK_WARNINGS, Recorder
from tests.support import OMNI, WEATHER_TOOL, b64, tiny_jpeg, types

pytestmark = SDK_WARNINGS


# Cancel and barge-in need a response still streaming when the client acts.
PACED = pytest.mark.realtime_mock(
    pace="realtime", first_text_latency_ms=50, first_audio_latency_ms=100
)


def _legacy(server, recorder: Recorder) -> OmniRealtimeConversation:
    conversation = OmniRealtimeConversation(
        model=OMNI, callback=recorder, url=server.url, api_key=API_KEY
    )
    conversation.connect()
    return conversation


def _read_until(rt, kind: str) -> list[dict]:
    """v2: receive events up to and including the first `kind`."""
    events = []
    for event in iter(rt.recv_event, None):
        events.append(event)
        if event["type"] == kind:
            return events
    raise AssertionError(f"connection ended before {kind}: {types(events)}")


def _say_first_utterance(rt, speech) -> None:
    """v2: stream the recording's first utterance and the first half of the pause after it."""
    for chunk in speech.chunks(100, end_ms=speech.gap_middle_ms):
        rt.append_audio(chunk)


def _no_errors(events: list[dict]) -> None:
    """No error, and every event in the Omni dialect (docs/protocol/events.md §5)."""
    assert "error" not in types(events), [e for e in events if e["type"] == "error"]
    assert_dialect("omni", events)


def test_legacy_sdk_manual_turn_with_image(realtime_mock, speech_en):
    """Manual mode: audio + an image, commit, create_response → an answer billed for the image."""
    recorder = Recorder()
    conversation = _legacy(realtime_mock, recorder)
    conversation.update_session(
        output_modalities=[MultiModality.TEXT, MultiModality.AUDIO],
        voice="Cherry",
        enable_turn_detection=False,
    )
    chunks = list(speech_en.chunks(100, end_ms=speech_en.gap_middle_ms))
    for chunk in chunks[:10]:
        conversation.append_audio(b64(chunk))
    conversation.append_video(b64(tiny_jpeg(640, 480)))
    for chunk in chunks[10:]:
        conversation.append_audio(b64(chunk))
    conversation.commit()
    conversation.create_response()
    done = recorder.wait_for("response.done")
    conversation.end_session(timeout=20)
    conversation.close()
    _no_errors(recorder.events)
    assert done["response"]["status"] == "completed"
    assert done["response"]["usage"]["input_tokens_details"]["image_tokens"] > 0
    kinds = types(recorder.events)
    assert kinds.index("input_audio_buffer.committed") < kinds.index("response.created")
    assert conversation.get_last_response_id() == done["response"]["id"]


def test_v2_sdk_vad_turn(realtime_mock, speech_en):
    """VAD mode: one utterance is detected, committed, transcribed and answered with audio."""
    client = Client(api_key=API_KEY)
    with client.audio.realtime.connect(model=OMNI, ws_url=realtime_mock.url_for(OMNI)) as rt:
        rt.update_session(["text", "audio"], voice="Cherry", enable_turn_detection=True)
        _say_first_utterance(rt, speech_en)
        events = _read_until(rt, "response.done")
        rt.end_session()
        events += list(rt.events())
    _no_errors(events)
    kinds = types(events)
    assert (
        kinds.index("input_audio_buffer.speech_started")
        < kinds.index("input_audio_buffer.speech_stopped")
        < kinds.index("conversation.item.input_audio_transcription.completed")
        < kinds.index("response.created")
    )
    audio = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.audio.delta"
    )
    assert len(audio) > 24000 and kinds[-1] == "session.finished"


@PACED
def test_v2_sdk_cancels_a_streaming_response(realtime_mock, speech_en):
    """cancel_response() while audio streams: the open parts close and response.done says cancelled."""
    client = Client(api_key=API_KEY)
    with client.audio.realtime.connect(model=OMNI, ws_url=realtime_mock.url_for(OMNI)) as rt:
        rt.update_session(["text", "audio"], voice="Cherry", enable_turn_detection=False)
        _say_first_utterance(rt, speech_en)
        rt.commit()
        rt.create_response()
        events = _read_until(rt, "response.audio.delta")
        rt.cancel_response()
        events += _read_until(rt, "response.done")
        rt.end_session()
        events += list(rt.events())
    _no_errors(events)
    done = next(e for e in events if e["type"] == "response.done")["response"]
    assert done["status"] == "cancelled" and done["status_details"]["reason"] == "client_cancelled"
    kinds = types(events)
    assert kinds.index("response.audio.done") < kinds.index("response.done")


@PACED
def test_legacy_sdk_barge_in(realtime_mock, speech_en):
    """Speaking while the answer plays cuts it short; the new utterance is answered in full."""
    recorder = Recorder()
    conversation = _legacy(realtime_mock, recorder)
    conversation.update_session(
        output_modalities=[MultiModality.TEXT, MultiModality.AUDIO],
        voice="Cherry",
        enable_turn_detection=True,
        turn_detection_threshold=0.5,
    )
    for chunk in speech_en.chunks(100, end_ms=speech_en.gap_middle_ms):
        conversation.append_audio(b64(chunk))
    recorder.wait_for("response.audio.delta")
    for chunk in speech_en.chunks(100, start_ms=speech_en.gap_middle_ms):
        conversation.append_audio(b64(chunk))
    first = recorder.wait_for("response.done")
    second = recorder.wait_for("response.done", count=2, timeout=60)
    conversation.end_session(timeout=20)
    conversation.close()
    _no_errors(recorder.events)
    assert first["response"]["status"] == "cancelled"
    assert first["response"]["status_details"]["reason"] == "turn_detected"
    assert second["response"]["status"] == "completed"


def test_v2_sdk_tool_call_round_trip(realtime_mock, speech_en):
    """A function_call answer, the tool's output sent back, then an answer that uses it."""
    client = Client(api_key=API_KEY)
    with client.audio.realtime.connect(model=OMNI, ws_url=realtime_mock.url_for(OMNI)) as rt:
        rt.update_session(["text"], enable_turn_detection=False, tools=[WEATHER_TOOL])
        _say_first_utterance(rt, speech_en)
        rt.commit()
        rt.create_response()
        events = _read_until(rt, "response.done")
        call = next(e for e in events if e["type"] == "response.function_call_arguments.done")
        rt.create_item(
            {"type": "function_call_output", "call_id": call["call_id"], "output": "Sunny, 25 C."}
        )
        rt.create_response()
        answer = _read_until(rt, "response.done")
        rt.end_session()
        answer += list(rt.events())
    _no_errors(events + answer)
    assert call["name"] == "get_current_weather" and "location" in call["arguments"]
    assert "conversation.item.created" in types(answer)
    [text] = [e["text"] for e in answer if e["type"] == "response.text.done"]
    assert "Sunny, 25 C." in text
