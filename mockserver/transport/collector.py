"""When a server process runs Python's cyclic garbage collector (no event-loop step over 5 ms).

Reference counting frees almost everything a session makes; what it cannot free is small (each
closed connection leaves asyncio's socket transport in a cycle of 8 objects). The cyclic
collector, left to itself, walks the young generations every 700 allocations. With a thousand
live sessions those generations hold thousands of pending coroutines, futures and frames, and
each walk touches memory all over the heap: 3-11 ms of CPU, several times a second, in which no
session sends or reads. And a full collection, which CPython runs each time the long-lived heap
has grown by a quarter, pauses every session for 100-200 ms.

So the `serve` process turns automatic collection off and :func:`collect_when_quiet` runs full
collections itself:

- when no session is live, if a session was live since the last one or objects were kept
  since (nobody waits for it then; :mod:`.loopwatch` counts that step on its own line);
- under load that never pauses, once `longest_s` has passed since the last one, or once
  `most_new_objects` more objects are tracked than after it, so that garbage stays bounded
  whatever the load. That pause is logged with its length.

The count of new objects is objects made less objects freed, and never below zero: sessions that
outlive a collection and then close free more than is made, so the count alone can miss their
garbage. A session seen live since the last collection is what marks the next idle check.

Only the `serve` process does this (it owns its interpreter); the in-process
:class:`~dashscope_realtime_mock.testing.MockServer` leaves a user's collector alone.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Awaitable, Callable

from . import loopwatch

__all__ = ["collect_when_quiet"]

log = logging.getLogger("mockserver.gc")

# Objects the collector's own loop keeps between two checks; more than this while idle means
# something (a session) has come and gone since the last collection.
_IDLE_SLACK = 64


async def collect_when_quiet(
    live_sessions: Callable[[], int],
    check_s: float = 1.0,
    longest_s: float = 600.0,
    most_new_objects: int = 1_000_000,
    *,
    clock: Callable[[], float] = time.monotonic,
    wait: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Run every cyclic collection of this process: when no session is live, or under load when
    `longest_s` or `most_new_objects` says it is overdue; until cancelled, when the interpreter's
    automatic collection comes back as it was.

    `wait(check_s)` spaces the checks and `clock()` times `longest_s`; a test passes its own
    to run the checks one by one, whatever the machine's load."""
    was_enabled = gc.isenabled()
    gc.disable()
    last = clock()
    served = False  # a session was live at a check since the last collection
    try:
        while True:
            await wait(check_s)
            busy = live_sessions()
            served = served or busy > 0
            new_objects = gc.get_count()[0]  # tracked objects made, less those freed, since
            if busy:
                overdue = clock() - last >= longest_s or new_objects >= most_new_objects
                if not overdue:
                    continue
            elif not served and new_objects <= _IDLE_SLACK:
                continue  # nothing came and went since the last one
            else:
                loopwatch.set_apart()
            started = time.perf_counter()
            found = gc.collect()
            took_ms = (time.perf_counter() - started) * 1000
            last, served = clock(), busy > 0
            if busy:
                log.info(
                    "full garbage collection with %d sessions live: %.1f ms, %d objects freed, "
                    "%d more objects tracked than after the last (this process collects under "
                    "load once per %g s or %d new objects)",
                    busy,
                    took_ms,
                    found,
                    new_objects,
                    longest_s,
                    most_new_objects,
                )
            else:
                log.debug("full garbage collection while idle: %.1f ms, %d freed", took_ms, found)
    finally:
        if was_enabled:
            gc.enable()
