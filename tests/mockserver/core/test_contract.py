"""contract.py: client events are checked against their schemas; strict mode polices server events."""

from __future__ import annotations

import pytest

from dashscope_realtime_mock.core.schema_checks import (
    StrictModeViolation,
    check_server_event,
    param_of,
)
from tests.support import ASR, OMNI, new_session, send


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
    """['audio'] alone gets the message events.md §1.7 quotes."""
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
