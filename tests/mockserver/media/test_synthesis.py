"""media/synthesis.py: speech shaped by speed and volume, encoded in every documented format."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile

from dashscope_realtime_mock.media.synthesis import SpeechSettings, encode, speak

TEXT = "The mock reads this sentence aloud."


def test_speech_rate_two_gives_half_the_samples():
    """speech_rate 2.0 gives about half the audio of 1.0."""
    normal = speak(TEXT, SpeechSettings("Cherry"))
    fast = speak(TEXT, SpeechSettings("Cherry", speech_rate=2.0))
    assert len(fast) == pytest.approx(len(normal) / 2, rel=0.01)


def test_volume_scales_the_level():
    """volume 100 doubles the peak of the default 50 (clipped at full scale); 0 is silence."""
    normal = np.abs(speak(TEXT, SpeechSettings("Cherry")).astype(np.int32)).max()
    loud = np.abs(speak(TEXT, SpeechSettings("Cherry", volume=100)).astype(np.int32)).max()
    assert loud == min(32767, 2 * normal)
    assert not speak(TEXT, SpeechSettings("Cherry", volume=0)).any()


@pytest.mark.parametrize("rate", [8000, 16000, 24000, 48000])
def test_pcm_at_each_rate_lasts_as_long(rate):
    """PCM at each documented rate has the same duration."""
    settings = SpeechSettings("Cherry", sample_rate=rate)
    seconds = len(encode(speak(TEXT, settings), settings)) / 2 / rate
    reference = len(speak(TEXT, SpeechSettings("Cherry"))) / 24000
    assert seconds == pytest.approx(reference, abs=0.01)


@pytest.mark.parametrize(("fmt", "container"), [("wav", "WAV"), ("opus", "OGG")])
def test_encoded_formats_decode_to_the_same_duration(fmt, container):
    """wav and opus streams decode (libsndfile) to the speech's duration."""
    settings = SpeechSettings("Cherry", sample_rate=16000, response_format=fmt)
    pcm = speak(TEXT, settings)
    info = soundfile.info(io.BytesIO(encode(pcm, settings)))
    assert info.format == container
    assert info.duration == pytest.approx(len(pcm) / 16000, abs=0.1)


@pytest.mark.parametrize("rate", [8000, 16000, 24000, 48000])
def test_mp3_decodes_to_the_speech_and_at_most_four_frames_more(rate):
    """An MP3 stream sent as made has no Info header, so a decoder keeps its leading silent frame,
    the encoder delay and the last frame's padding: four frames at most."""
    settings = SpeechSettings("Cherry", sample_rate=rate, response_format="mp3")
    pcm = speak(TEXT, settings)
    info = soundfile.info(io.BytesIO(encode(pcm, settings)))
    frame = 1152 if rate >= 32000 else 576
    assert info.format == "MP3"
    assert len(pcm) <= info.frames <= len(pcm) + 4 * frame


def test_same_settings_give_the_same_bytes():
    """Encoding is deterministic: the same text and settings give the same stream."""
    settings = SpeechSettings("Ethan", response_format="mp3")
    assert encode(speak(TEXT, settings), settings) == encode(speak(TEXT, settings), settings)


def test_opus_streams_are_the_same_bytes_in_two_encodings():
    """libsndfile draws an Ogg serial number from the clock; the stream is restamped, so two
    encodings of the same speech are the same bytes."""
    settings = SpeechSettings("Ethan", response_format="opus")
    assert encode(speak(TEXT, settings), settings) == encode(speak(TEXT, settings), settings)
