"""When a server process runs Python's full garbage collection (issue 16).

A full collection walks every tracked object. With a thousand live sessions that is a few
hundred thousand objects and a pause of 100-200 ms, in which no session sends or reads; left to
itself, CPython runs one each time the long-lived heap has grown by a quarter, which under a
steady churn of sessions is every few seconds. The young generations stay automatic (they are
small and quick); the full collection is taken over by :func:`collect_when_quiet`:

- when no session is live, at most once per `check_s` and only if anything was allocated since
  the last one (nobody waits for it then; :mod:`.loopwatch` counts that step on its own line);
- under load that never pauses, once `longest_s` has passed since the last one, so the garbage
  a session leaves behind (asyncio's socket transport keeps itself alive in a cycle) stays
  bounded. That pause is logged with its length.

Only the `serve` process does this (it owns its interpreter); the in-process
:class:`~dashscope_realtime_mock.testing.MockServer` leaves a user's collector alone.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable

from . import loopwatch

__all__ = ["collect_when_quiet"]

log = logging.getLogger("mockserver.gc")

_NEVER = 1_000_000_000  # a full-collection threshold no process reaches


async def collect_when_quiet(
    live_sessions: Callable[[], int], check_s: float = 1.0, longest_s: float = 600.0
) -> None:
    """Run full collections when no session is live, or every `longest_s` under load; until
    cancelled, when the interpreter's own thresholds come back."""
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, _NEVER)
    last = time.monotonic()
    try:
        while True:
            await asyncio.sleep(check_s)
            busy = live_sessions()
            if time.monotonic() - last < longest_s and (busy or gc.get_count()[2] == 0):
                continue  # sessions are live, or nothing was promoted since the last one
            if not busy:
                loopwatch.set_apart()
            started = time.perf_counter()
            found = gc.collect()
            took_ms = (time.perf_counter() - started) * 1000
            last = time.monotonic()
            if busy:
                log.info(
                    "full garbage collection with %d sessions live: %.1f ms, %d objects freed "
                    "(the longest pause this process allows itself, once per %g s)",
                    busy,
                    took_ms,
                    found,
                    longest_s,
                )
            else:
                log.debug("full garbage collection while idle: %.1f ms, %d freed", took_ms, found)
    finally:
        gc.set_threshold(young, middle, full)
