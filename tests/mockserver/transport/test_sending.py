"""The send task gives the loop away once a step's sending, the session's making of the events
included, has taken its budget."""

from __future__ import annotations

import asyncio
import itertools
import time
from types import SimpleNamespace
from typing import Any

import pytest

from dashscope_realtime_mock.transport import sending
from dashscope_realtime_mock.transport.connection import STEP_BUDGET_S
from dashscope_realtime_mock.transport.pacing import Pace

pytestmark = pytest.mark.asyncio

MAKE_S = STEP_BUDGET_S / 2  # what making each event takes on the test's clock


class _MakingSession:
    """A session whose events cost MAKE_S each to make (a long answer made a chunk at a time);
    sending them costs nothing."""

    building_next = False
    close_code, close_reason, expired = 1011, "done", False

    def __init__(self, clock: list[float], count: int) -> None:
        self._clock, self._left = clock, count
        self.finished = True

    def peek_event(self) -> dict[str, Any] | None:
        return (
            {"type": "response.audio.delta", "event_id": f"e{self._left}"} if self._left else None
        )

    def next_event(self) -> None:
        self._clock[0] += MAKE_S
        self._left -= 1


async def test_making_the_events_counts_toward_a_step_budget(monkeypatch) -> None:
    """Events that cost the session MAKE_S each to make are sent two to a loop step, not all
    in one step because their delivery was quick."""
    clock = [0.0]
    monkeypatch.setattr(time, "perf_counter", lambda: clock[0])
    sent: list[dict[str, Any]] = []

    async def deliver(event: dict[str, Any]) -> None:
        sent.append(event)

    async def close(**_: Any) -> None:
        return None

    conn = SimpleNamespace(
        session=_MakingSession(clock, 20),
        pacer=SimpleNamespace(pace=Pace.FAST),
        faults=None,
        deliver=deliver,
        ws=SimpleNamespace(close=close),
    )
    seen: list[int] = []

    async def watch() -> None:
        while len(sent) < 20:
            seen.append(len(sent))
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    await sending.send_or_fail(conn)  # type: ignore[arg-type]
    await watcher
    counts = [0, *seen, len(sent)]  # events sent by each time the watcher ran
    steps = [later - earlier for earlier, later in itertools.pairwise(counts)]
    assert len(sent) == 20
    assert max(steps) <= round(STEP_BUDGET_S / MAKE_S)
