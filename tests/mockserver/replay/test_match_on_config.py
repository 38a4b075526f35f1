"""Replay matching weighs the session config that shaped the answers, not the audio alone."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from dashscope_realtime_mock.answers.corpus import CorpusResponder
from dashscope_realtime_mock.replay.responders import MatchingResponder
from dashscope_realtime_mock.replay.store import load_library
from tests.mockserver.banner import serving
from tests.mockserver.replay.test_replay import _client_update, _play, _recorded
from tests.support import LIVETRANSLATE, open_strict

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
LIBRARY = load_library(FIXTURES / "scenarios")
WITH_LIBRARY = pytest.mark.realtime_mock(fixtures=FIXTURES)
HOTWORDS, PLAIN = "livetranslate-hotwords", "livetranslate-vad-text-audio"


@WITH_LIBRARY
@pytest.mark.asyncio
async def test_the_hotword_config_replays_the_hotword_fixture(realtime_mock):
    """Streaming the shared audio with the hotword config replays livetranslate-hotwords ("ML")."""
    events = await _play(realtime_mock.url, LIBRARY[HOTWORDS], 100)
    texts = [e["text"] for e in events if e["type"] == "response.text.done"] or [
        e["transcript"] for e in events if e["type"] == "response.audio_transcript.done"
    ]
    assert texts == _recorded(LIBRARY[HOTWORDS], "response.audio_transcript.done")
    assert any("ML" in text for text in texts)


@WITH_LIBRARY
@pytest.mark.asyncio
async def test_the_captured_session_names_the_fixture_and_why(realtime_mock):
    """CapturedSession.replayed names the fixture; the reason gives the audio score and config."""
    await _play(realtime_mock.url, LIBRARY[PLAIN], 100)
    [captured] = realtime_mock.sessions.values()
    assert captured.replayed == PLAIN
    assert "similarity" in captured.replay_reason and "translation.corpus" in captured.replay_reason


@pytest.mark.asyncio
async def test_serve_match_on_sets_the_fields_that_pick_the_fixture():
    """`serve --match-on modalities`: the plain config no longer tells the two recordings of one
    audio apart, so the name order replays livetranslate-hotwords ("ML")."""
    with serving("--fixtures", str(FIXTURES), "--match-on", "modalities") as banner:
        events = await _play(banner.legacy_url, LIBRARY[PLAIN], 100)
    texts = [e["transcript"] for e in events if e["type"] == "response.audio_transcript.done"]
    assert texts == _recorded(LIBRARY[HOTWORDS], "response.audio_transcript.done")


def _matching(update: dict) -> MatchingResponder:
    responder = MatchingResponder(
        {n: f for n, f in LIBRARY.items() if n in (HOTWORDS, PLAIN)}, CorpusResponder()
    )
    session = open_strict(LIVETRANSLATE, responder=responder)
    session.receive_event({"type": "session.update", "session": update})
    responder.observe_audio(LIBRARY[PLAIN].input_audio)
    responder.transcript(0, "en", 1000)
    return responder


def test_a_config_both_fixtures_agree_on_is_a_tie_broken_by_name():
    """Config fields that do not tell the fixtures apart: the name decides, and the reason says so."""
    responder = MatchingResponder(
        {n: f for n, f in LIBRARY.items() if n in (HOTWORDS, PLAIN)},
        CorpusResponder(),
        match_on=("modalities",),
    )
    open_strict(LIVETRANSLATE, responder=responder).receive_event(
        {"type": "session.update", "session": _client_update(LIBRARY[PLAIN])}
    )
    responder.observe_audio(LIBRARY[PLAIN].input_audio)
    responder.transcript(0, "en", 1000)
    assert responder.scenario == HOTWORDS
    assert f"tied with {PLAIN}, broken by name order" in responder.reason


def test_the_plain_config_replays_the_plain_fixture():
    """Without hotwords the same audio replays livetranslate-vad-text-audio."""
    assert _matching(_client_update(LIBRARY[PLAIN])).scenario == PLAIN


@WITH_LIBRARY
@pytest.mark.asyncio
async def test_the_choice_is_logged_at_info(realtime_mock, caplog):
    """The server logs, at INFO, which fixture a session replays and why."""
    with caplog.at_level(logging.INFO, logger="mockserver"):
        await _play(realtime_mock.url, LIBRARY[HOTWORDS], 100)
    assert any(
        f"replays fixture '{HOTWORDS}'" in r.getMessage() and "similarity" in r.getMessage()
        for r in caplog.records
    )


def test_transcription_on_is_refused_for_a_fixture_recorded_without_it():
    """Replaying a fixture with no source text, transcription on: a clear error, no invented text."""
    from dashscope_realtime_mock.replay.responders import ScriptedResponder

    responder = ScriptedResponder.from_fixture(LIBRARY[PLAIN], CorpusResponder())
    session = open_strict(LIVETRANSLATE, responder=responder)
    session.events_to_send()
    session.receive_event(
        {
            "type": "session.update",
            "session": {"input_audio_transcription": {"model": "qwen3-asr-flash-realtime"}},
        }
    )
    [error] = session.events_to_send()
    assert error["type"] == "error"
    assert "recorded without input_audio_transcription" in error["error"]["message"]
    assert not session.config["input_audio_transcription"]


def test_matching_skips_a_fixture_without_source_text_when_transcribing():
    """With transcription on, a fixture recorded without it is never the one matched."""
    update = dict(_client_update(LIBRARY[PLAIN]))
    update["input_audio_transcription"] = {"model": "qwen3-asr-flash-realtime"}
    responder = _matching(update)
    assert responder.scenario is None and "recorded without transcription" in responder.reason
