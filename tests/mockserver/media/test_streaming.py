"""media/streaming.py: MP3 and Ogg Opus encoded a little at a time, one valid stream in the end."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
import soundfile

from dashscope_realtime_mock.media.streaming import (
    StreamEncoder,
    mp3_kbps,
    opus_kbps,
    restamp_ogg,
    streamed_wav_header,
)
from dashscope_realtime_mock.media.synthesis import SpeechSettings, speak

TEXT = "Hello there, this is one ordinary sentence of speech."


def _speech(rate: int = 24000) -> np.ndarray:
    return speak(TEXT, SpeechSettings("Cherry", sample_rate=rate))


def _streamed(fmt: str, pcm: np.ndarray, rate: int, step: int, bit_rate: int = 128) -> list[bytes]:
    stream = StreamEncoder(fmt, rate, bit_rate, serial=5)
    pieces = [stream.write(pcm[k : k + step]) for k in range(0, len(pcm), step)]
    return [*pieces, stream.close()]


@pytest.mark.parametrize("fmt", ["mp3", "opus"])
def test_the_pieces_do_not_depend_on_how_the_samples_were_cut(fmt):
    """Joined, the bytes of 40 ms writes equal those of 100 ms writes: the same stream."""
    pcm = _speech()
    assert b"".join(_streamed(fmt, pcm, 24000, 960)) == b"".join(_streamed(fmt, pcm, 24000, 2400))


@pytest.mark.parametrize("fmt", ["mp3", "opus"])
def test_bytes_come_out_while_the_stream_is_written(fmt):
    """Most 100 ms writes give bytes at once (Ogg pages every 40 ms; MP3 frames as made)."""
    pieces = _streamed(fmt, _speech(), 24000, 2400)
    assert sum(1 for p in pieces if p) >= len(pieces) * 3 // 4


@pytest.mark.parametrize("rate", [8000, 16000, 24000, 48000])
def test_opus_pieces_join_to_a_stream_that_decodes_to_every_sample(rate):
    """The joined Opus pieces decode (libsndfile) to exactly as many samples as were written."""
    pcm = _speech(rate)
    data = b"".join(_streamed("opus", pcm, rate, rate // 10))
    samples, read_rate = soundfile.read(io.BytesIO(data), dtype="int16")
    assert (read_rate, len(samples)) == (rate, len(pcm))


def test_mp3_is_constant_bit_rate_at_its_rate_and_keeps_its_first_frame():
    """MP3 is CBR (128 kbps at 24 kHz), and close does not rewrite bytes already handed out."""
    pcm = _speech()
    pieces = _streamed("mp3", pcm, 24000, 2400)
    data = b"".join(pieces)
    kbps = len(data) * 8 / (len(pcm) / 24000) / 1000
    assert kbps == pytest.approx(mp3_kbps(24000), rel=0.05)
    assert b"Xing" not in data[:200] and b"Info" not in data[:200]


def test_mp3_rate_is_capped_by_the_mpeg_version():
    """8 kHz is MPEG 2.5 (64 kbps at most); 24 and 48 kHz take the default 128 kbps."""
    assert (mp3_kbps(8000), mp3_kbps(24000), mp3_kbps(48000)) == (64, 128, 128)


def test_opus_bit_rate_changes_the_size():
    """A higher bit_rate gives a bigger Opus stream (docs/protocol/tts.md §4.1)."""
    pcm = _speech()
    low = b"".join(_streamed("opus", pcm, 24000, 2400, bit_rate=16))
    high = b"".join(_streamed("opus", pcm, 24000, 2400, bit_rate=256))
    assert len(high) > 2 * len(low)


def test_every_ogg_page_carries_the_given_serial():
    """Each page's serial number is the encoder's, and libsndfile accepts the checksums."""
    data = b"".join(_streamed("opus", _speech(), 24000, 2400))
    pages, rest = restamp_ogg(data, 5)
    assert (pages, rest) == (data, b"")
    serials = {struct.unpack_from("<I", data, k + 14)[0] for k in _page_starts(data)}
    assert serials == {5}


def test_restamping_keeps_a_partial_page_for_later():
    """An incomplete page at the end is returned as the rest, unchanged."""
    data = b"".join(_streamed("opus", _speech(), 24000, 2400))
    pages, rest = restamp_ogg(data[:-10], 5)
    assert pages + rest == data[:-10] and rest


def _page_starts(data: bytes) -> list[int]:
    starts, pos = [], 0
    while pos < len(data):
        starts.append(pos)
        lacing = data[pos + 27 : pos + 27 + data[pos + 26]]
        pos += 27 + len(lacing) + sum(lacing)
    return starts


@pytest.mark.parametrize("bit_rate", [32, 64, 128])
def test_opus_comes_near_the_bit_rate_asked(bit_rate):
    """libsndfile's compression level is set so Opus targets `bit_rate` (speech, with its pauses,
    comes out a little under the target)."""
    pcm = _speech()
    data = b"".join(_streamed("opus", pcm, 24000, 2400, bit_rate=bit_rate))
    kbps = len(data) * 8 / (len(pcm) / 24000) / 1000
    assert 0.6 * bit_rate <= kbps <= 1.05 * bit_rate


def test_opus_bit_rate_is_held_within_what_mono_opus_takes():
    """bit_rate 6 to 510 (docs/protocol/tts.md §4.1) becomes a target of 6 to 256 kbps."""
    assert (opus_kbps(6), opus_kbps(128), opus_kbps(510)) == (6, 128, 256)


@pytest.mark.parametrize("rate", [8000, 24000, 48000])
def test_streamed_wav_header_is_libsndfiles_with_unknown_sizes(rate):
    """The streamed WAV header is the one libsndfile writes for the same rate, its RIFF and data
    sizes 0xFFFFFFFF."""
    whole = io.BytesIO()
    soundfile.write(whole, np.zeros(10, np.int16), rate, format="WAV", subtype="PCM_16")
    expected = bytearray(whole.getvalue()[:44])
    struct.pack_into("<I", expected, 4, 0xFFFFFFFF)
    struct.pack_into("<I", expected, 40, 0xFFFFFFFF)
    assert streamed_wav_header(rate) == bytes(expected)
