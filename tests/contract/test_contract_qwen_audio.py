"""What a Qwen-Audio client may rely on (docs/protocol/qwen-audio.md), against the mock or live.

Like test_contract.py, nothing here knows which one it talks to; the strict client validates
every event against the Qwen-Audio schemas. Sessions end by closing (there is no session.finish).
"""

from __future__ import annotations

import numpy as np
import pytest

from dashscope_realtime_mock.client import RealtimeError
from dashscope_realtime_mock.families import qwen_audio
from tests.dialects import assert_dialect

pytestmark = pytest.mark.asyncio

MODELS = [model.model_id for model in qwen_audio.FAMILY.models]
PLUS = "qwen-audio-3.0-realtime-plus"


async def _say(rt, speech) -> None:
    for chunk in speech.chunks(100, end_ms=speech.gap_middle_ms):
        await rt.append_audio(chunk)
    await rt.append_audio(bytes(32000))  # a second of silence ends the utterance


def _kinds(events) -> list[str]:
    return [e.type for e in events]


@pytest.mark.parametrize("model", MODELS)
async def test_session_created_shows_the_documented_defaults(open_client, model):
    """session.created first: the model, longanqian, fun-asr, server_vad."""
    async with open_client(model) as rt:
        created = await rt.recv(timeout=15)
    session = created["session"]
    assert created.type == "session.created" and session["model"] == model
    assert session["voice"] == "longanqian"
    assert session["input_audio_transcription"] == {"model": "fun-asr"}
    assert session["turn_detection"]["type"] == "server_vad"


@pytest.mark.parametrize("model", MODELS)
async def test_server_vad_turn_is_answered_with_24k_audio(open_client, speech_en, model):
    """server_vad: speech events, committed with previous_item_id, then a whole response."""
    async with open_client(model) as rt:
        await _say(rt, speech_en)
        done = await rt.wait_for("response.done", timeout=60)
    assert done["response"]["status"] == "completed"
    kinds = _kinds(rt.events)
    assert (
        kinds.index("input_audio_buffer.speech_started")
        < kinds.index("input_audio_buffer.speech_stopped")
        < kinds.index("input_audio_buffer.committed")
        < kinds.index("response.created")
    )
    committed = next(e for e in rt.events if e.type == "input_audio_buffer.committed")
    assert "previous_item_id" in committed
    audio = b"".join(e.audio for e in rt.events if e.type == "response.audio.delta")
    assert audio and np.abs(np.frombuffer(audio, "<i2")).max() > 0
    assert_dialect("qwen_audio", rt.events)


async def test_push_to_talk_answers_only_on_response_create(open_client, speech_en):
    """turn_detection null: commit → committed and the user item; response.create → response."""
    async with open_client(PLUS) as rt:
        await rt.update_session(turn_detection=None)
        await rt.wait_for_update()
        await _say(rt, speech_en)
        await rt.commit()
        await rt.wait_for("conversation.item.created")
        assert "response.created" not in _kinds(rt.events)
        await rt.send({"type": "response.create", "response": {"modalities": ["audio", "text"]}})
        done = await rt.wait_for("response.done", timeout=60)
    assert done["response"]["status"] == "completed"
    assert "input_audio_buffer.speech_started" not in _kinds(rt.events)


# The refusal needs a response still streaming when the client asks again, as live.
@pytest.mark.realtime_mock(pace="realtime", first_text_latency_ms=50, first_audio_latency_ms=100)
async def test_a_second_response_create_is_refused(open_client):
    """response.create while one is in progress: the documented invalid_value error."""
    async with open_client(PLUS) as rt:
        await rt.update_session(turn_detection=None)
        await rt.wait_for_update()
        item = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "Tell me a story."}],
        }
        await rt.create_item(item)
        await rt.wait_for("conversation.item.created")
        await rt.create_response()
        await rt.wait_for("response.created")
        await rt.create_response()
        with pytest.raises(RealtimeError) as caught:
            await rt.wait_for("never.sent", timeout=30)
    assert caught.value.code == "invalid_value" and caught.value.param == "response.create"
    assert caught.value.message == "Cannot create response while another response is in progress."


async def test_items_are_created_retrieved_and_deleted(open_client):
    """conversation.item.create → created; retrieve → retrieved; delete → deleted."""
    async with open_client(PLUS) as rt:
        item = {
            "id": "my_item_001",
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "Hello"}],
        }
        await rt.create_item(item)
        created = await rt.wait_for("conversation.item.created")
        await rt.send({"type": "conversation.item.retrieve", "item_id": "my_item_001"})
        retrieved = await rt.wait_for("conversation.item.retrieved")
        await rt.send({"type": "conversation.item.delete", "item_id": "my_item_001"})
        deleted = await rt.wait_for("conversation.item.deleted")
    assert created["item"]["id"] == retrieved["item"]["id"] == deleted["item_id"] == "my_item_001"
    assert retrieved["item"]["content"] == [{"type": "input_text", "text": "Hello"}]
