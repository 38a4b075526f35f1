"""The serve process's full garbage collections: when no session is live, or when overdue."""

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


def _garbage_cycle() -> weakref.ref:
    """A cycle that became garbage in the oldest generation, where only a full collection looks."""
    cycle = _Cycle()
    gc.collect(1)  # still reachable: promoted to the oldest generation
    found = weakref.ref(cycle)
    del cycle
    return found


@pytest.fixture
def full_collections():
    """How many full collections ran while the test did."""
    seen: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "stop" and info["generation"] == 2:
            seen.append(1)

    gc.callbacks.append(count)
    yield seen
    gc.callbacks.remove(count)


async def _run_for(seconds: float, until=lambda: False, **options) -> None:
    """Run the collector (checking every 10 ms) for `seconds`, or until `until()` holds."""
    task = asyncio.create_task(collect_when_quiet(check_s=0.01, **options))
    for _ in range(int(seconds / 0.01)):
        await asyncio.sleep(0.01)
        if until():
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_no_full_collection_while_sessions_are_live(full_collections):
    """With sessions live (and not overdue), cyclic garbage in the oldest generation waits."""
    garbage = _garbage_cycle()
    await _run_for(0.2, live_sessions=lambda: 3, longest_s=60)
    assert full_collections == []
    assert garbage() is not None
    gc.collect()


async def test_a_full_collection_runs_once_no_session_is_live(full_collections):
    """Idle: the garbage is collected within a check or two."""
    garbage = _garbage_cycle()
    await _run_for(5, until=lambda: garbage() is None, live_sessions=lambda: 0, longest_s=60)
    assert full_collections
    assert garbage() is None


async def test_under_endless_load_an_overdue_collection_runs_and_is_logged(
    full_collections, caplog
):
    """Sessions never stop: after `longest_s` the collection runs anyway, with its pause logged."""
    garbage = _garbage_cycle()
    with caplog.at_level(logging.INFO, logger="mockserver.gc"):
        await _run_for(5, until=lambda: garbage() is None, live_sessions=lambda: 5, longest_s=0.05)
    assert full_collections
    assert garbage() is None
    assert "full garbage collection with 5 sessions live" in caplog.text


async def test_the_interpreters_thresholds_come_back_when_it_stops():
    """While it runs, automatic full collections are off; afterwards they are as before."""
    before = gc.get_threshold()
    task = asyncio.create_task(collect_when_quiet(lambda: 1, check_s=0.01))
    await asyncio.sleep(0.03)
    assert gc.get_threshold()[:2] == before[:2]
    assert gc.get_threshold()[2] > 10**6
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert gc.get_threshold() == before
