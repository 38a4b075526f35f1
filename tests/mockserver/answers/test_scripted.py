"""Scripted answers (--answers): each family reports the scripted `heard` and answers the scripted `say`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashscope_realtime_mock.answers.corpus import CorpusResponder
from dashscope_realtime_mock.answers.responder import Transcript
from dashscope_realtime_mock.answers.rules import AnswerRule, ToolAnswer
from dashscope_realtime_mock.answers.scripted import ScriptedAnswers
from dashscope_realtime_mock.client import RealtimeClient
from dashscope_realtime_mock.media.speech import synthesize_speech
from dashscope_realtime_mock.testing import MockServer

HEARD = "Hola, buenos días."
SAY = "The mock says hello."
LT = "qwen3-livetranslate-flash-realtime"
ASR = "qwen3-asr-flash-realtime"
OMNI = "qwen3-omni-flash-realtime"
TRANSCRIBED = "conversation.item.input_audio_transcription.completed"


@pytest.fixture
def answers_file(tmp_path: Path) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"answers": [{"heard": HEARD, "say": SAY}]}), encoding="utf-8")
    return path


async def _stream(url: str, model: str, pcm, update: dict) -> list:
    async with RealtimeClient(model, url=url, api_key="k", strict=True) as rt:
        await rt.send({"type": "session.update", "session": update})
        step = 1600
        for start in range(0, len(pcm), step):
            await rt.append_audio(pcm[start : start + step].astype("<i2").tobytes())
        await rt.end_session(timeout=30)
    return rt.events


def _texts(events, kind: str) -> list[str]:
    return [e.text for e in events if e.type == kind]


@pytest.mark.asyncio
async def test_livetranslate_reports_the_scripted_source_and_translation(answers_file, speech_en):
    """LiveTranslate: the source transcript is `heard`, the translation `say`, spoken from `say`."""
    update = {"input_audio_transcription": {"model": "qwen3-asr-flash-realtime"}}
    update["translation"] = {"language": "en"}
    with MockServer(answers=answers_file) as server:
        events = await _stream(server.url, LT, speech_en.pcm, update)
    assert _texts(events, TRANSCRIBED) == [HEARD, HEARD]
    assert _texts(events, "response.audio_transcript.done") == [SAY, SAY]
    first = next(e for e in events if e.type == "response.done")["response"]["id"]
    voice = next(e for e in events if e.type == "session.updated")["session"]["voice"]
    deltas = [e for e in events if e.type == "response.audio.delta" and e["response_id"] == first]
    spoken = b"".join(e.audio for e in deltas)
    assert spoken == synthesize_speech(SAY, voice).astype("<i2").tobytes()


@pytest.mark.asyncio
async def test_asr_reports_the_scripted_transcript(answers_file, speech_en):
    """ASR: every utterance's transcript is `heard`."""
    with MockServer(answers=answers_file) as server:
        events = await _stream(server.url, ASR, speech_en.pcm, {})
    assert _texts(events, TRANSCRIBED) == [HEARD, HEARD]


@pytest.mark.asyncio
async def test_omni_reports_the_scripted_input_and_reply(answers_file, speech_en):
    """Omni: the input transcription is `heard`, the reply `say`."""
    update = {"input_audio_transcription": {"model": "gummy-realtime-v1"}}
    with MockServer(answers=answers_file) as server:
        events = await _stream(server.url, OMNI, speech_en.pcm, update)
    assert _texts(events, TRANSCRIBED) == [HEARD, HEARD]
    assert _texts(events, "response.audio_transcript.done") == [SAY, SAY]
