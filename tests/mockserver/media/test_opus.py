"""Ogg Opus decoded packet by packet gives soundfile's samples exactly, however it is split."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
import soundfile

from dashscope_realtime_mock.media.decoder import InputDecoder
from dashscope_realtime_mock.media.opus import OggOpusStream, libopus_available

pytestmark = pytest.mark.skipif(
    not libopus_available(), reason="the system libopus (libsndfile's Opus codec) is missing"
)

CHUNKINGS = [301, 2000, 7777, 1 << 30]


def _ogg(pcm: np.ndarray, rate: int, subtype: str = "OPUS") -> bytes:
    out = io.BytesIO()
    soundfile.write(out, pcm, rate, format="OGG", subtype=subtype)
    return out.getvalue()


def _crc(page: bytes) -> int:
    """The Ogg page checksum (CRC-32, polynomial 0x04c11db7, not reflected)."""
    crc = 0
    for byte in page:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    return crc


def _with_gain(data: bytes, gain_q8: int) -> bytes:
    """The stream with the OpusHead output gain set (and the first page's checksum redone)."""
    body = 27 + data[26]
    page_end = body + sum(data[27:body])
    page = bytearray(data[:page_end])
    struct.pack_into("<h", page, body + 16, gain_q8)
    struct.pack_into("<I", page, 22, 0)
    struct.pack_into("<I", page, 22, _crc(bytes(page)))
    return bytes(page) + data[page_end:]


@pytest.fixture(scope="module")
def streams(speech_en) -> dict[str, bytes]:
    """Opus streams at every decode rate, stereo, short, and with a header gain."""
    pcm = speech_en.pcm
    stereo = np.stack([pcm, pcm[::-1]], axis=1)
    return {
        "16 kHz": _ogg(pcm, 16000),
        "8 kHz": _ogg(pcm[::2], 8000),
        "24 kHz": _ogg(pcm, 24000),
        "48 kHz": _ogg(pcm, 48000),
        "stereo": _ogg(stereo, 16000),
        "short": _ogg(pcm[:3000], 16000),
        "gain +6 dB": _with_gain(_ogg(pcm, 16000), 6 * 256),
        "gain -12 dB": _with_gain(_ogg(pcm, 16000), -12 * 256),
    }


def _pieces(data: bytes, step: int) -> list[bytes]:
    return [data[i : i + step] for i in range(0, len(data), step)]


def _complete_pages(data: bytes) -> int:
    pos = 0
    while pos + 27 <= len(data):
        body = pos + 27 + data[pos + 26]
        if body > len(data) or body + sum(data[pos + 27 : body]) > len(data):
            break
        pos = body + sum(data[pos + 27 : body])
    return pos


def _soundfile_deltas(data: bytes, step: int) -> list[np.ndarray]:
    """What soundfile gives after each append: its decode of the complete pages so far, less
    what it gave before (the decoder's behaviour before packet-by-packet decoding)."""
    out, seen, received = [], 0, b""
    for piece in _pieces(data, step):
        received += piece
        try:
            samples, _ = soundfile.read(
                io.BytesIO(received[: _complete_pages(received)]), dtype="int16"
            )
        except (RuntimeError, soundfile.LibsndfileError):
            samples = np.zeros(0, np.int16)  # header pages only
        samples = samples[:, 0] if samples.ndim > 1 else samples
        out.append(samples[seen:])
        seen = max(seen, len(samples))
    return out


@pytest.mark.parametrize("step", CHUNKINGS)
def test_the_whole_stream_decodes_to_soundfiles_samples(streams, step):
    """Every test stream, fed in pieces of `step` bytes, gives soundfile's samples bit for bit."""
    for name, data in streams.items():
        whole, _ = soundfile.read(io.BytesIO(data), dtype="int16")
        whole = whole[:, 0] if whole.ndim > 1 else whole
        stream = OggOpusStream()
        got = np.concatenate([stream.feed(piece) for piece in _pieces(data, step)])
        assert np.array_equal(got, whole), name


@pytest.mark.parametrize("step", [997, 4000])  # pages split across appends, and several per append
def test_each_append_gives_what_soundfile_gave_for_the_stream_so_far(speech_en, step):
    """After every append, the new samples are those soundfile decoded anew from the prefix."""
    pcm = speech_en.pcm[: 3 * 16000]
    for data in (_ogg(pcm, 16000), _ogg(pcm, 24000), _with_gain(_ogg(pcm, 16000), 6 * 256)):
        stream = OggOpusStream()
        for piece, expected in zip(_pieces(data, step), _soundfile_deltas(data, step), strict=True):
            assert np.array_equal(stream.feed(piece), expected)


def test_a_stream_fed_byte_by_byte_decodes_to_soundfiles_samples(speech_en):
    """One byte per append (every page boundary inside an append) changes nothing."""
    data = _ogg(speech_en.pcm[:8000], 16000)
    whole, _ = soundfile.read(io.BytesIO(data), dtype="int16")
    stream = OggOpusStream()
    assert np.array_equal(np.concatenate([stream.feed(b) for b in _pieces(data, 1)]), whole)


def test_ogg_vorbis_is_still_decoded_by_soundfile(speech_en):
    """An Ogg stream of another codec (Vorbis) is decoded as before, through soundfile."""
    data = _ogg(speech_en.pcm, 16000, subtype="VORBIS")
    decoder = InputDecoder("opus", 16000)
    got = np.concatenate([decoder.decode(piece) for piece in _pieces(data, 3000)])
    whole, _ = soundfile.read(io.BytesIO(data), dtype="int16")
    assert np.array_equal(got, whole)


def test_bytes_that_are_not_ogg_are_refused():
    """opus input that does not start with an Ogg page is a ValueError naming the format."""
    with pytest.raises(ValueError, match="Ogg Opus stream"):
        InputDecoder("opus", 16000).decode(b"RIFF\x00\x00\x00\x00WAVEfmt ")


def test_a_stream_of_no_known_codec_is_refused(speech_en):
    """An Ogg stream whose first packet names no codec is a ValueError, not a crash."""
    data = bytearray(_ogg(speech_en.pcm, 16000))
    data[28:36] = b"NotOpus!"  # the BOS packet no longer names Opus: soundfile cannot read it
    with pytest.raises(ValueError, match="undecodable"):
        decoder = InputDecoder("opus", 16000)
        for piece in _pieces(bytes(data), 5000):
            decoder.decode(piece)
