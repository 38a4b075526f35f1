"""The bad-input matrix: each frame, on every family, gets the documented
invalid_request_error naming the parameter, every frame sent is strict JSON, and the session goes on."""

from __future__ import annotations

import json

import pytest

from dashscope_realtime_mock.protocol.inbound import MAX_DEPTH, MAX_MEMBERS, MAX_TEXT_CHARS
from dashscope_realtime_mock.protocol.wording import ECHO_CHARS
from dashscope_realtime_mock.transport.frames import frame_of
from tests.support import ASR, LIVETRANSLATE, LIVETRANSLATE_35, OMNI, OMNI_TURBO, new_session

MODELS = [LIVETRANSLATE, LIVETRANSLATE_35, ASR, OMNI, OMNI_TURBO]
SURROGATE = "\\ud800"  # as JSON writes it: valid JSON, not valid Unicode


def _update(session_json: str) -> str:
    return '{"event_id": "event_1", "type": "session.update", "session": ' + session_json + "}"


def _nested(levels: int) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


def _tools(count: int) -> str:
    tools = [{"type": "function", "name": f"f{i}", "parameters": {}} for i in range(count)]
    return _update(json.dumps({"tools": tools}))


# (case id, frame, expected error code, expected param)
CASES = [
    ("surrogate-type", '{"type": "' + SURROGATE + '"}', "invalid_value", "type"),
    ("low-surrogate-type", '{"type": "\\udfff"}', "invalid_value", "type"),
    (
        "surrogate-event-id",
        '{"event_id": "' + SURROGATE + '", "type": "session.update", "session": {}}',
        "invalid_value",
        "event_id",
    ),
    (
        "surrogate-voice",
        _update('{"voice": "' + SURROGATE + '"}'),
        "invalid_value",
        "session.voice",
    ),
    (
        "surrogate-instructions",
        _update('{"instructions": "a' + SURROGATE + 'b"}'),
        "invalid_value",
        "session.instructions",
    ),
    ("surrogate-key", _update('{"' + SURROGATE + '": 1}'), "invalid_value", "session"),
    (
        "surrogate-in-item-text",
        '{"type": "conversation.item.create", "item": {"type": "message", "role": "user", '
        '"content": [{"type": "input_text", "text": "' + SURROGATE + '"}]}}',
        "invalid_value",
        "item.content[0].text",
    ),
    (
        "surrogate-in-tool-output",
        '{"type": "conversation.item.create", "item": {"type": "function_call_output", '
        '"call_id": "call_1", "output": "' + SURROGATE + '"}}',
        "invalid_value",
        "item.output",
    ),
    ("nan", _update('{"repetition_penalty": NaN}'), "invalid_value", "session.repetition_penalty"),
    ("infinity", _update('{"temperature": Infinity}'), "invalid_value", "session.temperature"),
    ("minus-infinity", _update('{"top_p": -Infinity}'), "invalid_value", "session.top_p"),
    (
        "1e400",
        _update('{"repetition_penalty": 1e400}'),
        "invalid_value",
        "session.repetition_penalty",
    ),
    (
        "nan-in-vad",
        _update('{"turn_detection": {"type": "server_vad", "threshold": NaN}}'),
        "invalid_value",
        "session.turn_detection.threshold",
    ),
    ("nan-top-level", '{"type": "session.update", "x": NaN}', "invalid_value", "x"),
    ("nested-1000", "[" * 1000 + "]" * 1000, "invalid_json", None),
    ("nested-100000", "[" * 100_000 + "]" * 100_000, "invalid_value", None),
    (
        "nested-session",
        _update(_nested(MAX_DEPTH + 5)),
        "invalid_value",
        "session" + ".a" * (MAX_DEPTH - 1),
    ),
    (
        "nested-tool-parameters",
        _update(
            json.dumps({"tools": [{"type": "function", "name": "f", "parameters": 0}]})
        ).replace('"parameters": 0', '"parameters": ' + _nested(900)),
        "invalid_value",
        "session.tools[0].parameters" + ".a" * (MAX_DEPTH - 4),
    ),
    ("too-many-tools", _tools(MAX_MEMBERS + 1), "invalid_value", "session.tools"),
    ("tools-huge-frame", _tools(20_000), "invalid_value", None),
    (
        "too-many-hotwords",
        _update(
            json.dumps({"corpus": {"phrases": {f"w{i}": f"v{i}" for i in range(MAX_MEMBERS + 1)}}})
        ),
        "invalid_value",
        "session.corpus.phrases",
    ),
    (
        "huge-instructions",
        _update(json.dumps({"instructions": "x" * (MAX_TEXT_CHARS + 1)})),
        "invalid_value",
        "session.instructions",
    ),
    ("not-json", "{oops", "invalid_json", None),
    ("truncated-json", '{"type": "session.update"', "invalid_json", None),
    (
        "huge-integer",
        '{"type": "session.update", "session": {"x": ' + "9" * 5000 + "}}",
        "invalid_json",
        None,
    ),
    ("empty-frame", "", "invalid_json", None),
    ("bare-nan", "NaN", "invalid_event", None),
    ("array", "[]", "invalid_event", None),
    ("null", "null", "invalid_event", None),
    ("no-type", '{"event_id": "e"}', "missing_required_parameter", "type"),
    ("type-not-string", '{"type": 5}', "missing_required_parameter", "type"),
    ("unknown-type", '{"type": "conversation.item.truncate"}', "invalid_value", "type"),
    ("huge-type", json.dumps({"type": "x" * 1_000_000}), "invalid_value", "type"),
]


def _strict_frame(event: dict) -> str:
    """The frame the server would send, parsed back by a strict parser (no NaN, valid UTF-8)."""
    frame = frame_of(event)
    frame.encode("utf-8")
    json.loads(frame, parse_constant=lambda name: pytest.fail(f"{name} in a frame"))
    return frame


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(
    ("frame", "code", "param"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_frame_gets_an_error_and_the_session_goes_on(model, frame, code, param):
    """A bad frame: one invalid_request_error (code, param), strict JSON out, then session.update works."""
    session = new_session(model)
    session.receive_text(frame)
    answer = session.events_to_send()
    errors = [e for e in answer if e["type"] == "error"]
    assert len(errors) == 1, answer
    assert errors[0]["error"]["type"] == "invalid_request_error"
    assert (errors[0]["error"]["code"], errors[0]["error"]["param"]) == (code, param)
    assert len(_strict_frame(errors[0])) < 2 * ECHO_CHARS + 2000
    session.receive_text('{"event_id": "event_2", "type": "session.update", "session": {}}')
    assert [e["type"] for e in session.events_to_send()] == ["session.updated"]
    assert not session.finished
