"""Behaviour: the named choices where the docs are open, settable as name=value."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from dashscope_realtime_mock.protocol.behaviour import Behaviour, parse_assignment

BEHAVIOURS_PAGE = Path(__file__).resolve().parents[3] / "docs" / "behaviours.md"


def test_assignments_are_typed_by_the_default():
    """Booleans, numbers and strings are parsed by the type of the field's default."""
    behaviour = Behaviour().with_assignments(
        [
            "cancel_sends_response_done=false",
            "session_cap_s=90",
            "cap_close_code=4000",
            "omni_session_finish=reject",
        ]
    )
    assert behaviour.cancel_sends_response_done is False
    assert (behaviour.session_cap_s, behaviour.cap_close_code) == (90.0, 4000)
    assert behaviour.omni_session_finish == "reject"


@pytest.mark.parametrize(
    "text", ["nope=1", "tool_calls", "cancel_sends_response_done=maybe", "cap_close_code=abc"]
)
def test_bad_assignments_are_refused(text):
    """Unknown names, missing values and values of the wrong type raise ValueError."""
    with pytest.raises(ValueError):
        parse_assignment(text)


def test_out_of_range_choice_is_refused():
    """A choice outside its documented set is refused when the Behaviour is built."""
    with pytest.raises(ValueError, match="tool_calls"):
        Behaviour(tool_calls="sometimes")  # type: ignore[arg-type]  # deliberately out of range: the refusal is under test


def test_docs_list_every_behaviour():
    """Every choice is documented in docs/behaviours.md's table."""
    listed = set(
        re.findall(
            r"^\| `([a-z_0-9]+)` \|", BEHAVIOURS_PAGE.read_text(encoding="utf-8"), re.MULTILINE
        )
    )
    assert {f.name for f in dataclasses.fields(Behaviour)} <= listed
