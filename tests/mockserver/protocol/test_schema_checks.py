"""Client events are checked against their schemas, violations become the documented errors
(worded in one place), and strict mode polices server events."""

from __future__ import annotations

import pytest

from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.protocol.schema_checks import (
    StrictModeViolation,
    check_server_event,
    param_of,
)
from tests.support import ASR, OMNI, new_session, send


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
    from dashscope_realtime_mock.protocol.schema_checks import _fast_check, _never

    values: list[object] = [None, 1, 1.0, True, "", "x", "input_audio_buffer.append", [], {}]
    checked = 0
    for family in schemas.families():
        for kind in sorted(schemas.event_types("client", family)):
            validator = schemas.validator("client", kind, family)
            assert validator is not None and isinstance(validator.schema, dict), kind
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
    """Appends the fast check refuses get the wording of the full jsonschema check."""
    cases: list[tuple[dict[str, object], str, str, str]] = [
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


@pytest.mark.parametrize(
    ("model", "event", "code", "param"),
    [
        (OMNI, {"type": "input_audio_buffer.append"}, "missing_required_parameter", "audio"),
        (OMNI, {"type": "input_audio_buffer.append", "audio": 5}, "invalid_type", "audio"),
        (
            OMNI,
            {
                "type": "session.update",
                "session": {"tools": [{"type": "function", "function": {}}]},
            },
            "missing_required_parameter",
            "session.tools[0].function.name",
        ),
        (
            OMNI,
            {"type": "session.update", "session": {"turn_detection": {"threshold": 2}}},
            "invalid_value",
            "session.turn_detection.threshold",
        ),
        (
            OMNI,
            {
                "type": "conversation.item.create",
                "item": {"type": "function_call_output", "call_id": "c"},
            },
            "missing_required_parameter",
            "item.output",
        ),
        (
            ASR,
            {"type": "input_audio_buffer.append", "audio": "AAAA"},
            "missing_required_parameter",
            "event_id",
        ),
        (
            ASR,
            {"type": "session.update", "event_id": "e", "session": {"input_audio_format": "mp3"}},
            "invalid_value",
            "session.input_audio_format",
        ),
    ],
)
def test_schema_violations_become_invalid_request_errors(model, event, code, param):
    """The first violation is answered with its code and the offending field as `param`."""
    s = new_session(model)
    s.receive_event(event)
    [error] = s.events_to_send()
    assert error["error"]["type"] == "invalid_request_error"
    assert (error["error"]["code"], error["error"]["param"]) == (code, param)


def test_modalities_violation_has_the_documented_message():
    """['audio'] alone gets the message docs/protocol/events.md §1.7 quotes."""
    [error] = send(new_session(OMNI), type="session.update", session={"modalities": ["audio"]})
    assert error["error"]["message"] == (
        "Invalid modalities: ['audio']. Supported combinations are: ['text'] and ['audio', 'text']."
    )


def test_enum_violation_lists_the_supported_values():
    """An enum violation reads like the documented ones: Invalid value: 'x'. Supported values are: …"""
    [error] = send(new_session(ASR), type="session.update", session={"sample_rate": 44100})
    assert (
        error["error"]["message"]
        == "Invalid value: '44100'. Supported values are: '16000', '8000'."
    )


def test_the_session_goes_on_after_a_schema_violation():
    """A rejected event changes nothing; the next valid one is answered."""
    s = new_session(OMNI)
    send(s, type="session.update", session={"voice": 5})
    [updated] = send(s, type="session.update", session={"voice": "Ethan"})
    assert updated["session"]["voice"] == "Ethan"


def test_param_of_writes_paths_the_documented_way():
    """Object keys are dotted, array indices bracketed."""
    assert param_of(["session", "tools", 0, "function", "name"]) == "session.tools[0].function.name"
    assert param_of([]) == ""


def test_strict_mode_rejects_an_invalid_server_event():
    """check_server_event raises for an event that breaks its family's schema."""
    with pytest.raises(StrictModeViolation, match=r"response\.text\.delta"):
        check_server_event(
            {"event_id": "e", "type": "response.text.delta", "delta": "x"}, "livetranslate"
        )
    with pytest.raises(StrictModeViolation, match="audio_start_ms"):
        check_server_event({"event_id": "e", "type": "input_audio_buffer.speech_started"}, "asr")


def test_a_strict_session_raises_when_it_would_emit_an_invalid_event(monkeypatch):
    """In strict mode the session core itself fails loudly on a broken emitter."""
    s = new_session(OMNI)
    monkeypatch.setattr(type(s), "_render", lambda self, updated: {"id": self.id})
    with pytest.raises(StrictModeViolation, match=r"session\.updated"):
        s.receive_event({"type": "session.update", "session": {}})
