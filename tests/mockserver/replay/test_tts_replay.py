"""TTS fixtures: recorded from a TTS session, replayed to a session whose text and voice agree."""

from __future__ import annotations

import base64
import random

import numpy as np

from dashscope_realtime_mock.answers.corpus import CorpusResponder
from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.media.synthesis import SpeechSettings, speak
from dashscope_realtime_mock.replay.recording import Recording
from dashscope_realtime_mock.replay.responders import RecordedResponse, ScriptedResponder
from dashscope_realtime_mock.replay.store import Fixture
from dashscope_realtime_mock.replay.tts import TextMatchingResponder, normalised

MODEL = "qwen3-tts-flash-realtime"
TEXT = ["Hello  there, ", "this is\trecorded speech."]
TONE = (np.sin(np.arange(24000) * 2 * np.pi * 440 / 24000) * 8000).astype(np.int16)


def _record(update: dict, audio: np.ndarray = TONE) -> Fixture:
    """A fixture of one commit-mode TTS session whose response speaks `audio`."""
    scripted = ScriptedResponder([], [RecordedResponse("", audio)], CorpusResponder())
    scripted.output_rate = update.get("sample_rate", 24000)
    session = open_session(MODEL, responder=scripted, rng=random.Random(1))
    recording = Recording(MODEL, provenance="synthesized", date="2026-01-01", scenario="tts-x")
    client = [{"type": "session.update", "session": {"mode": "commit", **update}}]
    client += [{"type": "input_text_buffer.append", "text": t} for t in TEXT]
    client += [{"type": "input_text_buffer.commit"}, {"type": "session.finish"}]
    for event in session.events_to_send():
        recording.add(0, "server", event)
    for event in client:
        recording.add(0, "client", event)
        session.receive_event(event)
        for answer in session.events_to_send():
            recording.add(0, "server", answer)
    return recording.fixture()


def _speak(responder, texts: list[str], voice: str = "Cherry") -> bytes:
    session = open_session(MODEL, responder=responder)
    session.receive_event({"type": "session.update", "session": {"voice": voice, "mode": "commit"}})
    for text in texts:
        session.receive_event({"type": "input_text_buffer.append", "text": text})
    session.receive_event({"type": "input_text_buffer.commit"})
    return b"".join(
        base64.b64decode(e["delta"])
        for e in session.events_to_send()
        if e["type"] == "response.audio.delta"
    )


def test_normalised_collapses_white_space_and_width():
    """Replay compares text after NFKC and white-space folding."""
    assert normalised(" Ｈello\t there \n") == "Hello there"


def test_recording_moves_pcm_speech_into_the_output_wav_at_the_session_rate():
    """A TTS recording keeps the speech as samples at the session's sample_rate."""
    fixture = _record({"sample_rate": 16000}, TONE[:16000])
    assert fixture.header["output"]["sample_rate"] == 16000
    assert np.array_equal(fixture.output_audio, TONE[:16000])


def test_recording_keeps_encoded_speech_inline():
    """mp3 deltas are not samples: they stay in the events, base64, and no WAV is made."""
    fixture = _record({"response_format": "mp3"})
    deltas = [
        e["event"]["delta"] for e in fixture.events if e["event"]["type"] == "response.audio.delta"
    ]
    assert deltas and not any(d.startswith("@") for d in deltas)
    assert len(fixture.output_audio) == 0


def test_same_text_and_voice_replays_the_recorded_speech():
    """A session sending the recorded text (spaced differently) in the same voice gets its audio."""
    responder = TextMatchingResponder({"tts-x": _record({})}, CorpusResponder())
    audio = _speak(responder, ["Hello there, this is ", "recorded speech."])
    assert audio == TONE.astype("<i2").tobytes()
    assert responder.scenario == "tts-x"


def test_other_text_gets_the_built_in_speech():
    """Text the fixture does not hold is spoken by the built-in synthesizer."""
    responder = TextMatchingResponder({"tts-x": _record({})}, CorpusResponder())
    audio = _speak(responder, ["Something else entirely."])
    assert audio == speak("Something else entirely.", SpeechSettings("Cherry")).tobytes()
    assert responder.scenario is None


def test_another_voice_gets_the_built_in_speech():
    """The recorded text in another voice is not replayed."""
    responder = TextMatchingResponder({"tts-x": _record({})}, CorpusResponder())
    assert _speak(responder, TEXT, voice="Ethan") != TONE.astype("<i2").tobytes()
    assert responder.scenario is None
