"""Each voice a session speaks in is warmed once, in a worker thread."""

from __future__ import annotations

import threading

import pytest

from dashscope_realtime_mock.media import speech
from dashscope_realtime_mock.transport import voices
from dashscope_realtime_mock.transport.app import create_app
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from tests.support import OMNI


@pytest.fixture
def cold():
    """No voice warmed yet, no burst cached, no warm-up under way."""
    voices._warming.submit(lambda: None).result(timeout=60)
    voices._pitches.clear()
    speech._burst.cache_clear()
    yield
    voices._pitches.clear()


def test_a_voice_is_warmed_off_the_calling_thread(cold, monkeypatch):
    threads: list[str] = []
    original = speech.warm_voice

    def warm_voice(voice: str) -> None:
        threads.append(threading.current_thread().name)
        original(voice)

    monkeypatch.setattr(voices, "warm_voice", warm_voice)
    job = voices.warm("Ethan")
    assert job is not None
    job.result(timeout=30)
    assert threads and threads[0] != threading.current_thread().name
    assert speech._burst.cache_info().currsize == speech.WARM_POSITIONS


def test_a_voice_of_a_pitch_already_warmed_is_not_warmed_again(cold):
    first = voices.warm("Ethan")
    assert first is not None
    first.result(timeout=30)
    assert voices.warm("Ethan") is None


def test_no_voice_nothing_to_warm(cold):
    assert voices.warm(None) is None
    assert voices.warm(3) is None


@pytest.mark.asyncio
async def test_a_session_that_changes_its_voice_gets_it_warmed(cold, aiohttp_client):
    client = await aiohttp_client(create_app())
    async with client.ws_connect(
        f"{REALTIME_PATH}?model={OMNI}", headers={"Authorization": "Bearer k"}
    ) as ws:
        await ws.receive_json()
        await ws.send_json({"type": "session.update", "session": {"voice": "Ethan"}})
        while (await ws.receive_json())["type"] != "session.updated":
            pass
    assert speech.voice_pitch("Ethan") in voices._pitches
