"""The recording proxy: record a session through it (the mock as upstream), then replay the recording."""

from __future__ import annotations

import asyncio
import base64
import json
import struct

import aiohttp
import numpy as np
import pytest

from dashscope_realtime_mock.client import RealtimeClient
from dashscope_realtime_mock.protocol.behaviour import Behaviour, Scoped, TranslationStart
from dashscope_realtime_mock.replay.capture import validate_lines
from dashscope_realtime_mock.replay.recording import Recording
from dashscope_realtime_mock.replay.store import load, load_library
from dashscope_realtime_mock.testing import MockServer
from dashscope_realtime_mock.transport.app import start_site
from dashscope_realtime_mock.transport.recorder import RecorderOptions, create_recorder_app

pytestmark = pytest.mark.asyncio
MODEL = "qwen3.5-livetranslate-flash-realtime"
SECRET = "sk-do-not-write-me-0123456789"
ID_FIELDS = {
    "event_id",
    "item_id",
    "response_id",
    "previous_item_id",
    "call_id",
    "conversation_id",
    "id",
    "obfuscation",
}


def _lanes(events: list[dict]) -> tuple[list, list]:
    """(events outside responses, each response's events), ids stripped: what must replay identically.

    How a response's events interleave with speech events of the next utterance depends on timing
    (the server sends both lanes as they come), so that interleaving is not compared.
    """
    responses: dict[str, list] = {}
    outside, owner = [], {}
    for event in events:
        kind = event["type"]
        response_id = event.get("response_id") or (event.get("response") or {}).get("id")
        if kind == "response.output_item.added":
            owner[event["item"]["id"]] = response_id
        if kind == "conversation.item.created":
            response_id = owner.get(
                event["item"]["id"]
            )  # an assistant item belongs to its response
        if response_id:
            responses.setdefault(response_id, []).append(_without_ids(event))
        else:
            outside.append(_without_ids(event))
    return outside, list(responses.values())


def _without_ids(value):
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k not in ID_FIELDS}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


async def _record(upstream: str, out, speech, headers=None):
    """One session through a recorder in front of `upstream`; returns the fixture directory written."""
    saved: list = []
    runner, port = await start_site(
        create_recorder_app(RecorderOptions(upstream, out, saved)), "127.0.0.1", 0
    )
    try:
        async with RealtimeClient(
            MODEL,
            url=f"ws://127.0.0.1:{port}/api-ws/v1/realtime",
            api_key=SECRET,
            strict=True,
            headers=headers,
        ) as rt:
            await rt.update_session(
                modalities=["text", "audio"],
                translation_language="zh",
                transcription_model="qwen3-asr-flash-realtime",
            )
            for chunk in speech.chunks(100):
                await rt.append_audio(chunk)
            await rt.end_session(timeout=30)
        for _ in range(100):
            if saved:
                return saved[0]
            await asyncio.sleep(0.05)
        raise AssertionError("the recorder wrote nothing")
    finally:
        await runner.cleanup()


# A recording replays its responses' content but not the moments they started at: translating
# while speaking (qwen3.5's default) would bill the replayed pieces differently.
AFTER_SPEECH = Behaviour(translation_start=Scoped(TranslationStart.AFTER_SPEECH))


@pytest.mark.realtime_mock(behaviour=AFTER_SPEECH)
async def test_record_then_replay_round_trips_without_the_key(realtime_mock, tmp_path, speech_en):
    """Record into DIR, serve DIR as it is, replay: same events (ids aside), no key written."""
    first = await _record(realtime_mock.url, tmp_path / "recorded", speech_en)
    for path in first.rglob("*"):
        assert SECRET.encode() not in path.read_bytes(), f"the API key leaked into {path}"
    recording = load(first)
    lines = (first / "session.jsonl").read_text(encoding="utf-8").splitlines()
    violations, checked, _ = validate_lines(lines)
    assert violations == [] and checked == len(recording.events)
    assert recording.header["provenance"] == "recorded-live" and len(recording.output_audio) > 24000

    # `serve --fixtures DIR` reads what `record --out DIR` wrote, as it is: no copying by hand
    with MockServer(fixtures=tmp_path / "recorded", behaviour=AFTER_SPEECH) as replay:
        second = await _record(
            replay.url,
            tmp_path / "replayed",
            speech_en,
            headers={"X-Mock-Scenario": recording.name},
        )
    replayed = load(second)
    client = [_without_ids(e["event"]) for e in recording.events if e["dir"] == "client"]
    assert [_without_ids(e["event"]) for e in replayed.events if e["dir"] == "client"] == client
    outside, responses = _lanes([e["event"] for e in recording.events if e["dir"] == "server"])
    assert len(responses) == 2 and len(outside) > 10
    assert _lanes([e["event"] for e in replayed.events if e["dir"] == "server"]) == (
        outside,
        responses,
    )
    assert np.array_equal(replayed.output_audio, recording.output_audio)
    assert np.array_equal(replayed.input_audio, recording.input_audio)


ANSWERS = ("session.created", "session.updated", "error")


async def _raw_session(upstream: str, out, frames: list[str], answers: int) -> tuple[int, str]:
    """Send `frames` through a recorder, wait for `answers` session.created/updated or error
    events (LiveTranslate sends created, then updated), close: the code and reason the client got."""
    runner, port = await start_site(
        create_recorder_app(RecorderOptions(upstream, out)), "127.0.0.1", 0
    )
    try:
        async with aiohttp.ClientSession() as http:
            url = f"ws://127.0.0.1:{port}/api-ws/v1/realtime?model={MODEL}"
            headers = {"Authorization": f"Bearer {SECRET}"}
            async with http.ws_connect(url, headers=headers, autoclose=False) as ws:
                for frame in frames:
                    await ws.send_str(frame)
                while answers:
                    message = await ws.receive(timeout=10)
                    answers -= json.loads(message.data)["type"] in ANSWERS
                await ws.send_frame(struct.pack("!H", 1000), aiohttp.WSMsgType.CLOSE)
                reply = await ws.receive(timeout=10)
                while reply.type == aiohttp.WSMsgType.TEXT:  # events sent before our close
                    reply = await ws.receive(timeout=10)
                assert reply.type == aiohttp.WSMsgType.CLOSE
                assert reply.extra is not None  # a close frame's reason ("" when none is given)
                return reply.data, reply.extra
    finally:
        await runner.cleanup()


def _update(**session) -> str:
    return json.dumps({"type": "session.update", "session": session})


def _append(speech) -> str:
    audio = base64.b64encode(b"".join(speech.chunks(100, 0, 500))).decode()
    return json.dumps({"type": "input_audio_buffer.append", "audio": audio})


@pytest.mark.parametrize(
    ("asked", "recorded"), [(8000, 8000), (0, 16000), ("x", 16000), (44100, 16000)]
)
async def test_the_recorded_input_rate_is_the_one_the_upstream_accepted(
    realtime_mock, tmp_path, speech_en, asked, recorded
):
    """A sample_rate the upstream refused never becomes the recording's input rate."""
    frames = [_update(sample_rate=asked), _append(speech_en)]
    code, _ = await _raw_session(realtime_mock.url, tmp_path, frames, 3)
    (fixture,) = load_library(tmp_path).values()
    assert code == 1000 and fixture.input_rate == recorded
    assert len(fixture.input_audio) == 8000


async def test_a_lone_surrogate_from_the_client_is_recorded(realtime_mock, tmp_path):
    """`{"type": "\\ud800"}` is answered with an error and kept in the recording as sent."""
    code, _ = await _raw_session(realtime_mock.url, tmp_path, ['{"type": "\\ud800"}'], 3)
    (fixture,) = load_library(tmp_path).values()
    sent = [e["event"] for e in fixture.events if e["dir"] == "client"]
    answer = [e["event"] for e in fixture.events if e["event"]["type"] == "error"]
    assert code == 1000 and sent == [{"type": "\ud800"}]
    assert answer[0]["error"]["type"] == "invalid_request_error"


async def test_a_recording_that_cannot_be_written_is_logged_and_answered(
    realtime_mock, tmp_path, caplog
):
    """An unwritable DIR: the client's close gets 1011 with the reason, and an ERROR is logged."""
    out = tmp_path / "a-file"
    out.write_text("not a folder")
    code, reason = await _raw_session(realtime_mock.url, out, [], 1)
    assert code == 1011 and reason.startswith("recording not saved: ")
    assert any(r.levelname == "ERROR" and "was not saved" in r.getMessage() for r in caplog.records)


async def test_a_fixture_the_loader_refuses_is_never_left_behind(
    realtime_mock, tmp_path, monkeypatch
):
    """A fixture that does not read back is not written; the client's close says why."""
    built = Recording.fixture

    def outside(self):  # a builder bug: the input WAV named outside the fixture's folder
        fixture = built(self)
        fixture.header["input"]["file"] = "../input.wav"
        return fixture

    monkeypatch.setattr(Recording, "fixture", outside)
    code, reason = await _raw_session(realtime_mock.url, tmp_path, [], 1)
    assert code == 1011 and "outside its fixture folder" in reason
    assert list(tmp_path.iterdir()) == []
