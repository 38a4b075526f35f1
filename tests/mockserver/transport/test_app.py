"""The aiohttp layer over real sockets: handshake errors, frames, pacing and closing."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from dashscope_realtime_mock import __version__
from dashscope_realtime_mock.protocol.behaviour import Behaviour
from dashscope_realtime_mock.transport.app import create_app
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.options import ServerOptions
from dashscope_realtime_mock.transport.pacing import Pace
from tests.support import ASR, LIVETRANSLATE, OMNI, OMNI_TURBO, b64

AUTH = {"Authorization": "Bearer sk-test"}


@pytest.fixture
def serve(aiohttp_client):
    """Factory: the app with these options (strict by default) behind pytest-aiohttp's client."""

    async def start(**options):
        options.setdefault("strict", True)
        return await aiohttp_client(create_app(ServerOptions(**options)))

    return start


async def _receive(ws) -> dict:
    message = await asyncio.wait_for(ws.receive(), 10)
    assert message.type == aiohttp.WSMsgType.TEXT, message
    return json.loads(message.data)


async def _connected(ws) -> dict:
    """The connect events: session.created, then the unprompted session.updated; the first."""
    created, updated = await _receive(ws), await _receive(ws)
    assert (created["type"], updated["type"]) == ("session.created", "session.updated")
    return created


@pytest.mark.asyncio
async def test_healthz_reports_version_and_models(serve):
    """GET /healthz: 200 with the version and the supported model ids."""
    client = await serve()
    response = await client.get("/healthz")
    body = await response.json()
    assert response.status == 200
    assert body["version"] == __version__
    assert (
        LIVETRANSLATE in body["models"]
        and "qwen3-livetranslate-flash-realtime-2025-09-22" in body["models"]
    )


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer wrong"},
    ],
)
async def test_bad_key_fails_the_handshake_with_401(serve, headers):
    """Missing/invalid key → HTTP 401, DashScope JSON body, x-request-id header; no WebSocket."""
    client = await serve(api_key="right")
    with pytest.raises(aiohttp.WSServerHandshakeError) as failure:
        await client.ws_connect(f"{REALTIME_PATH}?model={LIVETRANSLATE}", headers=headers)
    assert failure.value.status == 401
    response = await client.get(f"{REALTIME_PATH}?model={LIVETRANSLATE}", headers=headers)
    body = await response.json()
    assert body["code"] == "InvalidApiKey" and body["message"] == "Invalid API-key provided."
    assert response.headers["x-request-id"] == body["request_id"]


@pytest.mark.asyncio
async def test_configured_key_is_accepted(serve):
    """With --api-key, exactly that key opens a session."""
    client = await serve(api_key="right")
    async with client.ws_connect(
        f"{REALTIME_PATH}?model={LIVETRANSLATE}", headers={"Authorization": "Bearer right"}
    ) as ws:
        await _connected(ws)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "query,status,code",
    [("", 400, "InvalidParameter"), ("?model=gpt-4o-realtime", 404, "ModelNotFound")],
)
async def test_missing_or_unknown_model_fails_the_handshake(serve, query, status, code):
    """No model / an unsupported model → a DashScope-style JSON error at the handshake."""
    client = await serve()
    response = await client.get(REALTIME_PATH + query, headers=AUTH)
    assert response.status == status
    assert (await response.json())["code"] == code


@pytest.mark.asyncio
async def test_missing_model_names_the_url_to_use(serve):
    """No ?model=: the 400 body's message gives the URL shape with this server's host."""
    client = await serve()
    response = await client.get(REALTIME_PATH, headers=AUTH)
    message = (await response.json())["message"]
    assert message == (
        "Missing required query parameter: 'model'. "
        f"Connect to ws://{client.host}:{client.port}{REALTIME_PATH}?model=<model>."
    )


@pytest.mark.asyncio
async def test_a_doubled_query_string_is_refused_naming_the_legacy_url(serve):
    """?model=a?model=a (a url= that already had the query, pasted into the legacy SDK): 400 saying so."""
    client = await serve()
    response = await client.get(f"{REALTIME_PATH}?model={ASR}?model={ASR}", headers=AUTH)
    body = await response.json()
    assert response.status == 400 and body["code"] == "InvalidParameter"
    assert body["message"].startswith(f"The URL has two query strings (?model={ASR}?model={ASR}).")
    assert (
        f"url= takes ws://{client.host}:{client.port}{REALTIME_PATH} and adds ?model="
        in (body["message"])
    )


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/", "/api-ws/v1/realtime/", "/api-ws/v1/inference"])
async def test_a_wrong_path_answers_json_naming_the_realtime_url(serve, path):
    """Any other path: 404 with a DashScope-style body whose message is the realtime URL."""
    client = await serve()
    response = await client.get(f"{path}?model={ASR}", headers=AUTH)
    body = await response.json()
    assert response.status == 404 and body["code"] == "NotFound"
    assert body["message"] == (
        f"Nothing is served at {path}. The realtime endpoint is "
        f"ws://{client.host}:{client.port}{REALTIME_PATH}?model=<model>."
    )
    assert response.headers["x-request-id"] == body["request_id"]


@pytest.mark.asyncio
async def test_a_crash_before_the_upgrade_answers_500_naming_it(serve, monkeypatch):
    """An exception in the handshake: HTTP 500, JSON body naming the exception, no traceback."""
    from dashscope_realtime_mock.transport import answering

    def broken(request, model):
        raise LookupError("no responder")

    monkeypatch.setattr(answering, "choose_answering", broken)
    client = await serve()
    response = await client.get(f"{REALTIME_PATH}?model={ASR}", headers=AUTH)
    body = await response.json()
    assert response.status == 500 and body["code"] == "InternalError"
    assert body["message"] == "The mock server failed: LookupError: no responder"


@pytest.mark.asyncio
async def test_a_crash_in_the_send_task_closes_with_1011(serve, monkeypatch):
    """An exception while pacing an event (realtime pace, where the pacer is asked about every
    event): server_error, then close 1011 instead of hanging."""
    from dashscope_realtime_mock.transport.pacing import Pacer

    def broken(self, event):
        raise KeyError("event_id")

    monkeypatch.setattr(Pacer, "delay_before", broken)
    client = await serve(pace="realtime")
    async with client.ws_connect(f"{REALTIME_PATH}?model={ASR}", headers=AUTH) as ws:
        received = []
        while (message := await asyncio.wait_for(ws.receive(), 10)).type == aiohttp.WSMsgType.TEXT:
            received.append(json.loads(message.data))
        assert received[-1]["type"] == "error"
        assert received[-1]["error"]["type"] == "server_error"
        assert message.type == aiohttp.WSMsgType.CLOSE and message.data == 1011


@pytest.mark.asyncio
async def test_bad_frames_each_get_an_error_then_update_still_works(serve):
    """Not JSON, not an object, no type, unknown type, bad base64, binary: error each; then updated."""
    client = await serve()
    async with client.ws_connect(f"{REALTIME_PATH}?model={LIVETRANSLATE}", headers=AUTH) as ws:
        await _connected(ws)
        await ws.send_str("{oops")
        await ws.send_str('"just a string"')
        await ws.send_str('{"event_id": "e1"}')
        await ws.send_str('{"type": "conversation.item.truncate"}')
        await ws.send_str(json.dumps({"type": "input_audio_buffer.append", "audio": "%%%"}))
        await ws.send_bytes(b"\x00\x01\x02")
        codes = [(await _receive(ws))["error"]["code"] for _ in range(6)]
        assert codes == [
            "invalid_json",
            "invalid_event",
            "missing_required_parameter",
            "invalid_value",
            "invalid_value",
            "invalid_frame",
        ]
        await ws.send_str(json.dumps({"type": "session.update", "session": {"voice": "Ethan"}}))
        updated = await _receive(ws)
        assert updated["type"] == "session.updated" and updated["session"]["voice"] == "Ethan"


@pytest.mark.asyncio
async def test_server_closes_with_1000_after_finish_when_client_does_not(serve):
    """After session.finished the server waits for the client, then closes with 1000 itself."""
    client = await serve(finish_close_grace_s=0.2)
    async with client.ws_connect(f"{REALTIME_PATH}?model={LIVETRANSLATE}", headers=AUTH) as ws:
        await _connected(ws)
        await ws.send_str(json.dumps({"type": "session.finish"}))
        assert (await _receive(ws))["type"] == "session.finished"
        closing = await asyncio.wait_for(ws.receive(), 10)
        assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 1000


@pytest.mark.asyncio
async def test_realtime_pace_delivers_the_whole_response_in_order(serve, speech_en):
    """--pace realtime (short latencies) still sends every event of a response, in order."""
    client = await serve(pace="realtime", first_text_latency_ms=20, first_audio_latency_ms=30)
    async with client.ws_connect(f"{REALTIME_PATH}?model={LIVETRANSLATE}", headers=AUTH) as ws:
        await _connected(ws)
        for chunk in speech_en.chunks(100, end_ms=speech_en.segments[0]["end_ms"] + 1200):
            await ws.send_str(
                json.dumps({"type": "input_audio_buffer.append", "audio": b64(chunk)})
            )
        kinds: list[str] = []
        while not kinds or kinds[-1] != "response.done":
            kinds.append((await _receive(ws))["type"])
        assert kinds[0] == "input_audio_buffer.speech_started"
        assert (
            kinds.index("response.created")
            < kinds.index("response.audio.delta")
            < kinds.index("response.audio.done")
        )


@pytest.mark.asyncio
async def test_a_failure_inside_the_mock_becomes_server_error_and_close_1011(serve, monkeypatch):
    """An unexpected exception is reported as the documented server_error, then close 1011."""
    from dashscope_realtime_mock.session.base import Session

    def explode(self, frame):
        raise RuntimeError("boom")

    monkeypatch.setattr(Session, "receive_text", explode)
    client = await serve()
    async with client.ws_connect(f"{REALTIME_PATH}?model={LIVETRANSLATE}", headers=AUTH) as ws:
        await _connected(ws)
        await ws.send_str("{}")
        error = await _receive(ws)
        assert error["error"]["type"] == "server_error"
        closing = await asyncio.wait_for(ws.receive(), 10)
        assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 1011


@pytest.mark.asyncio
@pytest.mark.parametrize("model", [ASR, OMNI, OMNI_TURBO, "qwen3-omni-flash-realtime-2025-09-15"])
async def test_asr_and_omni_models_are_served(serve, model):
    """Every documented ASR and Omni model id opens a session that echoes it."""
    client = await serve()
    async with client.ws_connect(f"{REALTIME_PATH}?model={model}", headers=AUTH) as ws:
        created = await _connected(ws)
        assert created["session"]["model"] == model


@pytest.mark.asyncio
async def test_empty_commit_and_idle_cancel_are_errors_then_update_still_works(serve):
    """Omni over a socket: both documented bad requests get invalid_request_error; the session goes on."""
    client = await serve()
    async with client.ws_connect(f"{REALTIME_PATH}?model={OMNI}", headers=AUTH) as ws:
        await _connected(ws)
        await ws.send_json({"type": "session.update", "session": {"turn_detection": None}})
        assert (await _receive(ws))["type"] == "session.updated"
        for kind in ("input_audio_buffer.commit", "response.cancel"):
            await ws.send_json({"type": kind, "event_id": f"event_{kind}"})
            error = await _receive(ws)
            assert error["error"]["type"] == "invalid_request_error"
            assert error["error"]["event_id"] == f"event_{kind}"
        await ws.send_json({"type": "session.update", "session": {"voice": "Ethan"}})
        assert (await _receive(ws))["session"]["voice"] == "Ethan"


@pytest.mark.asyncio
async def test_session_cap_closes_the_connection(serve):
    """When the session cap passes, the server closes with the configured code."""
    client = await serve(behaviour=Behaviour(session_cap_s=0.3, cap_close_code=4000))
    async with client.ws_connect(f"{REALTIME_PATH}?model={OMNI}", headers=AUTH) as ws:
        await _connected(ws)
        closing = await asyncio.wait_for(ws.receive(), 10)
        assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 4000
        assert "duration limit" in closing.extra


@pytest.mark.asyncio
async def test_realtime_pace_sends_speech_events_while_a_translation_plays(serve, speech_en):
    """Paced: the second utterance's speech_started arrives before the first translation ends."""
    client = await serve(pace="realtime", first_text_latency_ms=0, first_audio_latency_ms=0)
    async with client.ws_connect(f"{REALTIME_PATH}?model={LIVETRANSLATE}", headers=AUTH) as ws:
        await _connected(ws)
        for chunk in speech_en.chunks(100):
            await ws.send_json({"type": "input_audio_buffer.append", "audio": b64(chunk)})
        kinds: list[str] = []
        while kinds.count("response.done") < 1:
            kinds.append((await _receive(ws))["type"])
        assert kinds.count("input_audio_buffer.speech_started") == 2


@pytest.mark.asyncio
async def test_strict_mode_turns_an_invalid_server_event_into_server_error_and_1011(
    serve, monkeypatch
):
    """Strict mode: an event that breaks its schema is never sent; server_error, then close 1011."""
    from dashscope_realtime_mock.families.omni import OmniSession

    monkeypatch.setattr(
        OmniSession,
        "_on_session_update",
        lambda self, event: self._emit("session.updated", session={"id": self.id}),
    )
    client = await serve()
    async with client.ws_connect(f"{REALTIME_PATH}?model={OMNI}", headers=AUTH) as ws:
        await _connected(ws)
        await ws.send_json({"type": "session.update", "session": {}})
        error = await _receive(ws)
        assert error["error"]["type"] == "server_error" and "strict" in error["error"]["message"]
        closing = await asyncio.wait_for(ws.receive(), 10)
        assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 1011


@pytest.mark.asyncio
async def test_a_closed_session_is_freed_without_the_cyclic_collector(serve, monkeypatch):
    """A session answered by fixture matching holds no reference cycle: once its connection
    closes, reference counting frees it (serve runs full collections only while idle)."""
    import gc
    import weakref

    from dashscope_realtime_mock.session.base import Session
    from tests.support import load_speech

    opened: list[weakref.ref] = []
    original_init = Session.__init__

    def remembered(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        opened.append(weakref.ref(self))

    monkeypatch.setattr(Session, "__init__", remembered)
    client = await serve(fixtures="builtin")
    pcm = load_speech("en_two_utterances").pcm[: 16000 * 3].tobytes()
    gc.collect()
    gc.disable()
    try:
        async with client.ws_connect(f"{REALTIME_PATH}?model={OMNI}", headers=AUTH) as ws:
            await _connected(ws)
            for i in range(0, len(pcm), 3200):
                await ws.send_str(
                    json.dumps(
                        {"type": "input_audio_buffer.append", "audio": b64(pcm[i : i + 3200])}
                    )
                )
            await ws.send_str(json.dumps({"type": "input_audio_buffer.commit"}))
        for _ in range(500):  # the server notices the close and its handler returns
            await asyncio.sleep(0.01)
            if opened and opened[0]() is None:
                break
        assert opened and opened[0]() is None
    finally:
        gc.enable()


def test_creating_the_app_loads_libopus_before_any_session():
    """Finding libopus runs `ldconfig -p`: done when the app is built, never in a session's step."""
    from dashscope_realtime_mock.media import opus

    opus._libopus.cache_clear()
    create_app()
    assert opus._libopus.cache_info().currsize == 1


@pytest.mark.asyncio
async def test_an_answer_that_fails_to_build_in_real_time_pace_ends_with_server_error(
    aiohttp_client, monkeypatch
):
    """Real-time pace builds an answer when it is first needed, perhaps while the next client
    frame is read: a failure there is still answered with server_error, then close 1011."""
    import dashscope_realtime_mock.session.base as session_module

    def broken(dialect, plan):
        raise RuntimeError("a bug while building an answer")

    monkeypatch.setattr(session_module, "ResponseStream", broken)
    await _expect_server_error_on_a_broken_build(aiohttp_client, then_update=True)


@pytest.mark.asyncio
async def test_an_answer_that_fails_to_build_in_its_turn_ends_with_server_error(
    aiohttp_client, monkeypatch
):
    """No later frame builds it first: the send task builds it in its turn (building.py) and
    the failure there is answered with server_error, then close 1011."""
    import dashscope_realtime_mock.session.base as session_module
    from dashscope_realtime_mock.transport.building import BuildQueue

    def broken(dialect, plan):
        raise RuntimeError("a bug while building an answer")

    turns = []
    build_in_turn = BuildQueue.build

    async def counted(self, needed, build):
        turns.append(needed())
        await build_in_turn(self, needed, build)

    monkeypatch.setattr(session_module, "ResponseStream", broken)
    monkeypatch.setattr(BuildQueue, "build", counted)
    await _expect_server_error_on_a_broken_build(aiohttp_client, then_update=False)
    assert turns == [True]


async def _expect_server_error_on_a_broken_build(aiohttp_client, then_update: bool) -> None:
    """A manual-mode Omni session asks for an answer (whose build fails): the client sees one
    server_error, then close 1011."""
    client = await aiohttp_client(create_app(ServerOptions(pace=Pace.REALTIME, speed=50)))
    ws = await client.ws_connect(
        f"{REALTIME_PATH}?model={OMNI}", headers={"Authorization": "Bearer k"}
    )
    await ws.send_json({"type": "session.update", "session": {"turn_detection": None}})
    await ws.send_str(json.dumps({"type": "response.create"}))
    if then_update:
        await ws.send_str(json.dumps({"type": "session.update", "session": {}}))
    errors = []
    while (message := await asyncio.wait_for(ws.receive(), 10)).type == aiohttp.WSMsgType.TEXT:
        event = json.loads(message.data)
        if event["type"] == "error":
            errors.append(event["error"]["type"])
    assert errors == ["server_error"]
    assert message.type == aiohttp.WSMsgType.CLOSE and message.data == 1011


@pytest.mark.asyncio
async def test_healthz_lists_the_qwen_audio_models(serve):
    """GET /healthz names every Qwen-Audio model (docs/protocol/qwen-audio.md §1)."""
    client = await serve()
    body = await (await client.get("/healthz")).json()
    assert {
        "qwen-audio-3.0-realtime-plus",
        "qwen-audio-3.0-realtime-flash",
        "qwen-audio-3.1-realtime-plus",
        "qwen-audio-3.1-realtime-flash",
    } <= set(body["models"])
