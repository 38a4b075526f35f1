"""Replay matching over the matching test set: right or says no, at the rates docs/replay-matching.md states."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashscope_realtime_mock.replay.fingerprint import THRESHOLD

from .matching_trials import Trial, negatives, positives, rates, run

DOC = Path(__file__).resolve().parents[3] / "docs" / "replay-matching.md"
POSITIVES = positives()
NEGATIVES = negatives()


@pytest.mark.parametrize("trial", POSITIVES, ids=lambda t: f"{t.name}-{t.chunk_ms}ms")
def test_a_fixtures_own_audio_replays_it(trial: Trial):
    """A fixture's own audio, however chunked and at 8 or 16 kHz, replays it (or its same-audio twin)."""
    outcome = run(trial)
    assert outcome.replayed in trial.allowed, f"similarity {outcome.similarity:.2f}"


@pytest.mark.parametrize("trial", NEGATIVES, ids=lambda t: t.name)
def test_audio_no_fixture_was_made_from_gets_the_builtin_responder(trial: Trial):
    """Other sentences, voices, languages, speeds, synthetic speech, noise, silence: no replay."""
    outcome = run(trial)
    assert outcome.replayed is None, f"replayed {outcome.replayed} ({outcome.similarity:.2f})"


def test_the_docs_state_the_measured_rates_and_threshold():
    """docs/replay-matching.md quotes the set's size, both rates and the threshold as measured."""
    outcomes = [run(t) for t in POSITIVES + NEGATIVES]
    false, missed = rates(outcomes)
    text = DOC.read_text(encoding="utf-8")
    stated = re.search(r"false-match rate: \*\*([\d.]+) %\*\* of (\d+)", text)
    missed_stated = re.search(r"missed-match rate: \*\*([\d.]+) %\*\* of (\d+)", text)
    assert stated and missed_stated, "the docs must state both rates in the documented phrasing"
    assert (float(stated[1]), int(stated[2])) == (round(false * 100, 1), len(NEGATIVES))
    assert (float(missed_stated[1]), int(missed_stated[2])) == (
        round(missed * 100, 1),
        len(POSITIVES),
    )
    assert f"threshold **{THRESHOLD:.2f}**" in text
