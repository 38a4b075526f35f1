"""Schema violations become the documented errors, worded in one place."""

from __future__ import annotations

from dashscope_realtime_mock.families import open_session
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


def test_the_fast_check_accepts_exactly_what_the_schema_accepts():
    """For every flat client schema, the fast check never passes an event jsonschema rejects."""
    import itertools

    from dashscope_realtime_mock import schemas
    from dashscope_realtime_mock.core.schema_checks import _fast_check, _never

    values = [None, 1, 1.0, True, "", "x", "input_audio_buffer.append", [], {}]
    checked = 0
    for family in schemas.families():
        for kind in sorted(schemas.event_types("client", family)):
            validator = schemas.validator("client", kind, family)
            passes = _fast_check(validator)
            if passes is _never:
                continue
            names = [*validator.schema.get("properties", {}), "extra"]
            for chosen in itertools.product([None, *values[1:]], repeat=len(names)):
                event = {n: v for n, v in zip(names, chosen, strict=True) if v is not None}
                for candidate in (event, {**event, "type": kind}):
                    assert passes(candidate) == validator.is_valid(candidate), candidate
                    checked += 1
    assert checked > 1000


def test_bad_appends_are_worded_as_before():
    """Appends the fast check refuses get jsonschema's errors, worded as before issue 16."""
    cases = [
        ({"audio": 5}, "invalid_type", "Invalid type for 'audio': expected a string.", "audio"),
        ({}, "missing_required_parameter", "Missing required parameter: 'audio'.", "audio"),
        (
            {"audio": "AAAA", "event_id": 3},
            "invalid_type",
            "Invalid type for 'event_id': expected a string.",
            "event_id",
        ),
    ]
    for fields, code, message, param in cases:
        error = _error({"type": "input_audio_buffer.append", **fields})
        assert (error["code"], error["message"], error["param"]) == (code, message, param)
