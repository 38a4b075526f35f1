"""The serve process's garbage collections: none while sessions are live, all when none is.

The collector's checks are driven one by one (`_Checks`) and its clock is the test's, so what
each check does never depends on how fast this machine runs."""

from __future__ import annotations

import asyncio
import gc
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
import pytest_asyncio

from dashscope_realtime_mock.transport.collector import collect_when_quiet

pytestmark = pytest.mark.asyncio

CHECK_DEADLINE_S = 10.0  # a check that takes longer than this is stuck


class _Cycle:
    """Garbage only the cyclic collector frees."""

    def __init__(self) -> None:
        self.me = self


class _Checks:
    """The collector's `wait` and `clock`: it checks only when the test says so, at the time
    the test sets."""

    def __init__(self) -> None:
        self.now = 0.0
        self._go: asyncio.Queue[None] = asyncio.Queue()
        self._waiting = asyncio.Event()

    def clock(self) -> float:
        """The test's time, in seconds."""
        return self.now

    async def wait(self, seconds: float) -> None:
        """The collector's pause between checks: until the test calls `run`."""
        self._waiting.set()
        await self._go.get()

    async def run(self, count: int = 1) -> None:
        """Let the collector make `count` checks, and return once it waits for the next."""
        for _ in range(count):
            await asyncio.wait_for(self._waiting.wait(), CHECK_DEADLINE_S)
            self._waiting.clear()
            self._go.put_nowait(None)
        await asyncio.wait_for(self._waiting.wait(), CHECK_DEADLINE_S)


def _garbage(cycles: int) -> list[weakref.ref[_Cycle]]:
    """`cycles` unreachable cycles (two tracked objects each: the instance and its dict)."""
    found = []
    for _ in range(cycles):
        cycle = _Cycle()
        found.append(weakref.ref(cycle))
    return found


def _alive(refs: list[weakref.ref[_Cycle]]) -> int:
    """How many of the cycles `refs` point at are still in memory."""
    return sum(ref() is not None for ref in refs)


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of each collection that ran while the test did."""
    seen: list[int] = []

    def count(phase: str, info: dict[str, Any]) -> None:
        if phase == "stop":
            seen.append(info["generation"])

    gc.collect()  # start from a clean count
    gc.callbacks.append(count)
    yield seen
    gc.callbacks.remove(count)
    gc.collect()


@pytest_asyncio.fixture
async def collector() -> AsyncIterator[Callable[..., Awaitable[_Checks]]]:
    """Factory: start the collector with these options, driven by the `_Checks` it returns once
    the collector has taken over the interpreter's; stopped when the test ends."""
    tasks: list[asyncio.Task[None]] = []

    async def start(**options: Any) -> _Checks:
        checks = _Checks()
        tasks.append(
            asyncio.create_task(collect_when_quiet(**options, clock=checks.clock, wait=checks.wait))
        )
        await checks.run(0)  # it runs up to its first check
        return checks

    yield start
    for task in tasks:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_no_collection_of_any_generation_while_sessions_are_live(
    collections: list[int], collector: Callable[..., Awaitable[_Checks]]
) -> None:
    """Sessions live, not overdue: thousands of allocations start no collection, young or full,
    and the garbage waits, check after check."""
    checks = await collector(live_sessions=lambda: 3, longest_s=60)
    garbage = _garbage(2000)
    await checks.run(20)
    assert collections == []
    assert _alive(garbage) == 2000


async def test_a_full_collection_runs_once_no_session_is_live(
    collections: list[int], collector: Callable[..., Awaitable[_Checks]]
) -> None:
    """Idle, with objects kept since the last collection: the next check frees the garbage."""
    checks = await collector(live_sessions=lambda: 0, longest_s=60)
    garbage = _garbage(100)
    await checks.run()
    assert _alive(garbage) == 0
    assert collections == [2]


async def test_idle_with_nothing_new_no_collection_runs(
    collections: list[int], collector: Callable[..., Awaitable[_Checks]]
) -> None:
    """Idle and nothing came or went since the last one: no collection, check after check."""
    checks = await collector(live_sessions=lambda: 0, longest_s=60)
    await checks.run()  # the first may tidy the test's own objects
    ran = len(collections)
    await checks.run(20)
    assert len(collections) == ran <= 1


async def test_under_endless_load_a_collection_runs_once_longest_s_has_passed(
    collections: list[int],
    collector: Callable[..., Awaitable[_Checks]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sessions never stop: no collection before `longest_s`, one at the first check after it,
    its pause logged."""
    with caplog.at_level(logging.INFO, logger="mockserver.gc"):
        checks = await collector(live_sessions=lambda: 5, longest_s=30)
        garbage = _garbage(10)
        checks.now = 29.9
        await checks.run()
        assert (_alive(garbage), collections) == (10, [])
        checks.now = 30.0
        await checks.run()
    assert (_alive(garbage), collections) == (0, [2])
    assert "full garbage collection with 5 sessions live" in caplog.text


async def test_under_endless_load_a_collection_runs_past_most_new_objects(
    collections: list[int],
    collector: Callable[..., Awaitable[_Checks]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Garbage stays bounded: past `most_new_objects` new objects the next check collects, its
    pause logged."""
    with caplog.at_level(logging.INFO, logger="mockserver.gc"):
        checks = await collector(live_sessions=lambda: 5, longest_s=60, most_new_objects=500)
        garbage = _garbage(1000)
        await checks.run()
    assert (_alive(garbage), collections) == (0, [2])
    assert "more objects tracked than after the last" in caplog.text


async def test_garbage_of_sessions_that_outlived_a_collection_goes_once_idle(
    collections: list[int], collector: Callable[..., Awaitable[_Checks]]
) -> None:
    """Objects live sessions held through a collection under load, which become garbage after
    it: freeing them brings the count of new objects down to nothing, yet the idle check that
    follows still collects them (a session was live since the last collection)."""
    live = [3]
    checks = await collector(live_sessions=lambda: live[0], longest_s=60, most_new_objects=500)
    held = [_Cycle() for _ in range(1000)]  # what the live sessions hold
    refs = [weakref.ref(cycle) for cycle in held]
    await checks.run()  # overdue by new objects; all of them still reachable
    assert (_alive(refs), collections) == (1000, [2])
    del held  # the sessions close: their cycles are garbage, the count of new objects 0
    live[0] = 0
    await checks.run()
    assert _alive(refs) == 0


async def test_automatic_collection_is_off_while_it_runs_and_back_after() -> None:
    """While it runs the interpreter collects nothing on its own; afterwards it does again."""
    assert gc.isenabled()
    checks = _Checks()
    task = asyncio.create_task(collect_when_quiet(lambda: 1, clock=checks.clock, wait=checks.wait))
    await checks.run(0)  # it runs up to its first check
    assert not gc.isenabled()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert gc.isenabled()
