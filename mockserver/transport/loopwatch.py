"""Watch the event loop for synchronous steps that hold it too long.

Every session shares one event loop, so one callback that runs for 20 ms delays every other
session's sends by 20 ms. :func:`watch_steps` times each step the loop runs (each
``asyncio.Handle``: a callback, a timer, one step of a task) and logs a warning for a step over the
threshold, like asyncio's debug mode (``loop.slow_callback_duration``) but without the rest of
debug mode's cost. :data:`STEPS` keeps the slowest step seen (``make bench`` prints it).

One kind of step is set apart: a full garbage collection the server runs while no session is
live (:mod:`.collector` calls :func:`set_apart` from inside it). Nobody waits on it, so it is
counted on its own line of the summary rather than as the slowest step under load.
"""

from __future__ import annotations

import asyncio
import asyncio.events
import logging
import time
from dataclasses import dataclass

__all__ = ["STEPS", "StepStats", "set_apart", "unwatch_steps", "watch_steps"]

log = logging.getLogger("mockserver.loop")


@dataclass
class StepStats:
    """What the watch has seen in this process (all event loops of it)."""

    threshold_s: float = 0.005
    steps: int = 0
    slow: int = 0
    slowest_s: float = 0.0
    slowest: str = ""
    set_apart: int = 0  # steps set apart (full collections while idle)
    slowest_set_apart_s: float = 0.0
    _setting_apart: bool = False  # the step now running asked to be set apart
    _last_warning: float = 0.0

    def summary(self) -> str:
        """One line for the log when the server stops."""
        line = (
            f"event loop: {self.steps} steps, slowest {self.slowest_s * 1000:.2f} ms, "
            f"{self.slow} at or over {self.threshold_s * 1000:g} ms; slowest was {self.slowest}"
        )
        if self.set_apart:
            line += (
                f" (set apart: {self.set_apart} full garbage collections while no session was "
                f"live, the longest {self.slowest_set_apart_s * 1000:.2f} ms)"
            )
        return line

    def reset(self) -> None:
        self.steps = self.slow = self.set_apart = 0
        self.slowest_s, self.slowest = 0.0, ""
        self.slowest_set_apart_s = 0.0
        self._setting_apart = False
        self._last_warning = 0.0  # a warning logged before the reset does not mute the next one


STEPS = StepStats()
_original_run = asyncio.events.Handle._run


def _timed_run(self: asyncio.events.Handle) -> None:
    started = time.perf_counter()
    _original_run(self)
    took = time.perf_counter() - started
    STEPS.steps += 1
    if STEPS._setting_apart:
        STEPS._setting_apart = False
        STEPS.set_apart += 1
        STEPS.slowest_set_apart_s = max(STEPS.slowest_set_apart_s, took)
        return
    if took > STEPS.slowest_s:
        STEPS.slowest_s, STEPS.slowest = took, _describe(self)
    if took >= STEPS.threshold_s:
        STEPS.slow += 1
        now = time.monotonic()
        if now - STEPS._last_warning >= 1.0:  # at most one warning a second, with the count
            STEPS._last_warning = now
            log.warning(
                "event loop step took %.1f ms (threshold %.1f ms, %d slow steps so far): %r",
                took * 1000,
                STEPS.threshold_s * 1000,
                STEPS.slow,
                _describe(self),
            )


def _describe(handle: asyncio.events.Handle) -> str:
    """The task a step belonged to (its coroutine and where it was), else the callback."""
    owner = getattr(getattr(handle, "_callback", None), "__self__", None)
    return repr(owner) if isinstance(owner, asyncio.Future) else repr(handle)


def set_apart() -> None:
    """Called from inside a step: time it on its own line, not as a step under load (only the
    collector's full collections while no session is live). Nothing when steps are not timed."""
    STEPS._setting_apart = asyncio.events.Handle._run is _timed_run


def watch_steps(threshold_ms: float = 5.0) -> StepStats:
    """Time every event-loop step of this process from now on; warn at `threshold_ms` and over."""
    STEPS.threshold_s = threshold_ms / 1000
    asyncio.events.Handle._run = _timed_run  # type: ignore[method-assign]
    return STEPS


def unwatch_steps() -> None:
    """Stop timing steps (tests; `serve` once its shutdown begins: no session waits then)."""
    asyncio.events.Handle._run = _original_run  # type: ignore[method-assign]
