"""The official DashScope SDK, unmodified, completes ASR sessions against the mock (VAD and manual)."""

from __future__ import annotations

import pytest
from dashscope import Client
from dashscope.audio.qwen_omni import MultiModality, OmniRealtimeConversation
from dashscope.audio.qwen_omni.omni_realtime import TranscriptionParams

from tests.dialects import assert_dialect
from tests.integration.sdk_support import API_KEY, SDK_WARNINGS, Recorder
from tests.support import ASR, b64, types

pytestmark = SDK_WARNINGS


def _check_transcripts(events: list[dict], utterances: int, vad: bool) -> None:
    kinds = types(events)
    assert kinds[0] == "session.created" and kinds[-1] == "session.finished"
    assert "error" not in kinds, [e for e in events if e["type"] == "error"]
    assert kinds.count("input_audio_buffer.speech_started") == (utterances if vad else 0)
    assert kinds.count("input_audio_buffer.committed") == utterances
    completed = [
        e for e in events if e["type"] == "conversation.item.input_audio_transcription.completed"
    ]
    assert len(completed) == utterances and all(
        c["transcript"] and c["language"] == "en" for c in completed
    )
    assert_dialect("asr", events)


def _send_audio(append, commit, speech, vad: bool) -> int:
    """Stream the recording; in manual mode commit its first utterance only. Returns utterances sent."""
    if vad:
        for chunk in speech.chunks(100):
            append(b64(chunk))
        return 2
    for chunk in speech.chunks(100, end_ms=speech.gap_middle_ms):
        append(b64(chunk))
    commit()
    return 1


@pytest.mark.parametrize("vad", [True, False], ids=["vad", "manual"])
def test_legacy_sdk_transcribes(realtime_mock, speech_en, vad):
    """OmniRealtimeConversation on qwen3-asr-flash-realtime gets a transcript per utterance, then finishes."""
    recorder = Recorder()
    conversation = OmniRealtimeConversation(
        model=ASR, callback=recorder, url=realtime_mock.url, api_key=API_KEY
    )
    conversation.connect()
    conversation.update_session(
        output_modalities=[MultiModality.TEXT],
        enable_turn_detection=vad,
        transcription_params=TranscriptionParams(
            language="en", sample_rate=16000, input_audio_format="pcm"
        ),
    )
    utterances = _send_audio(conversation.append_audio, conversation.commit, speech_en, vad)
    conversation.end_session(timeout=20)
    conversation.close()
    _check_transcripts(recorder.events, utterances, vad)


@pytest.mark.parametrize("vad", [True, False], ids=["vad", "manual"])
def test_v2_sdk_transcribes(realtime_mock, speech_en, vad):
    """The v2 client's realtime session on ASR reads transcripts through session.finished."""
    client = Client(api_key=API_KEY)
    with client.audio.realtime.connect(model=ASR, ws_url=realtime_mock.url_for(ASR)) as rt:
        rt.update_session(
            ["text"], enable_turn_detection=vad, transcription_params={"language": "en"}
        )
        utterances = _send_audio(rt.append_audio, rt.commit, speech_en, vad)
        rt.end_session()
        events = list(rt.events())
    _check_transcripts(events, utterances, vad)
