"""Ogg Opus decoded packet by packet, in linear total cost, with the samples libsndfile gives.

:class:`OggOpusStream` takes the bytes of an Ogg Opus stream in pieces of any size and returns,
for each piece, the int16 samples that became decodable. It calls the system libopus (the
library libsndfile itself decodes Opus with) through ctypes, and replicates what libsndfile
1.1/1.2 does around it (`src/ogg_opus.c`), so that the samples are bit-identical to
``soundfile.read`` of the stream so far:

- the decode rate is the lowest Opus rate >= the header's input rate (`ogg_opus_setup_decoder`);
- the header's output gain is applied by the decoder (`OPUS_SET_GAIN`);
- the first data page fixes the granule offset (`ogg_opus_analyze_file`), the pre-skip is cut
  from the packets before it, the end-of-stream page trims its last packet (`ogg_opus_read_refill`);
- what is returned never exceeds ``(last granule - offset - pre-skip) / rate factor``, which is
  the frame count libsndfile reports for the stream so far;
- floats become int16 as ``lrintf(x * 32767.0f)`` stored into a short (`ogg_opus_read_s`).

:func:`libopus_available` says whether libopus could be loaded; without it the caller keeps
decoding with soundfile (see `decoder.py`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import struct

import numpy as np

from ..protocol.errors import RealtimeMockError

__all__ = ["OggOpusStream", "OpusStreamError", "is_opus_head", "libopus_available"]

_OPUS_SET_GAIN_REQUEST = 4034  # opus_defines.h
_MAX_FRAME = 5760  # 120 ms at 48 kHz: the longest Opus packet
_NO_GRANULE = (1 << 64) - 1
_EOS = 0x04


class OpusStreamError(RealtimeMockError, ValueError):
    """The bytes are not a decodable Ogg Opus stream."""


@functools.cache
def _libopus() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("opus")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.opus_multistream_decoder_create.restype = ctypes.c_void_p
    lib.opus_multistream_decoder_create.argtypes = [
        ctypes.c_int32,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
    ]
    lib.opus_multistream_decoder_destroy.argtypes = [ctypes.c_void_p]
    lib.opus_multistream_decoder_destroy.restype = None
    lib.opus_multistream_decoder_ctl.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.opus_multistream_decoder_ctl.restype = ctypes.c_int
    lib.opus_multistream_decode_float.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int32,
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_int,
    ]
    lib.opus_multistream_decode_float.restype = ctypes.c_int
    lib.opus_packet_get_nb_samples.argtypes = [ctypes.c_char_p, ctypes.c_int32, ctypes.c_int32]
    lib.opus_packet_get_nb_samples.restype = ctypes.c_int
    return lib


def libopus_available() -> bool:
    """True when the system libopus can be loaded (then Opus input is decoded incrementally)."""
    return _libopus() is not None


def is_opus_head(packet: bytes) -> bool:
    """Whether the first packet of an Ogg stream is an Opus identification header."""
    return packet.startswith(b"OpusHead")


class _Header:
    """The OpusHead packet (RFC 7845 §5.1), checked as libsndfile checks it."""

    def __init__(self, packet: bytes) -> None:
        if not 19 <= len(packet) <= 276 or not is_opus_head(packet):
            raise OpusStreamError("the first packet is not an OpusHead header")
        version, self.channels, self.preskip, self.input_rate, self.gain, mapping = (
            struct.unpack_from("<BBHIhB", packet, 8)
        )
        if version not in (0, 1):
            raise OpusStreamError(f"unsupported Ogg Opus version {version}")
        if mapping == 0:
            if not 1 <= self.channels <= 2 or len(packet) != 19:
                raise OpusStreamError("malformed OpusHead (channel mapping 0)")
            self.streams, self.coupled = 1, self.channels - 1
            self.mapping = bytes([0, 1][: self.channels])
        else:
            if len(packet) != 21 + self.channels:
                raise OpusStreamError("malformed OpusHead (channel mapping table)")
            self.streams, self.coupled = packet[19], packet[20]
            self.mapping = packet[21 : 21 + self.channels]
        r = self.input_rate
        self.sr_factor = (
            1 if r > 24000 else 2 if r > 16000 else 3 if r > 12000 else 4 if r > 8000 else 6
        )


class _Decoder:
    """One libopus multistream decoder (freed with the stream)."""

    def __init__(self, header: _Header) -> None:
        lib = _libopus()
        if lib is None:
            raise OpusStreamError("libopus is not available")
        self._lib = lib
        error = ctypes.c_int(0)
        self.rate = 48000 // header.sr_factor
        self.channels = header.channels
        self._state = lib.opus_multistream_decoder_create(
            self.rate,
            header.channels,
            header.streams,
            header.coupled,
            header.mapping,
            ctypes.byref(error),
        )
        if error.value != 0 or not self._state:
            raise OpusStreamError(f"libopus refused the stream's header (error {error.value})")
        lib.opus_multistream_decoder_ctl(self._state, _OPUS_SET_GAIN_REQUEST, header.gain)
        self._pcm = np.zeros(_MAX_FRAME * header.channels, dtype=np.float32)

    def decode(self, packet: bytes) -> np.ndarray:
        """The float samples of one packet (interleaved), a copy."""
        n = self._lib.opus_multistream_decode_float(
            self._state, packet, len(packet), self._pcm.ctypes.data, _MAX_FRAME, 0
        )
        if n < 0:
            raise OpusStreamError(f"libopus could not decode a packet (error {n})")
        return self._pcm[: n * self.channels].copy()

    def duration_48k(self, packet: bytes) -> int:
        samples: int = self._lib.opus_packet_get_nb_samples(packet, len(packet), 48000)
        return max(0, samples)

    def __del__(self) -> None:
        state, self._state = getattr(self, "_state", None), None
        if state:
            self._lib.opus_multistream_decoder_destroy(state)


class OggOpusStream:
    """An Ogg Opus stream fed in pieces; :meth:`feed` returns the int16 samples now decodable.

    Cost is linear in the stream's length: every byte is parsed once and every packet decoded
    once. The first channel is returned (the input is mono; a stereo stream keeps channel 0).
    """

    def __init__(self) -> None:
        self._data = bytearray()  # bytes not yet parsed into pages
        self._partial = bytearray()  # a packet continued on the next page
        self._serial: int | None = None
        self._packets_seen = 0  # header packets consumed (OpusHead, OpusTags)
        self._header: _Header | None = None
        self._decoder: _Decoder | None = None
        self._pkt_pos: int | None = None  # granule position after the last decoded packet
        self._gp_start = 0
        self._pending: list[np.ndarray] = []  # decoded, past the frame count known so far
        self._decoded = 0  # samples decoded after the pre-skip
        self._returned = 0  # samples handed out
        self._frames = 0  # the frame count libsndfile would report for the stream so far
        self._page_start = 0  # the granule position of the previous data page

    @property
    def sample_rate(self) -> int:
        """The rate of the returned samples (known once the header page has arrived)."""
        return self._decoder.rate if self._decoder is not None else 48000

    @property
    def started(self) -> bool:
        """Whether the header has been read (the stream is Opus)."""
        return self._header is not None

    def feed(self, payload: bytes) -> np.ndarray:
        """The new int16 samples that `payload` completes (empty while pages are incomplete)."""
        self._data += payload
        pos = 0
        floats: list[np.ndarray] = []
        while (page := _next_page(self._data, pos)) is not None:
            header_type, granule, serial, body_start, lacing, end = page
            pos = end
            self._page(header_type, granule, serial, self._data[body_start:end], lacing, floats)
        del self._data[:pos]
        return self._release(floats)

    def _page(
        self,
        header_type: int,
        granule: int,
        serial: int,
        body: bytes | bytearray,
        lacing: bytes | bytearray,
        floats: list[np.ndarray],
    ) -> None:
        if self._serial is None:
            self._serial = serial
        elif serial != self._serial:
            return  # another logical stream: libsndfile reads the first one only
        packets = self._packets(body, lacing)
        while packets and self._packets_seen < 2:
            packet = packets.pop(0)
            if self._packets_seen == 0:
                self._header = _Header(packet)
                self._decoder = _Decoder(self._header)
            self._packets_seen += 1
        if not packets or granule == _NO_GRANULE:
            return
        assert self._decoder is not None and self._header is not None
        eos = bool(header_type & _EOS)
        if self._pkt_pos is None:  # the first data page fixes the granule offset
            duration = sum(self._decoder.duration_48k(p) for p in packets)
            if duration <= 0:
                raise OpusStreamError("the first data page holds no audio")
            if duration > granule if not eos else duration < granule:
                raise OpusStreamError("the first data page's granule position is malformed")
            self._pkt_pos = granule - duration if not eos else 0
            self._gp_start = self._pkt_pos
        else:
            self._pkt_pos = self._page_start
        self._page_start = granule
        for packet in packets:
            floats.append(self._decode(packet, granule, eos))
        self._frames = max(
            0, (granule - self._gp_start - self._header.preskip) // self._header.sr_factor
        )

    def _decode(self, packet: bytes, page_granule: int, eos: bool) -> np.ndarray:
        """One packet's samples after the pre-skip and the end trim (ogg_opus_read_refill)."""
        assert self._decoder is not None and self._header is not None and self._pkt_pos is not None
        pcm = self._decoder.decode(packet)
        channels = self._decoder.channels
        nsamp = len(pcm) // channels
        factor = self._header.sr_factor
        pkt_granule = self._pkt_pos + nsamp * factor
        length = nsamp
        if pkt_granule > page_granule:
            if not eos:
                raise OpusStreamError("a mid-stream page's granule position is too small")
            length = max((page_granule - self._pkt_pos) // factor, 0)
        skip = 0
        if self._pkt_pos < self._header.preskip:
            skip = min((self._header.preskip - self._pkt_pos) // factor, length)
        self._pkt_pos = pkt_granule
        return pcm[skip * channels : length * channels : channels]

    def _packets(self, body: bytes | bytearray, lacing: bytes | bytearray) -> list[bytes]:
        """The packets that complete on this page (a packet may continue from the last one)."""
        packets = []
        offset = 0
        for size in lacing:
            self._partial += body[offset : offset + size]
            offset += size
            if size < 255:
                packets.append(bytes(self._partial))
                self._partial.clear()
        return packets

    def _release(self, floats: list[np.ndarray]) -> np.ndarray:
        """int16 of what was decoded, up to the frame count (libsndfile reads no further)."""
        if floats:
            self._pending.append(_to_int16(np.concatenate(floats)))
            self._decoded += sum(len(f) for f in floats)
        allowed = min(self._decoded, self._frames) - self._returned
        if allowed <= 0 or not self._pending:
            return np.zeros(0, dtype=np.int16)
        pending = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        out, rest = pending[:allowed], pending[allowed:]
        self._pending = [rest] if len(rest) else []
        self._returned += len(out)
        return out


def _to_int16(samples: np.ndarray) -> np.ndarray:
    """``(short) lrintf(x * 32767.0f)``: float32 product, round half to even, wrap to 16 bits."""
    scaled = np.rint(samples * np.float32(32767.0))
    return scaled.astype(np.int64).astype(np.int16)


def _next_page(data: bytearray, pos: int) -> tuple[int, int, int, int, bytearray, int] | None:
    """(header type, granule, serial, body start, lacing values, end) of the complete Ogg page
    at `pos`, or None when it has not fully arrived; OpusStreamError when `pos` holds no page."""
    if pos + 27 > len(data):
        return None
    if data[pos : pos + 4] != b"OggS":
        raise OpusStreamError("opus audio must be an Ogg Opus stream")
    header_type = data[pos + 5]
    granule, serial = struct.unpack_from("<QI", data, pos + 6)
    n_segments = data[pos + 26]
    body_start = pos + 27 + n_segments
    if body_start > len(data):
        return None
    lacing = data[pos + 27 : body_start]
    end = body_start + sum(lacing)
    if end > len(data):
        return None
    return header_type, granule, serial, body_start, lacing, end
