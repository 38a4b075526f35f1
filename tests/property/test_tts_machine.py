"""Fuzzed text-event sequences against the TTS session core (tests/property/tts_machine.py)."""

from __future__ import annotations

import pytest
from hypothesis.stateful import run_state_machine_as_test

from tests.invariants import Trace
from tests.property.tts_machine import check_tts_responses, tts_machine


@pytest.mark.parametrize("model", ["qwen3-tts-flash-realtime", "qwen-tts-realtime"])
def test_every_text_sequence_keeps_the_tts_protocol(model):
    """Any sequence of TTS client events keeps every invariant."""
    run_state_machine_as_test(tts_machine(model))


def test_the_response_check_catches_a_response_inside_another():
    """check_tts_responses fails when a response.created comes before the previous response.done."""
    trace = Trace("qwen3-tts-flash-realtime")
    created = {"type": "response.created", "response": {"id": "r1"}}
    trace.received([created, {**created, "response": {"id": "r2"}}])
    with pytest.raises(AssertionError, match="inside another"):
        check_tts_responses(trace)


def test_the_response_check_catches_a_missing_closing_event():
    """check_tts_responses fails when response.done follows without audio.done."""
    trace = Trace("qwen3-tts-flash-realtime")
    where = {"response_id": "r1", "item_id": "i1", "output_index": 0, "content_index": 0}
    trace.received(
        [
            {"type": "response.created", "response": {"id": "r1"}},
            {"type": "response.output_item.added", "response_id": "r1", "item": {"id": "i1"}},
            {"type": "response.content_part.added", **where},
            {"type": "response.content_part.done", **where},
            {"type": "response.output_item.done", "response_id": "r1", "item": {"id": "i1"}},
            {"type": "response.done", "response": {"id": "r1"}},
        ]
    )
    with pytest.raises(AssertionError):
        check_tts_responses(trace)
