"""Fuzzed event sequences against the pure session core, one state machine per model family."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from dashscope_realtime_mock import families as registry
from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.session.base import Playback
from tests.property.machines import session_machine
from tests.support import (
    ASR,
    LIVETRANSLATE,
    LIVETRANSLATE_35,
    OMNI,
    OMNI_NEXT,
    OMNI_TURBO,
    QWEN_AUDIO,
    QWEN_AUDIO_FLASH,
)


@pytest.mark.parametrize(
    "model",
    [
        LIVETRANSLATE,
        LIVETRANSLATE_35,
        ASR,
        OMNI,
        OMNI_TURBO,
        *OMNI_NEXT,
        QWEN_AUDIO,
        QWEN_AUDIO_FLASH,
    ],
)
def test_every_sequence_keeps_the_protocol(model):
    """Any sequence of the family's client events (and malformed ones) keeps every invariant."""
    run_state_machine_as_test(session_machine(model))


@pytest.mark.parametrize("model", [LIVETRANSLATE, ASR, OMNI, QWEN_AUDIO])
def test_the_machine_sends_every_client_event_of_the_family(model):
    """Over a fixed set of sequences, the machine sends every client event type the family has."""
    sent: set[str] = set()

    class Probe(session_machine(model)):  # type: ignore[misc]  # a machine class built per model
        def teardown(self):
            sent.update(e["type"] for _, e, _ in self.trace.client if e)
            super().teardown()

    run_state_machine_as_test(
        Probe,
        settings=settings(
            max_examples=60, stateful_step_count=30, derandomize=True, database=None, deadline=None
        ),
    )
    found = registry.lookup(model)
    assert found is not None
    assert sent == set(found.family.dialect.client_events)


def test_the_machine_drives_the_audio_time_playback_of_fast_pace(monkeypatch):
    """Over a fixed set of Omni sequences, some run in audio-time playback and hold an answer for
    the client's audio until the client goes quiet (input_idle)."""
    held: list[Playback] = []

    def factory(model, **options):
        session = open_session(model, **options)
        original = session.input_idle

        def input_idle():
            held.append(session.playback)
            original()

        monkeypatch.setattr(session, "input_idle", input_idle)
        return session

    run_state_machine_as_test(
        session_machine(OMNI, factory=factory),
        settings=settings(
            max_examples=200, stateful_step_count=30, derandomize=True, database=None, deadline=None
        ),
    )
    assert held and set(held) == {Playback.AUDIO_TIME}
