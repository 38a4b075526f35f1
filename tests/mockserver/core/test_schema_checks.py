"""Schema violations become the documented errors, worded in one place."""

from __future__ import annotations

from mockserver.families import open_session
from tests.support import OMNI


def _error(event: dict) -> dict:
    session = open_session(OMNI, strict=True)
    session.receive_event(event)
    return session.events_to_send()[-1]["error"]


def test_a_const_violation_names_the_one_allowed_value():
    """A part of the wrong type in a user message lists the only allowed value."""
    item = {"type": "message", "role": "user", "content": [{"type": "image", "text": "x"}]}
    error = _error({"type": "conversation.item.create", "item": item})
    assert error["message"] == "Invalid value: 'image'. Supported values are: 'input_text'."
    assert error["param"] == "item.content[0].type"


def test_other_violations_quote_the_schema():
    """A rule with no dedicated wording (an empty content list) quotes jsonschema's reason."""
    error = _error({"type": "conversation.item.create", "item": {"type": "message", "content": []}})
    assert error["param"] == "item.content"
    assert error["message"].startswith("Invalid value for 'item.content': [] should be non-empty")


def test_a_range_is_worded_as_the_parameter_tables_write_it():
    """temperature 3 reads 'It must be in [0, 2)', the documented style."""
    error = _error({"type": "session.update", "session": {"temperature": 3}})
    assert error["message"] == "Invalid value for 'session.temperature': 3. It must be in [0, 2)."


def test_a_one_sided_range_says_greater_than():
    """repetition_penalty 0 reads 'It must be greater than 0'."""
    error = _error({"type": "session.update", "session": {"repetition_penalty": 0}})
    assert (
        error["message"]
        == "Invalid value for 'session.repetition_penalty': 0. It must be greater than 0."
    )
