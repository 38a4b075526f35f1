"""The official DashScope SDK, unmodified, completes LiveTranslate sessions against the mock.

Both SDK generations are driven the way application code drives them: the legacy
`OmniRealtimeConversation(model=..., url=..., api_key=...)` and the v2
`Client(...).audio.realtime.connect(..., ws_url=...)`. The audio is the committed two-utterance
speech recording, streamed in 100 ms chunks.
"""

from __future__ import annotations

import base64

import numpy as np
import pytest
from dashscope import Client
from dashscope.audio.qwen_omni import MultiModality, OmniRealtimeConversation
from dashscope.audio.qwen_omni.omni_realtime import TranslationParams

from tests.dialects import assert_dialect
from tests.integration.sdk_support import API_KEY, SDK_WARNINGS, Recorder
from tests.support import LIVETRANSLATE, b64, types

pytestmark = SDK_WARNINGS


def _modalities(with_audio: bool) -> list[MultiModality]:
    return [MultiModality.TEXT, MultiModality.AUDIO] if with_audio else [MultiModality.TEXT]


def _check_two_translations(events: list[dict], with_audio: bool, vad: bool) -> None:
    kinds = types(events)
    assert kinds[0] == "session.created"
    assert kinds[-1] == "session.finished"
    assert "error" not in kinds, [e for e in events if e["type"] == "error"]
    assert_dialect("livetranslate", events)
    assert kinds.count("response.done") == 2
    assert kinds.count("input_audio_buffer.speech_started") == (2 if vad else 0)
    assert kinds.count("input_audio_buffer.speech_stopped") == (2 if vad else 0)
    assert kinds.count("input_audio_buffer.committed") == (0 if vad else 2)
    done = [e for e in events if e["type"] == "response.done"]
    for event in done:
        assert event["response"]["status"] == "completed"
    if with_audio:
        finals = [e["transcript"] for e in events if e["type"] == "response.audio_transcript.done"]
        audio = b"".join(
            base64.b64decode(e["delta"]) for e in events if e["type"] == "response.audio.delta"
        )
        assert np.abs(np.frombuffer(audio, "<i2")).max() > 1000  # real sound, not silence
        assert "response.text.text" not in kinds
    else:
        finals = [e["text"] for e in events if e["type"] == "response.text.done"]
        assert "response.audio.delta" not in kinds
    assert len(finals) == 2 and all(finals)


def _run_legacy(server, speech, *, with_audio: bool, vad: bool) -> list[dict]:
    recorder = Recorder()
    conversation = OmniRealtimeConversation(
        model=LIVETRANSLATE, callback=recorder, url=server.url, api_key=API_KEY
    )
    conversation.connect()
    conversation.update_session(
        output_modalities=_modalities(with_audio),
        enable_turn_detection=vad,
        translation_params=TranslationParams(language="zh"),
    )
    if vad:
        for chunk in speech.chunks(100):
            conversation.append_audio(b64(chunk))
    else:
        for start, end in ((0, speech.gap_middle_ms), (speech.gap_middle_ms, None)):
            for chunk in speech.chunks(100, start_ms=start, end_ms=end):
                conversation.append_audio(b64(chunk))
            conversation.commit()
    conversation.end_session(timeout=20)  # raises on timeout or on an error event
    conversation.close()  # what the SDK samples do after session.finished
    return recorder.events


@pytest.mark.parametrize("with_audio", [True, False], ids=["text+audio", "text"])
@pytest.mark.parametrize("vad", [True, False], ids=["vad", "manual"])
def test_legacy_sdk_completes_two_utterance_session(realtime_mock, speech_en, with_audio, vad):
    """OmniRealtimeConversation streams two utterances and gets two translations, then finishes."""
    events = _run_legacy(realtime_mock, speech_en, with_audio=with_audio, vad=vad)
    _check_two_translations(events, with_audio, vad)


def _run_v2(server, speech, *, with_audio: bool, vad: bool) -> list[dict]:
    client = Client(api_key=API_KEY)
    events: list[dict] = []
    with client.audio.realtime.connect(
        model=LIVETRANSLATE, ws_url=server.url_for(LIVETRANSLATE)
    ) as rt:
        rt.update_session(
            ["text", "audio"] if with_audio else ["text"],
            enable_turn_detection=vad,
            translation_params={"language": "zh"},
        )
        if vad:
            for chunk in speech.chunks(100):
                rt.append_audio(chunk)
        else:
            for start, end in ((0, speech.gap_middle_ms), (speech.gap_middle_ms, None)):
                for chunk in speech.chunks(100, start_ms=start, end_ms=end):
                    rt.append_audio(chunk)
                rt.commit()
        rt.end_session()
        events.extend(rt.events())
    return events


@pytest.mark.parametrize("with_audio", [True, False], ids=["text+audio", "text"])
@pytest.mark.parametrize("vad", [True, False], ids=["vad", "manual"])
def test_v2_sdk_completes_two_utterance_session(realtime_mock, speech_en, with_audio, vad):
    """The v2 client's realtime session streams two utterances and reads through session.finished."""
    events = _run_v2(realtime_mock, speech_en, with_audio=with_audio, vad=vad)
    _check_two_translations(events, with_audio, vad)


def test_legacy_sdk_session_id_is_the_created_session(realtime_mock, speech_en):
    """The SDK's get_session_id() is the id from session.created."""
    recorder = Recorder()
    conversation = OmniRealtimeConversation(
        model=LIVETRANSLATE, callback=recorder, url=realtime_mock.url, api_key=API_KEY
    )
    conversation.connect()
    conversation.end_session(timeout=20)
    assert conversation.get_session_id() == recorder.events[0]["session"]["id"]
    assert conversation.get_session_id().startswith("sess_")
