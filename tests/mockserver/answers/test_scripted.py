"""Scripted answers: `serve --answers FILE` makes each family report the scripted `heard` and answer
the scripted `say`; rules fit by model and turn; the same from Python."""

from __future__ import annotations

import base64
import itertools
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashscope_realtime_mock.answers.corpus import CorpusResponder
from dashscope_realtime_mock.answers.rules import AnswerRule, ToolAnswer
from dashscope_realtime_mock.answers.scripted import ScriptedAnswers
from dashscope_realtime_mock.client import RealtimeClient
from dashscope_realtime_mock.families import lookup, open_session
from dashscope_realtime_mock.media.speech import synthesize_speech
from dashscope_realtime_mock.replay.store import load_library
from tests.mockserver.banner import serving

HEARD = "Hola, buenos días."
SAY = "The mock says hello."
LT = "qwen3-livetranslate-flash-realtime"
ASR = "qwen3-asr-flash-realtime"
OMNI = "qwen3-omni-flash-realtime"
TRANSCRIBED = "conversation.item.input_audio_transcription.completed"


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    """`realtime-mock serve --answers FILE` in a subprocess, with one rule: heard HEARD, say SAY."""
    path = tmp_path_factory.mktemp("answers") / "answers.json"
    path.write_text(json.dumps({"answers": [{"heard": HEARD, "say": SAY}]}), encoding="utf-8")
    with serving("--answers", str(path)) as banner:
        yield f"ws://127.0.0.1:{banner.port}/api-ws/v1/realtime"


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
async def test_livetranslate_reports_the_scripted_source_and_translation(served, speech_en):
    """LiveTranslate: the source transcript is `heard`, the translation `say`, spoken from `say`."""
    update = {"input_audio_transcription": {"model": "qwen3-asr-flash-realtime"}}
    update["translation"] = {"language": "en"}
    events = await _stream(served, LT, speech_en.pcm, update)
    assert _texts(events, TRANSCRIBED) == [HEARD, HEARD]
    assert _texts(events, "response.audio_transcript.done") == [SAY, SAY]
    first = next(e for e in events if e.type == "response.done")["response"]["id"]
    voice = next(e for e in events if e.type == "session.updated")["session"]["voice"]
    deltas = [e for e in events if e.type == "response.audio.delta" and e["response_id"] == first]
    spoken = b"".join(e.audio for e in deltas)
    assert spoken == synthesize_speech(SAY, voice).astype("<i2").tobytes()


@pytest.mark.asyncio
async def test_asr_reports_the_scripted_transcript(served, speech_en):
    """ASR: every utterance's transcript is `heard`."""
    events = await _stream(served, ASR, speech_en.pcm, {})
    assert _texts(events, TRANSCRIBED) == [HEARD, HEARD]


@pytest.mark.asyncio
async def test_omni_reports_the_scripted_input_and_reply(served, speech_en):
    """Omni: the input transcription is `heard`, the reply `say`."""
    update = {"input_audio_transcription": {"model": "gummy-realtime-v1"}}
    events = await _stream(served, OMNI, speech_en.pcm, update)
    assert _texts(events, TRANSCRIBED) == [HEARD, HEARD]
    assert _texts(events, "response.audio_transcript.done") == [SAY, SAY]


# ---- the responder on its own: turns, models, tools ------------------------------------------

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather of a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


def _session(model: str, rules: tuple[AnswerRule, ...]):
    lookup_model = lookup(model)
    assert lookup_model is not None
    scripted = ScriptedAnswers(CorpusResponder(), rules, model, lookup_model.family.name)
    return open_session(lookup_model, responder=scripted), scripted


def _feed(session, pcm, update: dict) -> list[dict]:
    ids = (f"e{n}" for n in itertools.count())
    session.receive_event({"event_id": next(ids), "type": "session.update", "session": update})
    for start in range(0, len(pcm), 1600):
        chunk = base64.b64encode(pcm[start : start + 1600].astype("<i2").tobytes()).decode()
        session.receive_event(
            {"event_id": next(ids), "type": "input_audio_buffer.append", "audio": chunk}
        )
    return session.events_to_send()


def _of(events: list[dict], kind: str, key: str) -> list[str]:
    return [e[key] for e in events if e["type"] == kind]


def test_a_rule_for_turn_two_leaves_turn_one_to_the_usual_responder(speech_en):
    """turn=2: the first utterance gets the corpus transcript, the second the scripted one."""
    session, _ = _session(ASR, (AnswerRule(heard=HEARD, turn=2, number=1),))
    heard = _of(_feed(session, speech_en.pcm, {}), TRANSCRIBED, "transcript")
    assert len(heard) == 2 and heard[0] != HEARD and heard[1] == HEARD


def test_a_rule_for_another_family_does_not_apply(speech_en):
    """model='omni' leaves an ASR session's turns to the usual responder."""
    session, _ = _session(ASR, (AnswerRule(heard=HEARD, model="omni", number=1),))
    heard = _of(_feed(session, speech_en.pcm, {}), TRANSCRIBED, "transcript")
    assert heard and HEARD not in heard


def test_the_first_rule_that_fits_decides(speech_en):
    """Two rules fit turn 1: the first one's heard is reported, and it is noted for the inspector."""
    rules = (
        AnswerRule(heard="first", model=ASR, number=1),
        AnswerRule(heard="second", number=2),
    )
    session, scripted = _session(ASR, rules)
    heard = _of(_feed(session, speech_en.pcm, {}), TRANSCRIBED, "transcript")
    assert heard == ["first", "first"]
    assert [(turn, rule.number) for turn, rule in scripted.answered] == [(1, 1), (2, 1)]


def test_omni_calls_the_scripted_tool_then_says_the_answer(speech_en):
    """A rule with a tool: the turn's response is that call; after its output, `say`."""
    tool = ToolAnswer("get_weather", '{"city": "Paris"}')
    session, _ = _session(OMNI, (AnswerRule(say="Sunny in Paris.", tool=tool, number=1),))
    first = speech_en.pcm[: speech_en.segments[0]["end_ms"] * 16 + 16000]
    events = _feed(session, first, {"tools": [WEATHER], "modalities": ["text"]})
    call = next(e for e in events if e["type"] == "response.function_call_arguments.done")
    assert (call["name"], call["arguments"]) == ("get_weather", '{"city": "Paris"}')
    output = {"type": "function_call_output", "call_id": call["call_id"], "output": "sunny"}
    session.receive_event({"event_id": "o1", "type": "conversation.item.create", "item": output})
    session.receive_event({"event_id": "o2", "type": "response.create"})
    assert _of(session.events_to_send(), "response.text.done", "text") == ["Sunny in Paris."]


# ---- from Python: the marker, and changes between sessions ----------------------------------


@pytest.mark.realtime_mock(answers=[{"heard": HEARD, "model": "asr"}])
@pytest.mark.asyncio
async def test_the_realtime_mock_marker_takes_answers(realtime_mock, speech_en):
    """@pytest.mark.realtime_mock(answers=[...]) scripts the fixture's server."""
    events = await _stream(realtime_mock.url, ASR, speech_en.pcm, {})
    assert _texts(events, TRANSCRIBED) == [HEARD, HEARD]


@pytest.mark.asyncio
async def test_answers_change_between_sessions_without_a_restart(realtime_mock, speech_en):
    """answers.add() applies from the next session on; answers.clear() restores the usual answers."""
    realtime_mock.answers.add(heard="first")
    first = await _stream(realtime_mock.url, ASR, speech_en.pcm, {})
    realtime_mock.answers.clear()
    realtime_mock.answers.add(heard="second", turn=1)
    second = await _stream(realtime_mock.url, ASR, speech_en.pcm, {})
    realtime_mock.answers.clear()
    usual = await _stream(realtime_mock.url, ASR, speech_en.pcm, {})
    assert _texts(first, TRANSCRIBED) == ["first", "first"]
    assert _texts(second, TRANSCRIBED)[0] == "second"
    assert _texts(second, TRANSCRIBED)[1] != "second"
    assert not {"first", "second"} & set(_texts(usual, TRANSCRIBED))


def test_a_rule_for_a_model_the_server_does_not_serve_is_refused(realtime_mock):
    """answers.add(model=...) checks the model or family at once."""
    with pytest.raises(ValueError, match="'gpt-4o' is neither a served model nor a family"):
        realtime_mock.answers.add(say="x", model="gpt-4o")


@pytest.mark.asyncio
async def test_the_rule_that_answered_a_turn_is_logged(realtime_mock, speech_en, caplog):
    """INFO: which rule answered which turn, with what it made heard and said."""
    realtime_mock.answers.add(heard=HEARD, say=SAY, turn=2)
    with caplog.at_level(logging.INFO, logger="mockserver"):
        await _stream(realtime_mock.url, ASR, speech_en.pcm, {})
    lines = [r.getMessage() for r in caplog.records if "answered by rule" in r.getMessage()]
    assert len(lines) == 1
    assert lines[0].endswith(
        f"turn 2 answered by rule 1, heard {HEARD!r}, say {SAY!r} of the scripted answers"
    )


FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"


@pytest.mark.realtime_mock(fixtures=FIXTURES, answers=[{"heard": HEARD, "turn": 1}])
@pytest.mark.asyncio
async def test_a_replayed_fixture_answers_the_turns_no_rule_fits(realtime_mock):
    """Over a replay: turn 1 is the rule's, turn 2 the recording's second transcript (in step)."""
    fixture = load_library(FIXTURES / "scenarios")["asr-vad"]
    recorded = [
        line["event"]["transcript"]
        for line in fixture.events
        if line["dir"] == "server" and line["event"]["type"] == TRANSCRIBED
    ]
    update = next(
        line["event"]["session"]
        for line in fixture.events
        if line["dir"] == "client" and line["event"]["type"] == "session.update"
    )
    events = await _stream(realtime_mock.url, ASR, fixture.input_audio, update)
    assert _texts(events, TRANSCRIBED) == [HEARD, recorded[1]]
    [captured] = realtime_mock.sessions.values()
    assert captured.replayed == "asr-vad"
