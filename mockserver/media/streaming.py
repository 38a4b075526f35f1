"""MP3 and Ogg Opus encoded a little at a time, so no event-loop step encodes a whole response.

A :class:`StreamEncoder` keeps one libsndfile stream open (through soundfile) for one response:
:meth:`~StreamEncoder.write` encodes the next few tens of ms of samples and returns the bytes
that became ready, :meth:`~StreamEncoder.close` flushes the rest. Joined, the pieces are one
valid stream that libsndfile (and any player) decodes. What libsndfile does that a stream sent
as it is made cannot follow, and what is done about it:

- MP3: LAME reserves the first frame for its Xing/Info header and libsndfile fills it in only
  when the file is closed, by seeking back (`mpeg_l3_encoder_close`). By then that frame was
  sent, so the rewrite is dropped (:class:`_Sink`): the stream starts with one silent frame, as
  a stream sent live does. Without the Info header a decoder can only estimate the duration
  from the first frame's bit rate, so the stream is constant bit rate (estimate exact).
- Ogg Opus: pages are flushed every :data:`PAGE_MS` of audio (`SFC_SET_OGG_PAGE_LATENCY_MS`),
  so each write gives a page; libsndfile draws the stream's serial number from the clock
  (`psf_rand_int32`), so every page is restamped with the caller's serial and its checksum
  recomputed: the same input gives the same bytes.

WAV needs no encoder: :func:`streamed_wav_header` is the header of a WAV whose length is not
known yet, and the PCM follows it as it is made.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import numpy as np
import soundfile

from .pcm import PCM16

__all__ = [
    "MP3_KBPS",
    "PAGE_MS",
    "UNKNOWN_WAV_SIZE",
    "StreamEncoder",
    "mp3_kbps",
    "opus_kbps",
    "restamp_ogg",
    "streamed_wav_header",
]

PAGE_MS = 40.0  # Ogg page latency: about one page per write of this much audio
MP3_KBPS = 128  # docs/protocol/tts.md §4.1: bit_rate only matters for opus; 128 is its default
# libsndfile maps compression level 0..1 linearly onto these CBR kbps, highest first, by the
# MPEG version the rate needs (mpeg_l3_encoder_set_quality): rate floor → (highest, lowest).
_MP3_RANGES = ((32000, (320, 32)), (16000, (160, 8)), (0, (64, 8)))
# libsndfile's Opus target is (1 - level) * 250 + 6 kbps a channel (ogg_opus.c), so bit_rate
# (docs/protocol/tts.md §4.1: 6 to 510) is met from 6 to 256 kbps, mono Opus's own ceiling.
_OPUS_KBPS = (6, 256)
_SFC_SET_OGG_PAGE_LATENCY_MS = 0x1302  # sndfile.h (libsndfile 1.2)
_BIT_REVERSED = bytes(int(f"{b:08b}"[::-1], 2) for b in range(256))
UNKNOWN_WAV_SIZE = 0xFFFFFFFF  # the RIFF and data sizes of a WAV written before its length is known


def mp3_kbps(rate: int) -> int:
    """The constant bit rate of an MP3 stream at `rate`: MP3_KBPS, within its MPEG version."""
    high, low = next(bounds for floor, bounds in _MP3_RANGES if rate >= floor)
    return max(low, min(high, MP3_KBPS))


def _mp3_level(rate: int) -> float:
    high, low = next(bounds for floor, bounds in _MP3_RANGES if rate >= floor)
    return (high - mp3_kbps(rate)) / (high - low)


def opus_kbps(bit_rate: int) -> int:
    """The Opus target bit rate for a session's `bit_rate`: itself, within 6 to 256 kbps."""
    return min(max(bit_rate, _OPUS_KBPS[0]), _OPUS_KBPS[1])


def _opus_level(bit_rate: int) -> float:
    low, high = _OPUS_KBPS
    return (high - opus_kbps(bit_rate)) / (high - low)


class _Sink:
    """A write-only file that hands out what was appended since it was last asked; a write
    over bytes already handed out (MP3's Info header, at close) is dropped."""

    def __init__(self) -> None:
        self._ready: list[bytes] = []
        self._size = 0
        self._pos = 0

    def write(self, data: bytes) -> int:
        skip = max(0, self._size - self._pos)
        if skip < len(data):
            self._ready.append(bytes(data[skip:]))
            self._size = self._pos + len(data)
        self._pos += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def read(self, size: int = -1) -> bytes:
        return b""

    def take(self) -> bytes:
        data = b"".join(self._ready)
        self._ready.clear()
        return data


def _ogg_crc(page: bytes) -> int:
    """Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected, no inversion), computed with zlib's
    reflected CRC-32 on bit-reversed bytes."""
    raw = zlib.crc32(page.translate(_BIT_REVERSED), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return int(f"{raw:032b}"[::-1], 2)


def restamp_ogg(pages: bytes, serial: int) -> tuple[bytes, bytes]:
    """The complete Ogg pages at the start of `pages` with `serial` as their stream serial
    number (checksums recomputed), and the incomplete rest."""
    out = bytearray()
    pos = 0
    while len(pages) - pos >= 27 and len(pages) - pos >= 27 + pages[pos + 26]:
        lacing = pages[pos + 27 : pos + 27 + pages[pos + 26]]
        end = pos + 27 + len(lacing) + sum(lacing)
        if end > len(pages):
            break
        page = bytearray(pages[pos:end])
        struct.pack_into("<II", page, 14, serial, struct.unpack_from("<I", page, 18)[0])
        struct.pack_into("<I", page, 22, 0)
        struct.pack_into("<I", page, 22, _ogg_crc(bytes(page)))
        out += page
        pos = end
    return bytes(out), pages[pos:]


class StreamEncoder:
    """One response's MP3 or Ogg Opus stream, encoded as its samples come."""

    def __init__(self, response_format: str, rate: int, bit_rate: int, serial: int) -> None:
        self._sink = _Sink()
        self._serial = serial
        self._opus = response_format == "opus"
        self._pending = b""  # an Ogg page not complete yet
        options: dict[str, Any]
        if self._opus:
            options = {
                "format": "OGG",
                "subtype": "OPUS",
                "compression_level": _opus_level(bit_rate),
            }
            self.bytes_per_second = opus_kbps(bit_rate) * 125  # the target; speech is less
        else:
            options = {
                "format": "MP3",
                "subtype": "MPEG_LAYER_III",
                "compression_level": _mp3_level(rate),
                "bitrate_mode": "CONSTANT",
            }
            self.bytes_per_second = mp3_kbps(rate) * 125
        self._file = soundfile.SoundFile(self._sink, "w", rate, 1, **options)
        if self._opus:
            latency = soundfile._ffi.new("double*", PAGE_MS)
            soundfile._snd.sf_command(
                self._file._file,
                _SFC_SET_OGG_PAGE_LATENCY_MS,
                latency,
                soundfile._ffi.sizeof("double"),
            )

    def write(self, audio: PCM16) -> bytes:
        """Encode `audio`; the bytes of the stream that became ready (maybe none yet)."""
        self._file.write(np.ascontiguousarray(audio, dtype=np.int16))
        return self._ready()

    def close(self) -> bytes:
        """Flush the encoder; the last bytes of the stream."""
        if not self._file.closed:
            self._file.close()
        return self._ready()

    def _ready(self) -> bytes:
        data = self._sink.take()
        if not self._opus:
            return data
        pages, self._pending = restamp_ogg(self._pending + data, self._serial)
        return pages


def streamed_wav_header(rate: int) -> bytes:
    """The 44-byte header of a mono PCM16 WAV at `rate` sent before its length is known: the
    header libsndfile writes for a whole file, with the RIFF and data chunk sizes set to
    UNKNOWN_WAV_SIZE (the convention for a WAV written to a pipe; readers take the data to run
    to the end of the stream). The samples follow as little-endian PCM16."""
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        UNKNOWN_WAV_SIZE,
        b"WAVE",
        b"fmt ",
        16,  # the fmt chunk's size
        1,  # WAVE_FORMAT_PCM
        1,  # mono
        rate,
        rate * 2,  # bytes a second
        2,  # bytes a frame
        16,  # bits a sample
        b"data",
        UNKNOWN_WAV_SIZE,
    )
