"""Answers are built in turns: first come first served, a budget's worth per turn of the loop."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from dashscope_realtime_mock.transport.building import BuildQueue

pytestmark = pytest.mark.asyncio

BUILD_S = 0.0005  # what every build takes on the test's clock


class _SteppedClock:
    """A clock that moves only when a build says it took time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _queue(budget_s: float, first_guess_s: float = BUILD_S) -> tuple[BuildQueue, _SteppedClock]:
    clock = _SteppedClock()
    return BuildQueue(budget_s=budget_s, first_guess_s=first_guess_s, clock=clock), clock


async def _build(
    queue: BuildQueue, clock: _SteppedClock, name: int, built: list[int], needed: bool = True
) -> None:
    def build() -> None:
        clock.now += BUILD_S
        built.append(name)

    await queue.build(lambda: needed, build)


async def _entered_per_turn(built: list[int], total: int) -> list[int]:
    """How many builds ran by the end of each turn of the loop, until all have."""
    counts: list[int] = []
    while len(built) < total:
        await asyncio.sleep(0)
        counts.append(len(built))
        assert len(counts) < 200, "the builds stopped coming"
    return counts


async def test_each_turn_builds_at_most_what_the_budget_covers():
    queue, clock = _queue(budget_s=2 * BUILD_S)  # two builds per turn
    built: list[int] = []
    tasks = [asyncio.create_task(_build(queue, clock, k, built)) for k in range(5)]
    counts = await _entered_per_turn(built, 5)
    steps = [b - a for a, b in itertools.pairwise([0, *counts])]
    assert max(steps) == 2
    assert sum(steps) == 5
    await asyncio.gather(*tasks)


async def test_sessions_build_one_turn_apart_in_the_order_they_asked():
    queue, clock = _queue(budget_s=BUILD_S)  # one per turn
    built: list[int] = []
    tasks = [asyncio.create_task(_build(queue, clock, k, built)) for k in range(4)]
    counts = await _entered_per_turn(built, 4)
    assert all(b - a <= 1 for a, b in itertools.pairwise([0, *counts]))
    assert built == [0, 1, 2, 3]
    await asyncio.gather(*tasks)


async def test_at_least_one_build_per_turn_however_small_the_budget():
    queue, clock = _queue(budget_s=BUILD_S / 10)
    built: list[int] = []
    tasks = [asyncio.create_task(_build(queue, clock, k, built)) for k in range(3)]
    counts = await _entered_per_turn(built, 3)
    assert counts[-1] == 3
    assert all(b - a <= 1 for a, b in itertools.pairwise([0, *counts]))
    await asyncio.gather(*tasks)


async def test_a_session_gone_while_waiting_is_passed_over():
    queue, clock = _queue(budget_s=BUILD_S)
    built: list[int] = []
    first = asyncio.create_task(_build(queue, clock, 0, built))
    gone = asyncio.create_task(_build(queue, clock, 1, built))
    last = asyncio.create_task(_build(queue, clock, 2, built))
    await asyncio.sleep(0)  # all three wait now
    gone.cancel()
    await asyncio.gather(first, last)
    assert built == [0, 2]
    assert queue.waiting == 0


async def test_the_share_follows_what_builds_measure():
    """Guessed ten times too slow, the first turn lets one go; as builds measure, more go."""
    queue, clock = _queue(budget_s=4 * BUILD_S, first_guess_s=10 * BUILD_S)
    built: list[int] = []
    tasks = [asyncio.create_task(_build(queue, clock, k, built)) for k in range(30)]
    counts = await _entered_per_turn(built, 30)
    steps = [b - a for a, b in itertools.pairwise([0, *counts]) if b > a]
    assert steps[0] == 1
    assert max(steps) >= 3  # the budget covers 4 builds at the true cost; the mean nears it
    assert queue.mean_build_s < 1.1 * BUILD_S
    await asyncio.gather(*tasks)


async def test_an_answer_built_meanwhile_is_not_built_or_measured():
    queue, clock = _queue(budget_s=BUILD_S)
    built: list[int] = []
    await _build(queue, clock, 0, built, needed=False)
    assert built == []
    assert queue.mean_build_s == BUILD_S
