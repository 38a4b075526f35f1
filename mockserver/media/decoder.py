"""Turn appended `audio` payloads into 16 kHz int16 samples, and keep the uncommitted buffer.

Call :meth:`InputDecoder.decode` on each decoded base64 payload. `pcm`/`pcm16` is PCM16 LE mono
at the session's `sample_rate` (8 kHz is upsampled to 16 kHz, as the service does). `opus` is an
Ogg Opus stream split across appends [assumed: the docs name the format but not its framing;
Ogg is what encoders and browsers produce]; complete Ogg pages are decoded as they arrive.
An Opus stream is decoded packet by packet with libopus (`opus.py`: the samples soundfile would
give, in linear total cost); another Ogg codec, or a machine without libopus, falls back to
soundfile over the stream so far on each append.
"""

from __future__ import annotations

import io
from collections import deque

import numpy as np
import soundfile

from .opus import OggOpusStream, OpusStreamError, libopus_available
from .pcm import SAMPLES_PER_MS, pcm16_to_samples, resample_to_16k

__all__ = ["AudioBuffer", "InputDecoder"]


class InputDecoder:
    """Stateful decoder for one session's input audio format."""

    def __init__(
        self, audio_format: str, sample_rate: int, *, whole_stream_ogg: bool = False
    ) -> None:
        """`whole_stream_ogg`: decode Ogg with soundfile over the stream so far on every append
        (quadratic; what the mock did before, kept for comparison in the bench)."""
        self.audio_format = audio_format
        self.sample_rate = sample_rate
        self._carry = b""  # an odd trailing PCM byte, or the undecoded tail of an Ogg stream
        self._ogg = bytearray()
        self._ogg_samples_out = 0
        self._opus: OggOpusStream | None = None  # the incremental decoder, once it is Opus
        self._whole_stream = whole_stream_ogg  # else packet by packet, where libopus loads

    def decode(self, payload: bytes) -> np.ndarray:
        """New 16 kHz samples for `payload`; raises ValueError on undecodable audio."""
        if self.audio_format == "opus":
            return self._decode_ogg_opus(payload)
        data = self._carry + payload if self._carry else payload
        self._carry = data[len(data) - len(data) % 2 :]
        return resample_to_16k(pcm16_to_samples(data), self.sample_rate)

    def _decode_ogg_opus(self, payload: bytes) -> np.ndarray:
        if not self._whole_stream and libopus_available():
            return self._decode_incrementally(payload)
        complete = self._buffer_pages(payload)
        if complete == 0:
            return np.zeros(0, dtype=np.int16)
        try:
            samples, rate = soundfile.read(io.BytesIO(bytes(self._ogg[:complete])), dtype="int16")
        except (RuntimeError, soundfile.LibsndfileError) as exc:
            if self._ogg_samples_out == 0 and complete < 4096:
                return np.zeros(0, dtype=np.int16)  # header pages only so far
            raise ValueError(f"undecodable Ogg Opus audio ({exc})") from None
        if samples.ndim > 1:
            samples = samples[:, 0]
        new = samples[self._ogg_samples_out :]
        self._ogg_samples_out = len(samples)
        return resample_to_16k(new, rate)

    def _buffer_pages(self, payload: bytes) -> int:
        """Buffer `payload`; the length of the complete Ogg pages buffered (ValueError: not Ogg)."""
        self._ogg += payload
        complete = _complete_ogg_prefix(self._ogg)
        if complete == 0 and len(self._ogg) >= 4 and not self._ogg.startswith(b"OggS"):
            raise ValueError("opus audio must be an Ogg Opus stream")
        return complete

    def _decode_incrementally(self, payload: bytes) -> np.ndarray:
        """libopus, packet by packet; soundfile from here on if the first packet is not Opus."""
        if self._opus is None:
            if self._buffer_pages(payload) == 0:
                return np.zeros(0, dtype=np.int16)
            if not _first_packet(self._ogg).startswith(b"OpusHead"):
                self._whole_stream = True  # Vorbis or FLAC in Ogg: soundfile reads those
                self._ogg, buffered = bytearray(), bytes(self._ogg)
                return self._decode_ogg_opus(buffered)
            self._opus, payload = OggOpusStream(), bytes(self._ogg)
            self._ogg = bytearray()
        try:
            samples = self._opus.feed(payload)
        except OpusStreamError as exc:
            raise ValueError(f"undecodable Ogg Opus audio ({exc})") from None
        return resample_to_16k(samples, self._opus.sample_rate)


def _first_packet(data: bytearray) -> bytes:
    """The start of the first page's body (where an Ogg stream names its codec)."""
    return bytes(data[27 + data[26] : 27 + data[26] + 8])


def _complete_ogg_prefix(data: bytearray) -> int:
    """Length of the prefix of `data` made of complete Ogg pages."""
    pos = 0
    while pos + 27 <= len(data) and data[pos : pos + 4] == b"OggS":
        n_segments = data[pos + 26]
        header = 27 + n_segments
        if pos + header > len(data):
            break
        body = sum(data[pos + 27 : pos + header])
        if pos + header + body > len(data):
            break
        pos += header + body
    return pos


class AudioBuffer:
    """The uncommitted input audio, addressed in session audio time (ms since the first sample).

    Kept as the appended pieces: an append and a drop of the oldest audio (which VAD mode does
    on every append) touch no samples; only reading joins them.
    """

    def __init__(self) -> None:
        self._pieces: deque[np.ndarray] = deque()
        self._length = 0  # samples in _pieces
        self._start_sample = 0  # session sample index of the buffer's first sample

    @property
    def start_ms(self) -> int:
        return self._start_sample // SAMPLES_PER_MS

    @property
    def end_sample(self) -> int:
        return self._start_sample + self._length

    @property
    def empty(self) -> bool:
        return self._length == 0

    @property
    def duration_ms(self) -> int:
        """How much audio is buffered."""
        return self._length // SAMPLES_PER_MS

    def append(self, samples: np.ndarray) -> None:
        if len(samples):
            self._pieces.append(samples)
            self._length += len(samples)

    def samples(self, start_ms: int | None = None, end_ms: int | None = None) -> np.ndarray:
        """The buffered samples between two session times (clipped to what is buffered).

        Only the pieces the range touches are joined (a range inside one piece is a view).
        """
        first, last = self._range(start_ms, end_ms)
        parts = []
        offset = 0
        for piece in self._pieces:
            if offset >= last:
                break
            if offset + len(piece) > first:
                parts.append(piece[max(0, first - offset) : last - offset])
            offset += len(piece)
        if len(parts) == 1:
            return parts[0]
        return np.concatenate(parts) if parts else np.zeros(0, np.int16)

    def count(self, start_ms: int | None = None, end_ms: int | None = None) -> int:
        """How many samples :meth:`samples` would give, without joining them."""
        first, last = self._range(start_ms, end_ms)
        return max(0, last - first)

    def _range(self, start_ms: int | None, end_ms: int | None) -> tuple[int, int]:
        """Buffer indices [first, last) of two session times, clipped to what is buffered."""
        first = 0 if start_ms is None else max(0, start_ms * SAMPLES_PER_MS - self._start_sample)
        last = (
            self._length
            if end_ms is None
            else min(self._length, max(0, end_ms * SAMPLES_PER_MS - self._start_sample))
        )
        return min(first, self._length), last

    def drop_until(self, ms: int) -> None:
        """Forget the audio before session time `ms` (it has been committed or cleared)."""
        cut = min(self._length, max(0, ms * SAMPLES_PER_MS - self._start_sample))
        self._start_sample += cut
        self._length -= cut
        while cut:
            first = self._pieces[0]
            if len(first) > cut:
                self._pieces[0] = first[cut:]
                break
            self._pieces.popleft()
            cut -= len(first)

    def clear(self) -> None:
        """Forget everything buffered."""
        self._start_sample += self._length
        self._length = 0
        self._pieces.clear()
