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


def test_a_slow_step_that_waited_for_a_core_is_told_apart(caplog, monkeypatch):
    """Each slow step's CPU time is kept: a 7 ms step that computed for 7 ms and one of 9 ms in
    which the process ran for 0.5 ms (another process had the core) are both slow, only the
    first on the CPU. Stepped clocks make the figures exact."""
    wall, cpu = [0.0], [0.0]
    monkeypatch.setattr(time, "perf_counter", lambda: wall[0])
    monkeypatch.setattr(time, "thread_time", lambda: cpu[0])

    async def steps() -> None:
        await asyncio.sleep(0)
        wall[0] += 0.007  # computing
        cpu[0] += 0.007
        await asyncio.sleep(0)
        wall[0] += 0.009  # descheduled for most of it
        cpu[0] += 0.0005

    _run_watched(steps, caplog)
    assert (STEPS.slow, STEPS.slow_on_cpu) == (2, 1)
    assert STEPS.slowest_s == pytest.approx(0.009)
    assert STEPS.slowest_cpu_s == pytest.approx(0.0005)
    assert "slowest 9.00 ms (CPU 0.50 ms), 2 at or over 5 ms (1 with 5 ms of CPU)" in (
        STEPS.summary()
    )
    warnings = [r.getMessage() for r in caplog.records if "event loop step took" in r.getMessage()]
    assert warnings and "took 7.0 ms (CPU 7.0 ms;" in warnings[0]
