"""Text-to-speech output: the built-in speech shaped by a TTS session's settings, then encoded.

The samples come from :func:`~.speech.synthesize_speech` (deterministic: the same text, voice and
settings always give the same bytes). `speech_rate` shortens the audio by that factor (the
syllables are made at a rate that many times lower, so they play that much faster, and higher),
`volume` scales the level (50, the default, leaves it as made; 0 is silence; 100 doubles it,
clipped). `pitch_rate` is accepted and does not change the samples. Encoded formats are written
by libsndfile (through soundfile): WAV, MP3 (libsndfile 1.1 and later) and Ogg Opus, the last two
as a stream made a little at a time (streaming.py); PCM is the raw little-endian samples
(docs/protocol/tts.md §4.1). A WAV sent as it is made is no encoding: a header of unknown length
(streaming.py) and then the PCM; :func:`encode` gives the whole file with exact sizes.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import numpy as np
import soundfile

from ..protocol.errors import RealtimeMockError
from .pcm import PCM16
from .speech import synthesize_speech
from .streaming import StreamEncoder

__all__ = ["SpeechSettings", "UnsupportedFormat", "check_format", "encode", "speak"]

# libsndfile's (format, subtype) for each encoded response_format.
_CONTAINERS = {"wav": ("WAV", "PCM_16"), "mp3": ("MP3", "MPEG_LAYER_III"), "opus": ("OGG", "OPUS")}


class UnsupportedFormat(RealtimeMockError):
    """The installed libsndfile cannot write this format (MP3 needs libsndfile 1.1 or later)."""


@dataclass(frozen=True)
class SpeechSettings:
    """What shapes and encodes one response's audio (a TTS session's configuration)."""

    voice: str
    sample_rate: int = 24000
    response_format: str = "pcm"
    speech_rate: float = 1.0
    volume: int = 50
    bit_rate: int = 128


def speak(text: str, settings: SpeechSettings) -> PCM16:
    """The PCM16 samples of `text` at `settings.sample_rate`, shaped by speed and volume."""
    made_at = max(1000, round(settings.sample_rate / settings.speech_rate))
    audio = synthesize_speech(text, settings.voice, made_at)
    if settings.volume != 50:
        scaled = audio.astype(np.int32) * settings.volume // 50
        audio = np.clip(scaled, -32768, 32767).astype(np.int16)
    return audio


@functools.cache
def _writable() -> frozenset[str]:
    """The containers the installed libsndfile writes (asking it costs about half a ms)."""
    return frozenset(soundfile.available_formats())


def check_format(response_format: str) -> None:
    """UnsupportedFormat if the installed libsndfile cannot write `response_format`."""
    container = _CONTAINERS.get(response_format, ("RAW", ""))[0]
    if container not in _writable():
        raise UnsupportedFormat(
            f"response_format '{response_format}' needs libsndfile 1.1 or later "
            f"(this one is {soundfile.__libsndfile_version__})"
        )


@functools.lru_cache(maxsize=64)
def _wav(pcm_bytes: bytes, rate: int) -> bytes:
    check_format("wav")
    out = io.BytesIO()
    soundfile.write(
        out, np.frombuffer(pcm_bytes, dtype="<i2"), rate, format="WAV", subtype="PCM_16"
    )
    return out.getvalue()


def encode(audio: PCM16, settings: SpeechSettings, serial: int = 0) -> bytes:
    """`audio` in `settings.response_format`: raw PCM16, or a whole WAV / MP3 / Ogg Opus stream
    (`serial`: the Ogg stream's serial number).

    WAV streams are remembered (64 of them): a test suite sends the same text again and again.
    MP3 and Opus are the bytes a :class:`~.streaming.StreamEncoder` sends, joined.
    """
    pcm = audio.astype("<i2").tobytes()
    if settings.response_format == "pcm":
        return pcm
    if settings.response_format == "wav":
        return _wav(pcm, settings.sample_rate)
    check_format(settings.response_format)
    stream = StreamEncoder(
        settings.response_format, settings.sample_rate, settings.bit_rate, serial
    )
    return stream.write(audio) + stream.close()
