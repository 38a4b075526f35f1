"""The official DashScope SDK's QwenTtsRealtime, unmodified, synthesizes speech against the mock on
every served TTS model, in both modes (docs/protocol/tts.md §6.2, §6.3)."""

from __future__ import annotations

import base64
import io
import threading

import dashscope
import pytest
import soundfile
from dashscope.audio.qwen_tts_realtime import AudioFormat, QwenTtsRealtime, QwenTtsRealtimeCallback

from dashscope_realtime_mock.families import REGISTRY
from dashscope_realtime_mock.families.tts.models import MODELS
from dashscope_realtime_mock.media.speech import synthesize_speech
from tests.dialects import assert_dialect
from tests.integration.sdk_support import API_KEY, SDK_WARNINGS

pytestmark = SDK_WARNINGS

TTS = REGISTRY.family("tts")
TEXT = "Hello there, this is the mock speaking one clear sentence for the test."
SAMPLE_BYTES = 2  # PCM16


class TtsRecorder(QwenTtsRealtimeCallback):
    """Collects what the SDK hands its callback; `finished` is set at session.finished."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.finished = threading.Event()

    def on_event(self, message) -> None:  # the SDK hands a parsed dict (its hint says str)
        self.events.append(message)
        if message.get("type") == "session.finished":
            self.finished.set()

    def audio_seconds(self, sample_rate: int) -> float:
        pcm = b"".join(
            base64.b64decode(e["delta"]) for e in self.events if e["type"] == "response.audio.delta"
        )
        return len(pcm) / SAMPLE_BYTES / sample_rate

    def types(self) -> list[str]:
        return [e["type"] for e in self.events if e["type"] != "response.audio.delta"]


def _voice(model_id: str) -> str:
    """A voice the model speaks: Cherry, or a custom voice id on the voice design / clone models."""
    spec = next(m for m in MODELS if model_id in (m.model_id, *m.snapshots))
    return spec.voices[0] if spec.voices else f"{spec.custom_voice_prefix}sdk-voice-20260101"


def _synthesize(url: str, model_id: str, mode: str, text: str = TEXT, **settings) -> TtsRecorder:
    dashscope.api_key = API_KEY  # the SDK reads the module's key, not a constructor argument
    recorder = TtsRecorder()
    tts = QwenTtsRealtime(model=model_id, callback=recorder, url=url)
    tts.connect()
    tts.update_session(
        voice=_voice(model_id),
        response_format=AudioFormat.PCM_24000HZ_MONO_16BIT,
        mode=mode,
        **settings,
    )
    for piece in text.split(" "):  # as an LLM streams it
        tts.append_text(piece + " ")
    if mode == "commit":
        tts.commit()
    tts.finish()
    assert recorder.finished.wait(20), recorder.types()
    tts.close()
    return recorder


def _expected_seconds(text: str, speech_rate: float = 1.0) -> float:
    """The built-in speech's length for `text` at normal speed, divided by `speech_rate`."""
    return len(synthesize_speech(text, "any")) / 24000 / speech_rate


ALL_MODELS = TTS.model_ids()


@pytest.mark.parametrize("mode", ["server_commit", "commit"])
@pytest.mark.parametrize("model_id", ALL_MODELS)
def test_sdk_synthesizes_speech_as_long_as_the_text(realtime_mock, model_id, mode):
    """QwenTtsRealtime gets one response of speech as long as the text reads, then session.finished."""
    recorder = _synthesize(realtime_mock.url, model_id, mode)
    kinds = recorder.types()
    assert "error" not in kinds, [e for e in recorder.events if e["type"] == "error"]
    assert kinds[0] == "session.created" and kinds[-1] == "session.finished"
    assert kinds.count("response.done") == 1
    assert ("input_text_buffer.committed" in kinds) == (mode == "commit")
    assert_dialect("tts", recorder.events)
    assert recorder.audio_seconds(24000) == pytest.approx(_expected_seconds(TEXT), rel=0.02)


@pytest.mark.parametrize("mode", ["server_commit", "commit"])
@pytest.mark.parametrize("model_id", [m.model_id for m in MODELS if m.tuning])
def test_sdk_speech_rate_two_halves_the_duration(realtime_mock, model_id, mode):
    """speech_rate 2.0 gives about half the audio of the same text at 1.0."""
    normal = _synthesize(realtime_mock.url, model_id, mode).audio_seconds(24000)
    fast = _synthesize(realtime_mock.url, model_id, mode, speech_rate=2.0).audio_seconds(24000)
    assert fast == pytest.approx(normal / 2, rel=0.03)


def test_sdk_longer_text_gives_longer_speech(realtime_mock):
    """Twice the text gives about twice the audio."""
    model_id = "qwen3-tts-flash-realtime"
    once = _synthesize(realtime_mock.url, model_id, "commit").audio_seconds(24000)
    twice = _synthesize(realtime_mock.url, model_id, "commit", text=f"{TEXT} {TEXT}")
    assert twice.audio_seconds(24000) == pytest.approx(2 * once, rel=0.05)


def test_sdk_sample_rate_is_honoured(realtime_mock):
    """sample_rate 16000 gives 16 kHz PCM of the same duration."""
    model_id = "qwen3-tts-flash-realtime"
    at_24k = _synthesize(realtime_mock.url, model_id, "commit").audio_seconds(24000)
    at_16k = _synthesize(realtime_mock.url, model_id, "commit", sample_rate=16000)
    assert at_16k.audio_seconds(16000) == pytest.approx(at_24k, rel=0.01)


@pytest.mark.realtime_mock(fixtures="builtin")
def test_sdk_replays_the_bundled_tts_fixture_for_its_text(realtime_mock):
    """The SDK sending the text of the bundled tts-server-commit scenario in its voice gets the
    recorded speech, response by response (matched on the normalised text and the voice)."""
    from dashscope_realtime_mock.replay.builtin import builtin_fixtures
    from dashscope_realtime_mock.replay.store import load

    fixture = load(builtin_fixtures() / "scenarios" / "tts-server-commit")
    recorder = _synthesize(
        realtime_mock.url,
        "qwen3-tts-flash-realtime",
        "server_commit",
        text="Hello, welcome to the mock. It speaks like the real service.",
    )
    pcm = b"".join(
        base64.b64decode(e["delta"]) for e in recorder.events if e["type"] == "response.audio.delta"
    )
    assert pcm == fixture.output_audio.astype("<i2").tobytes()


LONG = " ".join(["This sentence is spoken slowly so that there is time to stop it."] * 6)


@pytest.mark.realtime_mock(pace="realtime")
def test_sdk_cancel_response_stops_the_speech_in_realtime_pace(realtime_mock):
    """Realtime pace: cancel_response() after the first audio ends the response cancelled, with
    less audio than the text reads; session.finished follows."""
    dashscope.api_key = API_KEY
    recorder = TtsRecorder()
    tts = QwenTtsRealtime(
        model="qwen3-tts-flash-realtime", callback=recorder, url=realtime_mock.url
    )
    tts.connect()
    tts.update_session(voice="Cherry", mode="commit")
    tts.append_text(LONG)
    tts.commit()
    deadline = threading.Event()
    for _ in range(200):  # the first audio delta (realtime pace: after the first-audio latency)
        if any(e["type"] == "response.audio.delta" for e in recorder.events):
            break
        deadline.wait(0.05)
    tts.cancel_response()
    tts.finish()
    assert recorder.finished.wait(20), recorder.types()
    tts.close()
    done = next(e for e in recorder.events if e["type"] == "response.done")
    assert done["response"]["status"] == "cancelled"
    assert 0 < recorder.audio_seconds(24000) < _expected_seconds(LONG) / 2


def _encoded_audio(url: str, audio_format: str) -> bytes:
    recorder = _synthesize(url, "qwen3-tts-flash-realtime", "commit", audio_format=audio_format)
    assert "error" not in recorder.types(), recorder.types()
    return b"".join(
        base64.b64decode(e["delta"]) for e in recorder.events if e["type"] == "response.audio.delta"
    )


@pytest.mark.parametrize(
    ("audio_format", "container"), [("mp3", "MP3"), ("opus", "OGG"), ("wav", "WAV")]
)
def test_sdk_encoded_speech_decodes_to_the_text_duration(realtime_mock, audio_format, container):
    """The SDK's audio_format mp3 / opus / wav: the joined deltas are one stream libsndfile
    decodes, as long as the text reads (MP3 sent as made keeps up to four frames of padding; a
    WAV sent as made has unknown sizes in its header, and its data runs to the end)."""
    info = soundfile.info(io.BytesIO(_encoded_audio(realtime_mock.url, audio_format)))
    assert info.format == container
    assert info.samplerate == 24000
    expected = _expected_seconds(TEXT)
    assert expected - 0.01 <= info.duration <= expected + 4 * 576 / 24000 + 0.01


@pytest.mark.parametrize("audio_format", ["mp3", "opus", "wav"])
def test_sdk_encoded_speech_is_the_same_bytes_twice(realtime_mock, audio_format):
    """Two sessions sending the same text get the same MP3 / Opus / WAV bytes."""
    first = _encoded_audio(realtime_mock.url, audio_format)
    assert first == _encoded_audio(realtime_mock.url, audio_format)
