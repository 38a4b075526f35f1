"""The cut to max_tokens: the longest fitting prefix, found from a guess, is the one a binary search finds."""

from __future__ import annotations

from dashscope_realtime_mock.families.omni.session import _longest_fitting


def test_the_longest_fitting_prefix_is_found_from_any_guess():
    """Whatever the guess, the search returns the largest count that fits (0 if none does)."""
    for count in (1, 2, 3, 10, 97, 1000):
        for last_fitting in sorted({0, 1, count // 3, count - 1} - {count}):
            for guess in (-5, 0, 1, last_fitting, last_fitting + 1, count // 2, count, count + 9):
                probes: list[int] = []

                def fits(n: int, last: int = last_fitting, seen: list[int] = probes) -> bool:
                    seen.append(n)
                    return n <= last

                assert _longest_fitting(fits, count, guess) == max(last_fitting, 0)
                assert all(0 <= n < count for n in probes)


def test_a_good_guess_takes_few_probes():
    """A guess one unit off finds the cut in a handful of probes, not a binary search's 14."""
    probes: list[int] = []

    def fits(n: int) -> bool:
        probes.append(n)
        return n <= 5000

    assert _longest_fitting(fits, 16000, 5001) == 5000
    assert len(probes) <= 4
