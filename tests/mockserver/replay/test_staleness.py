"""The committed fixture library matches what the current core makes from the same input."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashscope_realtime_mock.families.asr.models import ASR
from dashscope_realtime_mock.replay.store import load_library
from dashscope_realtime_mock.responses import events as events_module
from dashscope_realtime_mock.session import base as session_module
from tests.staleness import stale_report

LIBRARY = load_library(Path(__file__).resolve().parents[3] / "fixtures" / "scenarios")


@pytest.mark.parametrize("name", sorted(LIBRARY))
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


def test_a_changed_cancel_makes_the_cut_fixture_stale(monkeypatch):
    """A cancel whose closing transcript no longer holds the text sent: omni-cancel is stale."""
    original = events_module.cancelled_events  # what session.base calls (it imports it)

    def cancelled_events(*args, **kwargs):
        return [
            {**e, "transcript": ""} if e["type"] == "response.audio_transcript.done" else e
            for e in original(*args, **kwargs)
        ]

    monkeypatch.setattr(session_module, "cancelled_events", cancelled_events)
    report = stale_report(LIBRARY["omni-cancel"])
    assert report is not None and "response.audio_transcript.done" in report
    assert "Run `make fixtures`" in report
