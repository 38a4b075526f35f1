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
    assert behaviour.omni_session_finish.value == "reject"


@pytest.mark.parametrize(
    "text", ["nope=1", "tool_calls", "cancel_sends_response_done=maybe", "cap_close_code=abc"]
)
def test_bad_assignments_are_refused(text):
    """Unknown names, missing values and values of the wrong type raise ValueError."""
    with pytest.raises(ValueError):
        parse_assignment(text)


@pytest.mark.parametrize(
    ("model", "answer"),
    [
        ("qwen3-omni-flash-realtime", "accept"),
        ("qwen-omni-turbo-realtime", "accept"),
        ("qwen3.5-omni-plus-realtime", "reject"),
        ("qwen3.5-omni-flash-realtime", "reject"),
        ("qwen3.8-omni-flash-realtime", "reject"),
    ],
)
def test_session_finish_defaults_per_model(model, answer):
    """omni_session_finish: qwen3 Omni accepts, qwen3.5/3.8 reject (docs/protocol/omni-next.md §6.1)."""
    assert Behaviour().resolve("omni", model).omni_session_finish.value == answer


def test_one_model_s_session_finish_is_set_alone():
    """omni_session_finish=MODEL:accept changes that model and keeps the others' defaults."""
    behaviour = Behaviour().with_assignments(
        ["omni_session_finish=qwen3.5-omni-plus-realtime:accept"]
    )
    answers = [
        behaviour.resolve("omni", model).omni_session_finish.value
        for model in ("qwen3.5-omni-plus-realtime", "qwen3.8-omni-flash-realtime")
    ]
    assert answers == ["accept", "reject"]


def test_the_old_next_omni_session_finish_names_the_new_spelling():
    """next_omni_session_finish=... is refused in one line that says how to write it now."""
    with pytest.raises(ValueError) as refused:
        parse_assignment("next_omni_session_finish=accept")
    assert str(refused.value) == (
        "behaviour 'next_omni_session_finish' is gone; it is now the per-model "
        "omni_session_finish: write omni_session_finish=qwen3.5-omni-plus-realtime:accept for "
        "one model, omni_session_finish=accept for every model"
    )


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


def test_text_takes_at_least_a_millisecond_of_audio_time():
    """text_delta_ms 0 would make a long text-only answer all due at once: refused in one line."""
    with pytest.raises(ValueError, match="text_delta_ms must be >= 1"):
        Behaviour().with_assignments(["text_delta_ms=0"])
    assert Behaviour().with_assignments(["text_delta_ms=5"]).text_delta_ms == 5
