"""Session.vet_frame: reading and schema-checking a frame ahead (off the loop) answers exactly as
receive_text would."""

from __future__ import annotations

import json

from dashscope_realtime_mock.session.base import VALID
from tests.support import OMNI, new_session

TOOLS = [
    {"type": "function", "function": {"name": f"tool_{i}", "parameters": {"type": "object"}}}
    for i in range(128)
]


def _answers(frame: str, ahead: bool) -> list[dict]:
    session = new_session(OMNI)
    if ahead:
        session.receive_read(*session.vet_frame(frame))
    else:
        session.receive_text(frame)
    return [{k: v for k, v in e.items() if k != "event_id"} for e in session.events_to_send()]


def test_a_valid_frame_vetted_ahead_is_valid_and_applied():
    """128 tools: the verdict is VALID, and the answer is the same session.updated."""
    frame = json.dumps({"type": "session.update", "session": {"tools": TOOLS}})
    assert new_session(OMNI).vet_frame(frame)[1] is VALID
    assert _answers(frame, ahead=True) == _answers(frame, ahead=False)


def test_an_invalid_frame_vetted_ahead_gets_the_same_error():
    """A schema violation found ahead is answered with the same error, in the same place."""
    frame = json.dumps({"type": "session.update", "session": {"temperature": 3, "tools": TOOLS}})
    ahead = _answers(frame, ahead=True)
    assert ahead == _answers(frame, ahead=False) and ahead[0]["type"] == "error"
