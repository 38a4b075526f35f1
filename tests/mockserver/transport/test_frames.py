"""Frames are exactly json.dumps(event, ensure_ascii=False), the short cut included."""

from __future__ import annotations

import base64
import json
import os

from dashscope_realtime_mock.transport.frames import frame_of


def _same(event: dict) -> None:
    assert frame_of(event) == json.dumps(event, ensure_ascii=False)


def test_an_audio_delta_is_encoded_as_json_dumps_would():
    """A long base64 last field takes the short cut and gives the same text."""
    delta = base64.b64encode(os.urandom(9600)).decode()
    _same({"event_id": "event_1", "type": "response.audio.delta", "item_id": "é", "delta": delta})
    _same({"delta": delta})


def test_anything_else_goes_through_json_dumps():
    """Short, escaped, non-ASCII, non-string or non-last long fields are encoded as usual."""
    long_text = "a" * 5000
    for event in (
        {},
        {"type": "x", "text": "short"},
        {"type": "x", "text": long_text + '"quoted"\n'},
        {"type": "x", "text": long_text + "中文"},
        {"type": "x", "text": long_text + "\\"},
        {"type": "x", "n": 10**30},
        {"type": "x", "audio": long_text, "after": 1},
        {1: long_text},
    ):
        _same(event)
