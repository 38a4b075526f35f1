"""Replay matching over the matching test set: right or says no, at the rates docs/replay-matching.md states."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from dashscope_realtime_mock.replay.fingerprint import THRESHOLD

from .matching_trials import Outcome, negatives, positives, rates, run

DOC = Path(__file__).resolve().parents[3] / "docs" / "replay-matching.md"
TRIALS = positives() + negatives()


@cache
def _outcome(index: int) -> Outcome:
    """Each trial is run once per test session, whichever test asks first."""
    return run(TRIALS[index])


POSITIVE = [i for i, t in enumerate(TRIALS) if t.allowed]
NEGATIVE = [i for i, t in enumerate(TRIALS) if not t.allowed]


@pytest.mark.parametrize(
    "index", POSITIVE, ids=[f"{TRIALS[i].name}-{TRIALS[i].chunk_ms}ms" for i in POSITIVE]
)
def test_a_fixtures_own_audio_replays_it(index: int):
    """A fixture's own audio, however chunked and at 8 or 16 kHz, replays it (or its same-audio twin)."""
    outcome = _outcome(index)
    assert outcome.replayed in TRIALS[index].allowed, f"similarity {outcome.similarity:.2f}"


@pytest.mark.parametrize("index", NEGATIVE, ids=[TRIALS[i].name for i in NEGATIVE])
def test_audio_no_fixture_was_made_from_gets_the_builtin_responder(index: int):
    """Other sentences, voices, languages, speeds, synthetic speech, noise, silence: no replay."""
    outcome = _outcome(index)
    assert outcome.replayed is None, f"replayed {outcome.replayed} ({outcome.similarity:.2f})"


def test_the_docs_state_the_measured_rates_and_threshold():
    """docs/replay-matching.md quotes the set's size, both rates and the threshold as measured."""
    false, missed = rates([_outcome(i) for i in range(len(TRIALS))])
    text = DOC.read_text(encoding="utf-8")
    stated = re.search(r"false-match rate: \*\*([\d.]+) %\*\* of (\d+)", text)
    missed_stated = re.search(r"missed-match rate: \*\*([\d.]+) %\*\* of (\d+)", text)
    assert stated and missed_stated, "the docs must state both rates in the documented phrasing"
    assert (float(stated[1]), int(stated[2])) == (round(false * 100, 1), len(NEGATIVE))
    assert (float(missed_stated[1]), int(missed_stated[2])) == (
        round(missed * 100, 1),
        len(POSITIVE),
    )
    assert f"threshold **{THRESHOLD:.2f}**" in text
