"""An answer built when first needed is the answer built at once: same events, same ids.

A session paced by the transport (and not strict) builds a response's events only when the
transport reaches them, or when something draws an id or looks at its turns first
(session/base.py, `_start_response`). Strict mode builds at once, to check each event as it is
made. Driving the two side by side through fuzzed sequences, every event either gives must be
the same, ids included.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import cast

import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.session.base import Session
from tests.property.machines import session_machine
from tests.support import ASR, LIVETRANSLATE, LIVETRANSLATE_35, OMNI, OMNI_TURBO, QWEN_AUDIO


class _Twins:
    """Looks like the lazy session to the machine; each call that feeds or drains a session goes
    to both, and what they give must match."""

    def __init__(self, lazy, eager) -> None:
        self._lazy, self._eager = lazy, eager

    def __getattr__(self, name):
        return getattr(self._lazy, name)

    def _both(self, name: str, *args):
        mine = getattr(self._lazy, name)(*copy.deepcopy(args))
        reference = getattr(self._eager, name)(*copy.deepcopy(args))
        assert mine == reference, f"{name}: {mine!r} != {reference!r}"
        return mine

    def receive_event(self, event: dict) -> None:
        self._both("receive_event", event)

    def receive_text(self, frame: str) -> None:
        self._both("receive_text", frame)

    def next_event(self):
        return self._both("next_event")

    def events_to_send(self):
        return self._both("events_to_send")

    def input_idle(self) -> None:
        self._both("input_idle")

    @property
    def awaiting_audio(self) -> bool:
        assert self._lazy.awaiting_audio == self._eager.awaiting_audio
        return self._lazy.awaiting_audio


def _twins(model: str, rng, **options) -> _Twins:
    """Each of the two gets its own generator, in the same state."""
    eager = open_session(model, strict=True, rng=copy.deepcopy(rng), **options)
    return _Twins(open_session(model, rng=rng, **options), eager)


@pytest.mark.parametrize(
    "model", [LIVETRANSLATE, LIVETRANSLATE_35, ASR, OMNI, OMNI_TURBO, QWEN_AUDIO]
)
def test_an_answer_built_when_needed_is_the_answer_built_at_once(model):
    run_state_machine_as_test(
        # _Twins stands in for a Session: it answers every call the machine makes
        session_machine(model, factory=cast("Callable[..., Session]", _twins)),
        settings=settings(max_examples=60, stateful_step_count=30, deadline=None),
    )
