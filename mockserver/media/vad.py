"""Server VAD computed on the PCM the client actually sends.

Feed it int16 samples as they arrive (:meth:`VoiceActivityDetector.feed`); it returns the
speech boundaries it is sure of. Time is audio time: milliseconds of samples received since the
session started, never the wall clock.

How the documented knobs map (docs/protocol/events.md §2.2, OpenAI beta where DashScope is silent):

- ``threshold`` in [-1, 1], lower = more sensitive. It sets the frame-energy level a 10 ms
  frame must reach to count as speech: ``level_dbfs = -45 + 20 * threshold`` (default 0.2 →
  -41 dBFS; -1 → -65 dBFS; 1 → -25 dBFS). [assumed: DashScope does not say what the number
  measures; a linear dB scale keeps "lower = more sensitive" and covers quiet to loud speech.]
- Speech starts at the first frame of a run of ``MIN_SPEECH_FRAMES`` speech frames.
  ``audio_start_ms`` = that onset minus ``prefix_padding_ms`` (OpenAI: "includes the
  prefix_padding_ms"), never before the end of the previous segment.
- Speech stops once ``silence_duration_ms`` of non-speech frames followed the last speech frame.
  ``audio_end_ms`` = last speech frame end + ``silence_duration_ms`` (OpenAI: "includes the
  min_silence_duration_ms"), i.e. the audio time at which the stop is known.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SpeechStarted", "SpeechStopped", "VoiceActivityDetector", "threshold_to_dbfs"]

FRAME_MS = 10
MIN_SPEECH_FRAMES = 3  # 30 ms of consecutive speech before a start is declared


def threshold_to_dbfs(threshold: float) -> float:
    """The frame energy (dBFS) a frame must reach to count as speech for this threshold."""
    return -45.0 + 20.0 * threshold


@dataclass(frozen=True)
class SpeechStarted:
    audio_start_ms: int  # onset minus prefix padding, as reported on the wire
    onset_ms: int  # first speech frame, as measured


@dataclass(frozen=True)
class SpeechStopped:
    audio_end_ms: int  # offset plus silence duration, as reported on the wire
    offset_ms: int  # end of the last speech frame, as measured


class VoiceActivityDetector:
    """Incremental energy VAD; one per session, recreated when `turn_detection` changes."""

    def __init__(
        self,
        sample_rate: int,
        threshold: float,
        prefix_padding_ms: int,
        silence_duration_ms: int,
        start_ms: int = 0,
    ) -> None:
        self.sample_rate = sample_rate
        self.prefix_padding_ms = prefix_padding_ms
        self.silence_duration_ms = silence_duration_ms
        self._frame_len = sample_rate * FRAME_MS // 1000
        # A frame is speech when its RMS reaches the level: sum(x**2) >= (level * 32768)**2 * n.
        level = 10 ** (threshold_to_dbfs(threshold) / 20.0)
        self._energy_threshold = (level * 32768) ** 2 * self._frame_len
        self._pending = np.zeros(0, dtype=np.int16)
        self._frame_index = start_ms // FRAME_MS  # frames consumed since session start
        self._in_speech = False
        self._run_start: int | None = None  # first frame of the current speech run
        self._run_len = 0
        self._last_speech_end = 0  # frame index just after the last speech frame
        self._onset_frame = 0
        self._previous_end_ms = start_ms

    @property
    def speech_ms(self) -> int:
        """How much audio has passed since the current onset (0 when not in speech)."""
        if not self._in_speech:
            return 0
        return (self._frame_index - self._onset_frame) * FRAME_MS

    @property
    def onset_ms(self) -> int:
        """Onset of the current (or last) speech segment, in audio ms."""
        return self._onset_frame * FRAME_MS

    def feed(self, samples: np.ndarray) -> list[SpeechStarted | SpeechStopped]:
        """Consume int16 mono samples; return the boundaries they complete, in order.

        Called on every append, so it keeps to a few array operations: frames whose verdict
        cannot change the state (silence while idle, speech while in speech) are counted in bulk,
        and only the rest go through :meth:`_step` one by one.
        """
        samples = samples.astype(np.int16, copy=False)
        data = np.concatenate([self._pending, samples]) if len(self._pending) else samples
        n_frames = len(data) // self._frame_len
        self._pending = data[n_frames * self._frame_len :]
        if n_frames == 0:
            return []
        frames = data[: n_frames * self._frame_len].reshape(n_frames, -1).astype(np.float64)
        # A frame's energy, the sum of its squared samples, is an exact integer in float64.
        speech: list[bool] = (
            np.einsum("ij,ij->i", frames, frames) >= self._energy_threshold
        ).tolist()
        if self._in_speech:
            if all(speech):
                self._bulk_speech(n_frames)
                return []
        elif self._run_start is None and not any(speech):
            self._frame_index += n_frames
            return []
        events: list[SpeechStarted | SpeechStopped] = []
        for is_speech in speech:
            event = self._step(is_speech)
            if event is not None:
                events.append(event)
        return events

    def _bulk_speech(self, n_frames: int) -> None:
        """`n_frames` speech frames in a row while in speech: what as many :meth:`_step` calls
        do, at once (none of them can start or stop a segment)."""
        if self._run_start is None:
            self._run_start = self._frame_index
            self._run_len = 0
        self._run_len += n_frames
        self._frame_index += n_frames
        self._last_speech_end = self._frame_index

    def flush(self) -> SpeechStopped | None:
        """End of input (e.g. `session.finish`): close an open segment at the audio received."""
        if not self._in_speech:
            return None
        self._in_speech = False
        end_ms = self._frame_index * FRAME_MS
        offset_ms = max(self._last_speech_end * FRAME_MS, self.onset_ms)
        self._previous_end_ms = end_ms
        return SpeechStopped(audio_end_ms=end_ms, offset_ms=offset_ms)

    def _step(self, is_speech: bool) -> SpeechStarted | SpeechStopped | None:
        index = self._frame_index
        self._frame_index += 1
        if is_speech:
            if self._run_start is None:
                self._run_start = index
                self._run_len = 0
            self._run_len += 1
            self._last_speech_end = index + 1
            if not self._in_speech and self._run_len >= MIN_SPEECH_FRAMES:
                return self._start(self._run_start)
            return None
        self._run_start = None
        if self._in_speech:
            silence_ms = (self._frame_index - self._last_speech_end) * FRAME_MS
            if silence_ms >= self.silence_duration_ms:
                return self._stop()
        return None

    def _start(self, onset_frame: int) -> SpeechStarted:
        self._in_speech = True
        self._onset_frame = onset_frame
        onset_ms = onset_frame * FRAME_MS
        start_ms = max(self._previous_end_ms, onset_ms - self.prefix_padding_ms, 0)
        return SpeechStarted(audio_start_ms=start_ms, onset_ms=onset_ms)

    def _stop(self) -> SpeechStopped:
        self._in_speech = False
        offset_ms = self._last_speech_end * FRAME_MS
        end_ms = offset_ms + self.silence_duration_ms
        self._previous_end_ms = end_ms
        return SpeechStopped(audio_end_ms=end_ms, offset_ms=offset_ms)
