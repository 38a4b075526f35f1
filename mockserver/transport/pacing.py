"""When to send each server event: at once (`fast`), like the live service (`realtime`), or with
the gaps of a recording (`recorded`).

Pure: :meth:`Pacer.delay_before` returns how long the transport should wait before sending an
event; the transport does the sleeping. In `realtime` pace a response's first text waits
`first_text_latency_ms` after `response.created`, its first audio `first_audio_latency_ms`, and
each later `response.audio.delta` waits for the previous one to play (24 kHz PCM16). In
`recorded` pace the k-th event of a response is sent as long after its `response.created` as in
the fixture being replayed (`recorded_gaps`); without a recording it falls back to `realtime`.
All delays are divided by `speed`.

:meth:`Pacer.due` turns those delays into times on one absolute timeline per response, anchored
where its `response.created` went out: the k-th audio delta is due at the first delta's due time
plus the playback time of the audio before it, however late the sends before it were. A late
send is caught up, never carried over to the events after it (no drift).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from ..media.pcm import OUTPUT_SAMPLE_RATE, base64_size
from ..protocol.streams import TEXT_STREAM_EVENTS
from ..protocol.wire import Event

__all__ = ["Pace", "Pacer"]


class Pace(str, Enum):
    """When server events go out (--pace)."""

    FAST = "fast"  # as soon as they exist
    REALTIME = "realtime"  # like the service: first-text/audio latency, audio at playback speed
    RECORDED = "recorded"  # with the gaps of the fixture being replayed

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def parse(cls, value: object) -> Pace:
        """`value` as a Pace, or ValueError listing the paces."""
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(p.value for p in cls)
            raise ValueError(f"pace must be one of {allowed}, not {value!r}") from None


@dataclass
class Pacer:
    pace: Pace = Pace.FAST
    first_text_latency_ms: int = 300
    first_audio_latency_ms: int = 500
    speed: float = 1.0  # realtime and recorded pace run this many times faster (tests, demos)
    # recorded pace: called at each response.created; the ms after it of each of the response's
    # events in the recording, or None (then realtime pacing applies to that response)
    recorded_gaps: Callable[[], list[int] | None] | None = None
    # the rate of the session's audio deltas (session.audio may change it mid-session)
    output_sample_rate: Callable[[], int] = lambda: OUTPUT_SAMPLE_RATE

    def __post_init__(self) -> None:
        self.pace = Pace.parse(self.pace)
        if self.speed <= 0:
            raise ValueError(f"speed must be positive, not {self.speed!r}")
        self._waited_ms = 0.0  # since response.created
        self._text_seen = True
        self._audio_seen = True
        self._previous_audio_s = 0.0
        self._gaps: list[int] | None = None
        self._index = 0
        self._timeline: float | None = None  # when the last paced event was due (see `due`)

    def due(self, event: Event, now: float) -> float:
        """When to send `event`, on the clock `now` is read from; call once per event, in order.

        An event with a delay is due that long after the previous paced event was *due* (not
        sent); `response.created` restarts the timeline at `now`; an event without a delay is
        due at once.
        """
        delay = self.delay_before(event)
        if event.get("type") == "response.created" or self._timeline is None:
            self._timeline = now
        if delay <= 0:
            return now
        self._timeline += delay
        return self._timeline

    def delay_before(self, event: Event) -> float:
        """Seconds to wait before sending `event` (divided by `speed`)."""
        return self._delay(event) / self.speed

    def _delay(self, event: Event) -> float:
        if self.pace is Pace.FAST:
            return 0.0
        kind = event.get("type")
        if self.pace is Pace.RECORDED and kind == "response.created":
            self._gaps = self.recorded_gaps() if self.recorded_gaps else None
            self._index = 0
            self._waited_ms = 0.0
        if self._gaps is not None and "response_id" in event:
            self._index += 1
            if self._index < len(self._gaps):
                return self._wait_until(self._gaps[self._index])
            return 0.0
        if kind == "response.created":
            self._waited_ms, self._text_seen, self._audio_seen = 0.0, False, False
            self._previous_audio_s = 0.0
            return 0.0
        if kind in TEXT_STREAM_EVENTS and not self._text_seen:
            self._text_seen = True
            return self._wait_until(self.first_text_latency_ms)
        if kind == "response.audio.delta":
            delay = (
                self._wait_until(self.first_audio_latency_ms)
                if not self._audio_seen
                else self._previous_audio_s
            )
            self._audio_seen = True
            self._previous_audio_s = base64_size(event.get("delta", "")) / (
                2 * self.output_sample_rate()
            )
            return delay
        return 0.0

    def _wait_until(self, latency_ms: int) -> float:
        delay_ms = max(0.0, latency_ms - self._waited_ms)
        self._waited_ms += delay_ms
        return delay_ms / 1000.0
