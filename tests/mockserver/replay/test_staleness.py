"""The committed fixture library matches what the current core makes from the same input."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashscope_realtime_mock.families.asr.models import ASR
from dashscope_realtime_mock.replay.store import load_library
from tests.staleness import stale_report

LIBRARY = load_library(Path(__file__).resolve().parents[3] / "fixtures" / "scenarios")
# Fixtures whose answers the checker cannot rebuild from the recording alone (make_fixtures.py
# reproduces them byte for byte): omni-cancel's cut answer holds only the played prefix, so its
# text steps differ; livetranslate-transcription's while-speaking translation is billed on text
# the scripted replay splits differently (output text_tokens 33 vs 35).
NOT_REBUILT_FROM_THE_RECORDING = ("livetranslate-transcription", "omni-cancel")


@pytest.mark.parametrize("name", sorted(set(LIBRARY) - set(NOT_REBUILT_FROM_THE_RECORDING)))
def test_the_current_core_reproduces_each_committed_fixture(name):
    """Each fixture's own input, replayed through today's core, gives its recorded server events."""
    report = stale_report(LIBRARY[name])
    assert report is None, report


def test_changing_a_default_makes_the_staleness_test_fail_and_say_make_fixtures(monkeypatch):
    """ASR's VAD silence changed in a scratch copy: the asr-vad fixture is reported stale."""
    patched = {**ASR.defaults["turn_detection"], "silence_duration_ms": 500}
    monkeypatch.setitem(ASR.defaults, "turn_detection", patched)
    report = stale_report(LIBRARY["asr-vad"])
    assert report is not None and "Run `make fixtures`" in report
