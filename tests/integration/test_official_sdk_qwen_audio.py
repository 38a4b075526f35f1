"""The official DashScope SDK, unmodified, holds Qwen-Audio conversations with the mock.

Every Qwen-Audio model, server VAD and push-to-talk, through the legacy
`OmniRealtimeConversation` and the v2 client (which knows Qwen-Audio as its own protocol: it
sends only the fields given, and ends a session by closing, as docs/protocol/qwen-audio.md §5.7
says; its `end_session()` refuses). The legacy SDK's `end_session()` sends `session.finish`,
which Qwen-Audio does not have: the mock answers the invalid-event error and the SDK then waits
in vain for `session.finished`, so these sessions end with `close()`.
"""

from __future__ import annotations

import base64

import pytest
from dashscope import Client

from dashscope_realtime_mock.families import qwen_audio
from tests.dialects import assert_dialect
from tests.integration.sdk_support import API_KEY, SDK_WARNINGS, legacy_spoken_turn
from tests.support import types

pytestmark = SDK_WARNINGS

MODELS = [model.model_id for model in qwen_audio.FAMILY.models]


def _checked(events: list[dict]) -> list[str]:
    """No error, every event in the Qwen-Audio dialect; the event types."""
    assert "error" not in types(events), [e for e in events if e["type"] == "error"]
    assert_dialect("qwen_audio", events)
    return types(events)


def _audio_bytes(events: list[dict]) -> int:
    return sum(
        len(base64.b64decode(e["delta"])) for e in events if e["type"] == "response.audio.delta"
    )


@pytest.mark.parametrize("vad", [True, False], ids=["server_vad", "push_to_talk"])
@pytest.mark.parametrize("model", MODELS)
def test_legacy_sdk_spoken_turn(realtime_mock, speech_en, model, vad):
    """OmniRealtimeConversation: one utterance is committed, transcribed and answered with audio."""
    recorder = legacy_spoken_turn(realtime_mock.url, model, speech_en, voice="longanqian", vad=vad)
    done = recorder.wait_for("response.done")
    kinds = _checked(recorder.events)
    assert done["response"]["status"] == "completed" and done["response"]["voice"] == "longanqian"
    assert ("input_audio_buffer.speech_started" in kinds) == vad
    assert kinds.index("input_audio_buffer.committed") < kinds.index("response.created")
    assert _audio_bytes(recorder.events) > 24000


@pytest.mark.parametrize("vad", [True, False], ids=["server_vad", "push_to_talk"])
@pytest.mark.parametrize("model", MODELS)
def test_v2_sdk_spoken_turn(realtime_mock, speech_en, model, vad):
    """v2 client: a spoken turn is answered; the session ends by closing after response.done."""
    client = Client(api_key=API_KEY)
    with client.audio.realtime.connect(model=model, ws_url=realtime_mock.url_for(model)) as rt:
        rt.update_session(["text", "audio"], voice="longanqian", enable_turn_detection=vad)
        for chunk in speech_en.chunks(100, end_ms=speech_en.gap_middle_ms):
            rt.append_audio(chunk)
        if not vad:
            rt.commit()
            rt.create_response()
        events = []
        for event in iter(rt.recv_event, None):
            events.append(event)
            if event["type"] == "response.done":
                break
    kinds = _checked(events)
    assert kinds[0] == "session.created" and kinds[-1] == "response.done"
    assert events[-1]["response"]["status"] == "completed"
    assert "conversation.item.input_audio_transcription.completed" in kinds
    assert _audio_bytes(events) > 24000
