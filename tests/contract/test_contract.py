"""What a client may rely on, per family and mode — the same tests against the mock or the live service.

Nothing here knows which one it talks to (`realtime_endpoint`, see conftest.py). Every received event is
validated against `schemas/` by the strict client; these tests add order, field presence, the
audio format of deltas and the documented errors.
"""

from __future__ import annotations

import numpy as np
import pytest

from dashscope_realtime_mock.client import RealtimeError
from tests.dialects import assert_dialect

pytestmark = pytest.mark.asyncio

LIVETRANSLATE = "qwen3-livetranslate-flash-realtime"
ASR = "qwen3-asr-flash-realtime"
OMNI = "qwen3-omni-flash-realtime"
# docs/protocol/omni-next.md §1
OMNI_NEXT = [
    "qwen3.5-omni-plus-realtime",
    "qwen3.5-omni-flash-realtime",
    "qwen3.8-omni-flash-realtime",
]
RESPONSE_BLOCK = [
    "response.created",
    "response.output_item.added",
    "conversation.item.created",
    "response.content_part.added",
    "response.content_part.done",
    "response.output_item.done",
    "response.done",
]
# qwen3 LiveTranslate follows its G1 pages: no conversation.item.created inside a response.
G1_RESPONSE_BLOCK = [kind for kind in RESPONSE_BLOCK if kind != "conversation.item.created"]


async def _say(rt, speech, end_ms=None) -> None:
    for chunk in speech.chunks(100, end_ms=end_ms):
        await rt.append_audio(chunk)
    await rt.append_audio(bytes(32000))  # a second of silence ends the utterance


def _kinds(events) -> list[str]:
    return [e.type for e in events]


def _in_order(kinds: list[str], expected: list[str]) -> bool:
    positions = [kinds.index(k) for k in expected]
    return positions == sorted(positions)


def _assert_pcm24k(events) -> None:
    audio = b"".join(e.audio for e in events if e.type == "response.audio.delta")
    assert audio and len(audio) % 2 == 0, "audio deltas are PCM16 (an even number of bytes)"
    assert np.abs(np.frombuffer(audio, "<i2")).max() > 0


@pytest.mark.parametrize("model", [LIVETRANSLATE, ASR, OMNI, *OMNI_NEXT])
async def test_the_first_event_is_session_created(open_client, model):
    """session.created comes first, with an id and the model asked for."""
    async with open_client(model) as rt:
        created = await rt.recv(timeout=15)
        assert created.type == "session.created"
        assert created["session"]["id"] and created["session"]["model"] == model


async def test_livetranslate_vad_translates_each_utterance(open_client, speech_en):
    """LiveTranslate VAD: speech events, the source transcript, then a translation with 24 kHz audio."""
    async with open_client(LIVETRANSLATE) as rt:
        await rt.update_session(
            modalities=["text", "audio"],
            translation_language="zh",
            transcription_model="qwen3-asr-flash-realtime",
        )
        await rt.wait_for_update()
        await _say(rt, speech_en, end_ms=speech_en.gap_middle_ms)
        await rt.wait_for("response.done", timeout=60)
        await rt.end_session(timeout=60)
    kinds = _kinds(rt.events)
    assert _in_order(
        kinds, ["input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped"]
    )
    assert _in_order(kinds, G1_RESPONSE_BLOCK)
    assert "response.audio_transcript.done" in kinds and kinds[-1] == "session.finished"
    assert_dialect("livetranslate", rt.events)
    _assert_pcm24k(rt.events)


async def test_livetranslate_manual_commit_starts_the_translation(open_client, speech_en):
    """LiveTranslate manual mode: commit → committed → a response that starts by itself."""
    async with open_client(LIVETRANSLATE) as rt:
        await rt.update_session(modalities=["text"], turn_detection=None, translation_language="zh")
        await rt.wait_for_update()
        await _say(rt, speech_en, end_ms=speech_en.gap_middle_ms)
        await rt.commit()
        await rt.wait_for("input_audio_buffer.committed")
        done = await rt.wait_for("response.done", timeout=60)
        assert done["response"]["status"] == "completed"
        assert "response.text.done" in _kinds(rt.events)


@pytest.mark.parametrize("vad", [True, False], ids=["vad", "manual"])
async def test_asr_transcribes(open_client, speech_en, vad):
    """ASR: committed (previous_item_id, item_id) → item → .text → .completed, then session.finished."""
    async with open_client(ASR) as rt:
        await rt.update_session(
            transcription_language="en", **({} if vad else {"turn_detection": None})
        )
        await rt.wait_for_update()
        await _say(rt, speech_en, end_ms=speech_en.gap_middle_ms)
        if not vad:
            await rt.commit()
        completed = await rt.wait_for(
            "conversation.item.input_audio_transcription.completed", timeout=60
        )
        await rt.end_session(timeout=60)
    assert completed["transcript"]
    kinds = _kinds(rt.events)
    assert _in_order(
        kinds,
        [
            "input_audio_buffer.committed",
            "conversation.item.created",
            "conversation.item.input_audio_transcription.completed",
            "session.finished",
        ],
    )
    assert ("input_audio_buffer.speech_started" in kinds) == vad
    assert_dialect("asr", rt.events)


@pytest.mark.parametrize("model", [OMNI, *OMNI_NEXT])
async def test_omni_manual_turn_is_answered_on_response_create(open_client, speech_en, model):
    """Omni manual mode: commit makes the user item; response.create brings the answer, with audio."""
    async with open_client(model) as rt:
        await rt.update_session(modalities=["text", "audio"], turn_detection=None)
        await rt.wait_for_update()
        await _say(rt, speech_en, end_ms=speech_en.gap_middle_ms)
        await rt.commit()
        await rt.wait_for("input_audio_buffer.committed")
        await rt.create_response()
        done = await rt.wait_for("response.done", timeout=60)
    assert done["response"]["status"] == "completed"
    events = rt.events
    deltas = "".join(e.text for e in events if e.type == "response.audio_transcript.delta")
    [final] = [e.text for e in events if e.type == "response.audio_transcript.done"]
    assert deltas == final
    assert_dialect("omni", events)
    _assert_pcm24k(events)


@pytest.mark.parametrize(
    ("model", "event"),
    [
        (OMNI, {"type": "input_audio_buffer.commit"}),
        (OMNI, {"type": "response.cancel"}),
        (LIVETRANSLATE, {"type": "session.update", "session": {"modalities": ["audio"]}}),
    ],
)
async def test_documented_bad_requests_get_an_error_and_the_session_goes_on(
    open_client, model, event
):
    """Empty commit, cancel with nothing to cancel, audio-only modalities: invalid_request_error."""
    async with open_client(model) as rt:
        if event["type"] == "input_audio_buffer.commit":
            await rt.update_session(turn_detection=None)
            await rt.wait_for_update()
        await rt.send(event)
        with pytest.raises(RealtimeError) as caught:
            await rt.wait_for("never.sent", timeout=15)
        assert caught.value.type == "invalid_request_error"
        await rt.update_session()
        await rt.wait_for_update(timeout=15)


async def test_a_client_that_updates_at_once_streams_under_its_own_config(open_client, speech_en):
    """Omni: update straight after connecting, wait for the session.updated that echoes it (not
    the defaults'), then stream: manual mode is in force, so no speech event, and commit works."""
    async with open_client(OMNI) as rt:
        await rt.update_session(modalities=["text"], voice="Ethan", turn_detection=None)
        await rt.wait_for_update(timeout=15)
        await _say(rt, speech_en, end_ms=speech_en.gap_middle_ms)
        await rt.commit()
        committed = await rt.wait_for("input_audio_buffer.committed")
    before_commit = _kinds(rt.events)[: rt.events.index(committed)]
    assert "input_audio_buffer.speech_started" not in before_commit
    assert before_commit[0] == "session.created"


@pytest.mark.parametrize("model", OMNI_NEXT)
async def test_next_omni_refuses_a_bare_response_create(open_client, model):
    """docs/protocol/omni-next.md §6.2: response.create before any user message is refused."""
    async with open_client(model) as rt:
        await rt.create_response()
        with pytest.raises(RealtimeError) as caught:
            await rt.wait_for("response.created", timeout=15)
        assert caught.value.code == "InvalidParameter"


@pytest.mark.parametrize("model", OMNI_NEXT)
async def test_next_omni_answers_session_finish_with_an_error(open_client, model):
    """docs/protocol/omni-next.md §6.1: session.finish is not an event of these models."""
    async with open_client(model) as rt:
        await rt.send({"type": "session.finish"})
        with pytest.raises(RealtimeError) as caught:
            await rt.wait_for("session.finished", timeout=15)
        assert caught.value.type == "invalid_request_error"
        await rt.update_session()
        await rt.wait_for_update(timeout=15)
