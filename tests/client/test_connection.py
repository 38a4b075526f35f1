"""client.RealtimeClient against the mock (through the pytest plugin, as a user would)."""

from __future__ import annotations

import pytest

from dashscope_realtime_mock import Behaviour
from dashscope_realtime_mock.client import (
    ConnectionClosed,
    Event,
    HandshakeError,
    RealtimeClient,
    RealtimeClientError,
    RealtimeError,
)

pytestmark = pytest.mark.asyncio
ASR = "qwen3-asr-flash-realtime"
OMNI = "qwen3-omni-flash-realtime"


async def test_context_manager_connects_and_tracks_the_session(realtime_client):
    """session_id comes from session.created; events are dicts with helpers."""
    async with realtime_client(ASR) as rt:
        created = await rt.recv(timeout=10)
        assert created.type == "session.created" and created["session"]["id"] == rt.session_id


async def test_missing_key_is_refused_before_connecting(realtime_mock, monkeypatch):
    """No api_key= and no DASHSCOPE_API_KEY: a HandshakeError that says so, without a request."""
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    with pytest.raises(HandshakeError) as refused:
        await RealtimeClient(ASR, url=realtime_mock.url).connect()
    assert str(refused.value) == (
        "no API key: pass api_key= (--api-key to python -m client) or set DASHSCOPE_API_KEY; "
        "the mock accepts any non-empty key"
    )


@pytest.mark.realtime_mock(api_key="the-right-key")
async def test_wrong_key_gets_401_invalid_api_key(realtime_mock):
    """A wrong key: HTTP 401, code InvalidApiKey, the server's message and request id."""
    with pytest.raises(HandshakeError) as caught:
        await RealtimeClient(ASR, url=realtime_mock.url, api_key="wrong").connect()
    assert (caught.value.status, caught.value.code) == (401, "InvalidApiKey")
    assert caught.value.message == "Invalid API-key provided." and caught.value.request_id


async def test_error_events_raise_in_wait_for(realtime_client):
    """An error event met while waiting raises RealtimeError with the documented fields."""
    async with realtime_client(OMNI) as rt:
        await rt.cancel_response()
        with pytest.raises(RealtimeError) as caught:
            await rt.wait_for("response.done", timeout=10)
    assert (
        caught.value.code == "response_cancel_not_active"
        and caught.value.type == "invalid_request_error"
    )


async def test_iteration_ends_at_session_finished_and_callbacks_see_everything(
    realtime_client, speech_en
):
    """`async for` stops after session.finished; on_event saw the same events; delays measured."""
    seen: list[Event] = []
    async with realtime_client(OMNI) as rt:
        rt.on_event(seen.append)
        await rt.update_session(turn_detection=None, modalities=["text", "audio"])
        for chunk in speech_en.chunks(100, end_ms=speech_en.gap_middle_ms):
            await rt.append_audio(chunk)
        await rt.commit()
        await rt.create_response(modalities=["text", "audio"])
        await rt.send({"type": "session.finish"})
        events = [event async for event in rt]
    assert events[-1].type == "session.finished" and seen == rt.events
    assert (
        rt.last_response_id
        and rt.first_text_delay_ms is not None
        and rt.first_audio_delay_ms is not None
    )


async def test_recv_after_the_server_closed_raises_connection_closed(realtime_client):
    """Once the server has closed, recv raises ConnectionClosed with the close code."""
    async with realtime_client(ASR) as rt:
        await rt.end_session(timeout=10)
        await rt.close()
        with pytest.raises(ConnectionClosed):
            while True:
                await rt.recv(timeout=10)


async def test_strict_client_rejects_an_event_that_breaks_its_schema(realtime_client, monkeypatch):
    """strict=True: a server event that breaks its schema raises instead of being handed over."""
    async with realtime_client(ASR) as rt:
        with pytest.raises(ValueError, match="strict"):
            rt._received(
                type(await rt.recv(timeout=10))({"event_id": "e", "type": "response.text.delta"})
            )


async def test_typed_session_parameters_reach_the_server(realtime_client):
    """update_session's typed parameters (sampling, tools, VAD off) come back in session.updated."""
    tools = [{"type": "function", "function": {"name": "lookup"}}]
    async with realtime_client(OMNI) as rt:
        await rt.update_session(
            voice="Ethan",
            turn_detection=None,
            tools=tools,
            temperature=0.5,
            top_p=0.9,
            top_k=10,
            max_tokens=100,
            repetition_penalty=1.1,
            presence_penalty=0.5,
            seed=7,
            smooth_output=False,
            instructions="Be brief.",
        )
        session = (await rt.wait_for_update(timeout=10))["session"]
    assert (session["voice"], session["turn_detection"], session["tools"]) == ("Ethan", None, tools)
    assert (
        session["temperature"],
        session["top_k"],
        session["seed"],
        session["smooth_output"],
    ) == (0.5, 10, 7, False)


# ---- wait_for_update: the answer to the client's own session.update (docs/protocol/events.md §1.6)


async def test_wait_for_update_passes_over_the_unprompted_session_updated(realtime_client):
    """An update sent at once: the defaults' session.updated comes first; the answer is returned."""
    async with realtime_client(OMNI) as rt:
        await rt.update_session(voice="Ethan", turn_detection=None)
        answer = await rt.wait_for_update(timeout=10)
    [unprompted] = [e for e in rt.events[: rt.events.index(answer)] if e.type == "session.updated"]
    assert unprompted["session"]["voice"] == "Cherry" and unprompted["session"]["turn_detection"]
    assert (answer["session"]["voice"], answer["session"]["turn_detection"]) == ("Ethan", None)


@pytest.mark.realtime_mock(behaviour=Behaviour(updated_on_connect=False))
async def test_wait_for_update_takes_the_first_answer_when_none_is_unprompted(realtime_client):
    """No session.updated on connect: the first session.updated is the answer."""
    async with realtime_client(OMNI) as rt:
        await rt.update_session(voice="Ethan")
        answer = await rt.wait_for_update(timeout=10)
    assert [e.type for e in rt.events] == ["session.created", "session.updated"]
    assert answer["session"]["voice"] == "Ethan"


async def test_wait_for_update_accepts_what_the_server_adds_to_a_setting(realtime_client):
    """A VAD setting the server completes with its defaults still counts as the answer."""
    async with realtime_client(OMNI) as rt:
        await rt.update_session(turn_detection={"type": "server_vad", "silence_duration_ms": 500})
        answer = await rt.wait_for_update(timeout=10)
    assert answer["session"]["turn_detection"]["silence_duration_ms"] == 500
    assert answer["session"]["turn_detection"]["threshold"] == 0.5


async def test_wait_for_update_accepts_a_setting_switched_off_and_left_out(realtime_client):
    """LiveTranslate leaves turn_detection out of the echo in manual mode: null sent, answer found."""
    async with realtime_client("qwen3-livetranslate-flash-realtime") as rt:
        await rt.update_session(turn_detection=None, translation_language="zh")
        answer = await rt.wait_for_update(timeout=10)
    assert "turn_detection" not in answer["session"]
    assert answer["session"]["translation"]["language"] == "zh"


async def test_wait_for_update_raises_the_refusal_of_the_update(realtime_client):
    """A refused update: the error answering it raises RealtimeError, naming the field."""
    async with realtime_client(OMNI) as rt:
        await rt.update_session(voice="Nobody")
        with pytest.raises(RealtimeError) as caught:
            await rt.wait_for_update(timeout=10)
    assert (caught.value.code, caught.value.param) == ("invalid_value", "session.voice")


async def test_wait_for_update_answers_a_raw_session_update_too(realtime_client):
    """A session.update sent with send() is the one waited for, like update_session's."""
    async with realtime_client(ASR) as rt:
        await rt.send({"type": "session.update", "session": {"turn_detection": None}})
        answer = await rt.wait_for_update(timeout=10)
    assert answer["session"]["turn_detection"] is None


async def test_wait_for_update_before_any_update_says_so(realtime_client):
    """No session.update sent: a RealtimeClientError that says so, instead of a wait."""
    async with realtime_client(ASR) as rt:
        with pytest.raises(RealtimeClientError, match=r"has sent no session\.update"):
            await rt.wait_for_update(timeout=10)
