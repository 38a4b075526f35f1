"""When LiveTranslate starts translating (Behaviour.translation_start): qwen3.5 while the speaker
is still talking (G2, docs/protocol/sequences.md §1.2), qwen3 after speech_stopped (the G1 guide)."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from dashscope_realtime_mock.protocol.behaviour import Behaviour, Scoped, TranslationStart
from dashscope_realtime_mock.testing import MockServer
from dashscope_realtime_mock.transport.pacing import Pace
from tests.support import LIVETRANSLATE, LIVETRANSLATE_35, b64, new_session, stream, types


def _first(kinds: list[str], kind: str) -> int:
    return kinds.index(kind)


def test_qwen35_translates_before_speech_stopped(speech_en):
    """qwen3.5: the first translation response starts before the first speech_stopped."""
    kinds = types(stream(new_session(LIVETRANSLATE_35), speech_en))
    assert _first(kinds, "response.created") < _first(kinds, "input_audio_buffer.speech_stopped")


def test_qwen35_translates_each_sentence_said_in_full(speech_en):
    """qwen3.5: the translations together cover what was said (one response per sentence)."""
    s = new_session(LIVETRANSLATE_35)
    send_text = {"modalities": ["text"], "translation": {"language": "zh"}}
    s.receive_event({"type": "session.update", "session": send_text})
    events = stream(s, speech_en)
    done = [e for e in events if e["type"] == "response.text.done"]
    sentences = sum(
        t.count("。") + t.count("？") + t.count("！") for t in (e["text"] for e in done)
    )
    assert len(done) >= 2 and sentences == len(done)


def test_qwen3_translates_after_speech_stopped(speech_en):
    """qwen3: the response starts only after speech_stopped (one per utterance)."""
    kinds = types(stream(new_session(LIVETRANSLATE), speech_en))
    assert _first(kinds, "input_audio_buffer.speech_stopped") < _first(kinds, "response.created")
    assert kinds.count("response.created") == 2


def test_translation_start_after_speech_on_qwen35(speech_en):
    """translation_start=after_speech: qwen3.5 waits for speech_stopped too."""
    behaviour = Behaviour(translation_start=Scoped(TranslationStart.AFTER_SPEECH))
    kinds = types(stream(new_session(LIVETRANSLATE_35, behaviour=behaviour), speech_en))
    assert _first(kinds, "input_audio_buffer.speech_stopped") < _first(kinds, "response.created")


SPEED = 4  # the server paces 4x faster; the client streams at 4x real time to match


@pytest.mark.asyncio
async def test_a_monologue_streams_translated_audio_before_the_pause(speech_en):
    """Realtime pace: while the first utterance is still being spoken, translated audio arrives."""
    with MockServer(
        pace=Pace.REALTIME, speed=SPEED, first_text_latency_ms=50, first_audio_latency_ms=100
    ) as server:
        url = server.url_for(LIVETRANSLATE_35)
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(url, headers={"Authorization": "Bearer sk-test"}) as ws,
        ):
            kinds: list[str] = []

            async def read() -> None:
                async for message in ws:
                    kinds.append(json.loads(message.data)["type"])
                    if kinds[-1] == "input_audio_buffer.speech_stopped":
                        return

            reader = asyncio.create_task(read())
            for chunk in speech_en.chunks(100, end_ms=speech_en.segments[1]["start_ms"]):
                await ws.send_json({"type": "input_audio_buffer.append", "audio": b64(chunk)})
                await asyncio.sleep(0.1 / SPEED)
            await asyncio.wait_for(reader, 20)
    server.check()
    assert "response.audio.delta" in kinds  # before speech_stopped, which ended the reading
