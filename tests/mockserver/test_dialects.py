"""Every family speaks its own dialect (docs/protocol/events.md §5), in every mode the session core runs."""

from __future__ import annotations

import pytest

from tests.dialects import assert_dialect
from tests.support import (
    ASR,
    LIVETRANSLATE,
    LIVETRANSLATE_35,
    OMNI,
    OMNI_TURBO,
    QWEN_AUDIO,
    QWEN_AUDIO_FLASH,
    new_session,
    send,
    stream,
)

FAMILY = {
    LIVETRANSLATE: "livetranslate",
    LIVETRANSLATE_35: "livetranslate",
    ASR: "asr",
    OMNI: "omni",
    OMNI_TURBO: "omni",
}
FAMILY.update({QWEN_AUDIO: "qwen_audio", QWEN_AUDIO_FLASH: "qwen_audio"})
# docs/protocol/qwen-audio.md §5.7: Qwen-Audio has no session.finish; the client just closes.
WITHOUT_FINISH = {"qwen_audio"}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup",
            "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
        },
    }
]


def _session_events(model: str, speech, vad: bool, text_only: bool) -> list[dict]:
    s = new_session(model)
    update: dict = {} if vad else {"turn_detection": None}
    if text_only and model != ASR:
        update["modalities"] = ["text"]
    if model in (LIVETRANSLATE, LIVETRANSLATE_35):
        update["input_audio_transcription"] = {"model": "qwen3-asr-flash-realtime"}
    events = send(s, type="session.update", session=update)
    events += stream(s, speech, end_ms=speech.gap_middle_ms)
    if not vad:
        events += send(s, type="input_audio_buffer.commit")
        if FAMILY[model] in ("omni", "qwen_audio"):
            events += send(s, type="response.create")
    if FAMILY[model] not in WITHOUT_FINISH:
        events += send(s, type="session.finish")
    return events


@pytest.mark.parametrize("text_only", [False, True], ids=["text+audio", "text"])
@pytest.mark.parametrize("vad", [True, False], ids=["vad", "manual"])
@pytest.mark.parametrize("model", list(FAMILY))
def test_every_event_uses_the_family_dialect(speech_en, model, vad, text_only):
    """A whole session's events have the names and fields of the model's family."""
    events = _session_events(model, speech_en, vad, text_only)
    last = "response.done" if FAMILY[model] in WITHOUT_FINISH else "session.finished"
    assert events[-1]["type"] == last
    assert_dialect(FAMILY[model], events)


def test_omni_tool_calls_use_the_omni_dialect(speech_en):
    """Tool-call events exist only in Omni, with call_id and delta."""
    s = new_session(OMNI)
    events = send(s, type="session.update", session={"tools": TOOLS})
    events += stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    assert any(e["type"] == "response.function_call_arguments.delta" for e in events)
    assert_dialect("omni", events)


@pytest.mark.parametrize(
    ("family", "event"),
    [
        ("livetranslate", {"type": "response.text.delta", "delta": "x"}),
        ("omni", {"type": "response.audio_transcript.text", "text": "x", "stash": ""}),
        ("omni", {"type": "response.text.delta", "text": "x", "stash": ""}),
        ("asr", {"type": "response.created", "response": {}}),
        (
            "omni",
            {"type": "input_audio_buffer.committed", "previous_item_id": None, "item_id": "item_1"},
        ),
        (
            "omni",
            {
                "type": "conversation.item.input_audio_transcription.completed",
                "item_id": "i",
                "content_index": 0,
                "transcript": "x",
                "language": "en",
            },
        ),
        (
            "asr",
            {
                "type": "conversation.item.input_audio_transcription.delta",
                "item_id": "i",
                "content_index": 0,
                "text": "",
                "stash": "x",
                "language": "en",
                "emotion": "neutral",
                "obfuscation": "z",
            },
        ),
    ],
)
def test_the_dialect_check_rejects_another_familys_event(family, event):
    """The checker itself fails on an event of the wrong dialect."""
    with pytest.raises(AssertionError):
        assert_dialect(family, [{"event_id": "event_1", **event}])


def test_the_expected_dialect_table_covers_exactly_the_registered_families():
    """tests/dialects.py is an independent expectation per family; it covers every one served."""
    from dashscope_realtime_mock.families import families
    from tests.dialects import EVENT_TYPES

    assert set(EVENT_TYPES) == {family.name for family in families()}
