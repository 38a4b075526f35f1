"""The event-loop watch warns about a synchronous step over its threshold."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from dashscope_realtime_mock.transport.loopwatch import (
    STEPS,
    set_apart,
    unwatch_steps,
    watch_steps,
)


def _run_watched(main, caplog) -> None:
    """Run `main()` on a fresh loop with every step timed (5 ms threshold), warnings captured."""
    STEPS.reset()
    watch_steps(5)
    try:
        with caplog.at_level(logging.WARNING, logger="mockserver.loop"):
            asyncio.run(main())
    finally:
        unwatch_steps()


def test_a_slow_step_is_logged_and_kept(caplog):
    """A 20 ms blocking step is logged as a warning and kept as the slowest."""

    async def blocking() -> None:
        await asyncio.sleep(0)
        time.sleep(0.02)

    _run_watched(blocking, caplog)
    assert STEPS.slow >= 1 and STEPS.slowest_s >= 0.02
    assert "blocking" in STEPS.slowest
    assert any("event loop step took" in r.getMessage() for r in caplog.records)


def test_a_step_set_apart_is_not_the_slowest_step_under_load(caplog, monkeypatch):
    """A long step that calls set_apart() (the collector's full collection while no session is
    live) is counted on its own summary line, without a warning; the other steps are as ever.
    The steps' lengths come from a stepped clock, so the figures are exact."""
    clock = [0.0]
    monkeypatch.setattr(time, "perf_counter", lambda: clock[0])

    async def idle_collection() -> None:
        await asyncio.sleep(0)
        set_apart()
        clock[0] += 0.02  # the set-apart step lasts 20 ms
        await asyncio.sleep(0)
        clock[0] += 0.006  # an ordinary step of 6 ms

    _run_watched(idle_collection, caplog)
    assert STEPS.set_apart == 1 and STEPS.slowest_set_apart_s == pytest.approx(0.02)
    assert STEPS.slowest_s == pytest.approx(0.006) and STEPS.slow == 1
    assert "set apart: 1 full garbage collections" in STEPS.summary()
    warnings = [r.getMessage() for r in caplog.records if "event loop step took" in r.getMessage()]
    assert len(warnings) == 1 and "took 6.0 ms" in warnings[0]
