"""The event-loop watch warns about a synchronous step over its threshold."""

from __future__ import annotations

import asyncio
import logging
import time

from dashscope_realtime_mock.transport.loopwatch import STEPS, unwatch_steps, watch_steps


def test_a_slow_step_is_logged_and_kept(caplog):
    """A 20 ms blocking step is logged as a warning and kept as the slowest."""

    async def blocking() -> None:
        await asyncio.sleep(0)
        time.sleep(0.02)

    STEPS.reset()
    watch_steps(5)
    try:
        with caplog.at_level(logging.WARNING, logger="mockserver.loop"):
            asyncio.run(blocking())
    finally:
        unwatch_steps()
    assert STEPS.slow >= 1 and STEPS.slowest_s >= 0.02
    assert "blocking" in STEPS.slowest
    assert any("event loop step took" in r.getMessage() for r in caplog.records)
