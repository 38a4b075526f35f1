"""The official DashScope SDK, unmodified, completes spoken turns on the next Omni models
(docs/protocol/omni-next.md): qwen3.5-omni-plus, qwen3.5-omni-flash, qwen3.8-omni-flash.

Each model: a manual and a VAD turn with the legacy OmniRealtimeConversation and with the v2
client. These models do not take `session.finish` (§6.1), so the legacy SDK's end_session()
raises; a user of these models closes the connection instead.
"""

from __future__ import annotations

import pytest
from dashscope import Client
from dashscope.audio.qwen_omni import OmniRealtimeConversation

from tests.dialects import assert_dialect
from tests.integration.sdk_support import API_KEY, SDK_WARNINGS, Recorder, legacy_spoken_turn
from tests.support import OMNI_NEXT, types

pytestmark = SDK_WARNINGS


def _no_errors(events: list[dict]) -> None:
    """No error, and every event in the Omni dialect (docs/protocol/events.md §5)."""
    assert "error" not in types(events), [e for e in events if e["type"] == "error"]
    assert_dialect("omni", events)


@pytest.mark.parametrize("vad", [True, False], ids=["server_vad", "manual"])
@pytest.mark.parametrize("model", OMNI_NEXT)
def test_legacy_sdk_spoken_turn(realtime_mock, speech_en, model, vad):
    """Server VAD answers the utterance unasked; manual mode (commit, create_response) on
    request: either way an answer in Tina's voice, and only VAD reports the speech's end."""
    recorder = legacy_spoken_turn(realtime_mock.url, model, speech_en, voice="Tina", vad=vad)
    done = recorder.wait_for("response.done")
    _no_errors(recorder.events)
    assert done["response"]["status"] == "completed"
    assert done["response"]["voice"] == "Tina"
    assert recorder.events[0]["session"]["model"] == model
    assert ("input_audio_buffer.speech_stopped" in types(recorder.events)) == vad


@pytest.mark.parametrize("model", OMNI_NEXT)
def test_legacy_sdk_end_session_fails(realtime_mock, model):
    """§6.1: end_session() sends session.finish, gets the invalid-event error, and raises."""
    recorder = Recorder()
    conversation = OmniRealtimeConversation(
        model=model, callback=recorder, url=realtime_mock.url, api_key=API_KEY
    )
    conversation.connect()
    with pytest.raises(RuntimeError, match=r"session\.finish"):
        conversation.end_session(timeout=20)
    conversation.close()
    assert "session.finished" not in types(recorder.events)


@pytest.mark.parametrize("model", OMNI_NEXT)
def test_v2_sdk_vad_turn(realtime_mock, speech_en, model):
    """VAD mode: one utterance is detected, committed, transcribed and answered with audio."""
    client = Client(api_key=API_KEY)
    with client.audio.realtime.connect(model=model, ws_url=realtime_mock.url_for(model)) as rt:
        rt.update_session(["text", "audio"], enable_turn_detection=True)
        for chunk in speech_en.chunks(100, end_ms=speech_en.gap_middle_ms):
            rt.append_audio(chunk)
        events = []
        for event in iter(rt.recv_event, None):
            events.append(event)
            if event["type"] == "response.done":
                break
    _no_errors(events)
    kinds = types(events)
    assert (
        kinds.index("input_audio_buffer.speech_stopped")
        < kinds.index("conversation.item.input_audio_transcription.completed")
        < kinds.index("response.created")
    )
    assert events[-1]["response"]["status"] == "completed"
    assert "response.audio.delta" in kinds


@pytest.mark.parametrize("model", OMNI_NEXT)
def test_v2_sdk_manual_turn(realtime_mock, speech_en, model):
    """Manual mode with the v2 client: commit, create_response, an answer with audio."""
    client = Client(api_key=API_KEY)
    with client.audio.realtime.connect(model=model, ws_url=realtime_mock.url_for(model)) as rt:
        rt.update_session(["text", "audio"], enable_turn_detection=False)
        for chunk in speech_en.chunks(100, end_ms=speech_en.gap_middle_ms):
            rt.append_audio(chunk)
        rt.commit()
        rt.create_response()
        events = []
        for event in iter(rt.recv_event, None):
            events.append(event)
            if event["type"] == "response.done":
                break
    _no_errors(events)
    kinds = types(events)
    assert kinds.index("input_audio_buffer.committed") < kinds.index("response.created")
    assert "input_audio_buffer.speech_started" not in kinds
    assert events[-1]["response"]["status"] == "completed"
