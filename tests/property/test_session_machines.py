"""Fuzzed event sequences against the pure session core, one state machine per model family."""

from __future__ import annotations

import pytest
from hypothesis.stateful import run_state_machine_as_test

from tests.property.machines import session_machine
from tests.support import ASR, LIVETRANSLATE, LIVETRANSLATE_35, OMNI, OMNI_TURBO


@pytest.mark.parametrize("model", [LIVETRANSLATE, LIVETRANSLATE_35, ASR, OMNI, OMNI_TURBO])
def test_every_sequence_keeps_the_protocol(model):
    """Any sequence of the family's client events (and malformed ones) keeps every invariant."""
    run_state_machine_as_test(session_machine(model))
