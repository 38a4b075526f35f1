"""The serve process's garbage collections: none while sessions are live, all when none is."""

from __future__ import annotations

import asyncio
import gc
import logging
import weakref

import pytest

from dashscope_realtime_mock.transport.collector import collect_when_quiet

pytestmark = pytest.mark.asyncio


class _Cycle:
    """Garbage only the cyclic collector frees."""

    def __init__(self) -> None:
        self.me = self


def _garbage(cycles: int) -> list[weakref.ref]:
    """`cycles` unreachable cycles (two tracked objects each: the instance and its dict)."""
    found = []
    for _ in range(cycles):
        cycle = _Cycle()
        found.append(weakref.ref(cycle))
    return found


def _alive(refs: list[weakref.ref]) -> int:
    return sum(ref() is not None for ref in refs)


@pytest.fixture
def collections():
    """The generation of each collection that ran while the test did."""
    seen: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "stop":
            seen.append(info["generation"])

    gc.collect()  # start from a clean count
    gc.callbacks.append(count)
    yield seen
    gc.callbacks.remove(count)
    gc.collect()


async def _collector(**options) -> asyncio.Task:
    """The collector (checking every 10 ms), once it has taken over the interpreter's."""
    options.setdefault("check_s", 0.01)
    task = asyncio.create_task(collect_when_quiet(**options))
    await asyncio.sleep(0)  # it runs up to its first check
    return task


async def _stop(task: asyncio.Task) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def _wait(until, seconds: float = 5.0) -> None:
    """Until `until()` holds, checking every 10 ms, for at most `seconds`."""
    for _ in range(int(seconds / 0.01)):
        if until():
            return
        await asyncio.sleep(0.01)


async def test_no_collection_of_any_generation_while_sessions_are_live(collections):
    """Sessions live, not overdue: thousands of allocations start no collection, young or full,
    and the garbage waits."""
    task = await _collector(live_sessions=lambda: 3, longest_s=60)
    garbage = _garbage(2000)
    await asyncio.sleep(0.2)
    seen, alive = list(collections), _alive(garbage)
    await _stop(task)
    assert seen == []
    assert alive == 2000


async def test_a_full_collection_runs_once_no_session_is_live(collections):
    """Idle, with objects kept since the last collection: the garbage goes within a check or two."""
    task = await _collector(live_sessions=lambda: 0, longest_s=60)
    garbage = _garbage(100)
    await _wait(lambda: _alive(garbage) == 0)
    await _stop(task)
    assert _alive(garbage) == 0
    assert 2 in collections


async def test_idle_with_nothing_new_no_collection_runs(collections):
    """Idle and nothing came or went since the last one: no collection, check after check."""
    task = await _collector(live_sessions=lambda: 0, longest_s=60)
    await _wait(lambda: bool(collections), seconds=1.0)  # the first may tidy the test's own
    ran = len(collections)
    await asyncio.sleep(0.2)
    later = len(collections)
    await _stop(task)
    assert later == ran
    assert ran <= 1


@pytest.mark.parametrize(
    ("options", "cycles", "logged"),
    [
        # sessions never stop: after `longest_s` the collection runs anyway
        ({"longest_s": 0.05}, 10, "full garbage collection with 5 sessions live"),
        # garbage stays bounded: past `most_new_objects` new objects it is collected
        (
            {"longest_s": 60, "most_new_objects": 500},
            1000,
            "more objects tracked than after the last",
        ),
    ],
    ids=["after longest_s", "past most_new_objects"],
)
async def test_under_endless_load_an_overdue_collection_runs_and_is_logged(
    collections, caplog, options, cycles, logged
):
    """Under load a collection runs once overdue, by time or by new objects, its pause logged."""
    with caplog.at_level(logging.INFO, logger="mockserver.gc"):
        task = await _collector(live_sessions=lambda: 5, **options)
        garbage = _garbage(cycles)
        await _wait(lambda: _alive(garbage) == 0)
        await _stop(task)
    assert _alive(garbage) == 0
    assert 2 in collections
    assert logged in caplog.text


async def test_garbage_of_sessions_that_outlived_a_collection_goes_once_idle(collections):
    """Objects live sessions held through a collection under load, which become garbage after
    it: freeing them brings the count of new objects down to nothing, yet the idle check that
    follows still collects them (a session was live since the last collection)."""
    live = [3]
    task = await _collector(live_sessions=lambda: live[0], longest_s=60, most_new_objects=500)
    held = [_Cycle() for _ in range(1000)]  # what the live sessions hold
    refs = [weakref.ref(cycle) for cycle in held]
    await _wait(lambda: 2 in collections)  # overdue by new objects; all of them still reachable
    assert _alive(refs) == 1000
    del held  # the sessions close: their cycles are garbage, the count of new objects 0
    live[0] = 0
    await _wait(lambda: _alive(refs) == 0)
    await _stop(task)
    assert _alive(refs) == 0


async def test_automatic_collection_is_off_while_it_runs_and_back_after():
    """While it runs the interpreter collects nothing on its own; afterwards it does again."""
    assert gc.isenabled()
    task = await _collector(live_sessions=lambda: 1)
    assert not gc.isenabled()
    await _stop(task)
    assert gc.isenabled()
