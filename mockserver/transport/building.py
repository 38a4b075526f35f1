"""Answers are built a little at a time, after what the sessions have ready (no event-loop step over 5 ms).

In real-time and recorded pace a session builds an answer (its ids, transcript pieces and audio
deltas: about 40 events, 60-90 µs) when its send task reaches it (`Session.building_next`). When
a thousand sessions end an utterance in the same 100 ms, building each answer where its send task
stood put every later session's `speech_stopped` behind all the answers before it.

A :class:`BuildQueue` (one per server process) lets the answers be built in the order their
sessions asked, at most :data:`BUDGET_S` of them in each turn of the event loop; the rest of each
turn reads frames and sends what is due. When hundreds of answers are asked for together the
last waits as many turns as the budget needs to get through them (about 40 for 500 answers of
75 µs); alone, an answer waits one turn more than a plain yield. Which events a session sends,
and their ids, do not depend on when its answer is built (`Session._start_response`).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

__all__ = ["BUDGET_S", "BuildQueue"]

BUDGET_S = 0.001  # build time given out in one turn of the event loop
_FIRST_GUESS_S = 0.0001  # what an answer is assumed to cost before one was measured
_SMOOTHING = 0.2  # weight of the newest measurement in the running mean


class BuildQueue:
    """Turns to build an answer: `await queue.build(needed, build)`.

    Once per turn of the event loop, while sessions wait, it lets as many of them go, first come
    first served, as the budget covers at the running mean of measured builds (at least one).
    """

    def __init__(
        self,
        budget_s: float = BUDGET_S,
        first_guess_s: float = _FIRST_GUESS_S,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.budget_s = budget_s
        self.mean_build_s = first_guess_s
        self.clock = clock
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._granting = False

    @property
    def waiting(self) -> int:
        """How many sessions wait for their turn (cancelled ones included until passed over)."""
        return len(self._waiting)

    async def build(self, needed: Callable[[], bool], build: Callable[[], object]) -> None:
        """Wait for a turn, then `build()` if it is still `needed()` (something else may have
        built the answer meanwhile); only a build that ran is measured."""
        await self._wait()
        if needed():
            started = self.clock()
            build()
            self._measured(self.clock() - started)

    async def _wait(self) -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        self._waiting.append(ready)
        if not self._granting:
            self._granting = True
            loop.call_soon(self._grant)
        await ready

    def _grant(self) -> None:
        """Let this turn's share go; come back next turn while anyone waits."""
        share = max(1, int(self.budget_s / max(self.mean_build_s, 1e-6)))
        while share and self._waiting:
            ready = self._waiting.popleft()
            if not ready.done():  # a session that went away while it waited is passed over
                ready.set_result(None)
                share -= 1
        if self._waiting:
            asyncio.get_running_loop().call_soon(self._grant)
        else:
            self._granting = False

    def _measured(self, seconds: float) -> None:
        self.mean_build_s += _SMOOTHING * (seconds - self.mean_build_s)
