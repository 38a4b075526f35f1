"""A session's audio as the pages want it, decoded from the kept base64 only when a page asks.

:class:`AudioIndex` decodes incrementally: each request decodes only the events that arrived
since the last one. Input audio is decoded as the session decodes it (PCM at the rate the client
set, 8 kHz upsampled, or Ogg Opus) into 16 kHz samples, so its milliseconds are the VAD's
(`audio_start_ms`, `audio_end_ms`). Answer audio is the 24 kHz PCM of `response.audio.delta`.
"""

from __future__ import annotations

import io
import threading

import numpy as np
import soundfile

from ..media.decoder import InputDecoder
from ..media.pcm import INPUT_SAMPLE_RATE, OUTPUT_SAMPLE_RATE, decode_base64, pcm16_from_base64
from ..protocol.wire import Event

__all__ = ["APPEND", "AUDIO_DELTA", "AudioIndex", "peaks", "wav_bytes"]

APPEND = "input_audio_buffer.append"
AUDIO_DELTA = "response.audio.delta"

_IN_PER_MS = INPUT_SAMPLE_RATE // 1000
_OUT_PER_MS = OUTPUT_SAMPLE_RATE // 1000


class AudioIndex:
    """Where each audio event's samples sit in the session's input or answer audio."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.processed = 0
        self._format, self._rate = "pcm", INPUT_SAMPLE_RATE
        self._decoder: InputDecoder | None = None
        self._input: list[np.ndarray] = []
        self._output: list[np.ndarray] = []
        self.input_samples = self.output_samples = 0
        self.in_ms: dict[int, tuple[int, int]] = {}  # event index → its input audio (ms)
        self.out_ms: dict[int, tuple[int, int]] = {}  # event index → its answer audio (ms)
        self.input_ms_after: list[int] = []  # input audio received up to each event (ms)

    def update(self, events: list[tuple[int, str, Event]]) -> AudioIndex:
        """Decode the events not seen yet (`events` only ever grows); returns self."""
        with self._lock:
            for index in range(self.processed, len(events)):
                _, direction, event = events[index]
                kind = event.get("type")
                if direction == "client" and kind == "session.update":
                    self._configure(event.get("session"))
                elif direction == "client" and kind == APPEND:
                    self._add_input(index, event.get("audio"))
                elif direction == "server" and kind == AUDIO_DELTA:
                    self._add_output(index, event.get("delta"))
                self.input_ms_after.append(self.input_samples // _IN_PER_MS)
            self.processed = max(self.processed, len(events))
        return self

    def _configure(self, update: object) -> None:
        """The input format and rate the client set (they apply before the first audio)."""
        if self._decoder is not None or not isinstance(update, dict):
            return
        rate, audio_format = update.get("sample_rate"), update.get("input_audio_format")
        if isinstance(rate, int) and rate > 0:
            self._rate = rate
        if isinstance(audio_format, str):
            self._format = audio_format

    def _add_input(self, index: int, payload: object) -> None:
        if self._decoder is None:
            self._decoder = InputDecoder(self._format, self._rate)
        try:
            samples = self._decoder.decode(decode_base64(payload))
        except ValueError:
            return  # the session answered it with an error; nothing to draw
        start = self.input_samples
        self._input.append(samples)
        self.input_samples += len(samples)
        self.in_ms[index] = (start // _IN_PER_MS, self.input_samples // _IN_PER_MS)

    def _add_output(self, index: int, payload: object) -> None:
        samples = pcm16_from_base64(payload)
        if samples is None:
            return
        start = self.output_samples
        self._output.append(samples)
        self.output_samples += len(samples)
        self.out_ms[index] = (start // _OUT_PER_MS, self.output_samples // _OUT_PER_MS)

    @property
    def input_ms(self) -> int:
        return self.input_samples // _IN_PER_MS

    @property
    def output_ms(self) -> int:
        return self.output_samples // _OUT_PER_MS

    def input_audio(self) -> np.ndarray:
        """Every input sample so far, 16 kHz int16."""
        with self._lock:
            if len(self._input) > 1:
                self._input = [np.concatenate(self._input)]
            return self._input[0] if self._input else np.zeros(0, np.int16)

    def output_audio(self) -> np.ndarray:
        """Every answer sample so far, 24 kHz int16."""
        with self._lock:
            if len(self._output) > 1:
                self._output = [np.concatenate(self._output)]
            return self._output[0] if self._output else np.zeros(0, np.int16)


def peaks(samples: np.ndarray, buckets: int) -> tuple[list[int], list[int]]:
    """The lowest and highest sample of each of `buckets` equal stretches, scaled to ±1000."""
    if len(samples) == 0 or buckets <= 0:
        return [], []
    buckets = min(buckets, len(samples))
    edges = np.linspace(0, len(samples), buckets + 1).astype(np.int64)
    low = np.minimum.reduceat(samples, edges[:-1]).astype(np.int64) * 1000 // 32768
    high = np.maximum.reduceat(samples, edges[:-1]).astype(np.int64) * 1000 // 32768
    return low.tolist(), high.tolist()


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """A PCM16 mono WAV file of `samples`."""
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, subtype="PCM_16", format="WAV")
    return buffer.getvalue()
