"""The transport's bounds over real sockets: connection cap, idle timeout, backpressure,
hang-ups, the access log, and a huge update that does not hold up another session."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from pathlib import Path

import aiohttp
import pytest

from dashscope_realtime_mock.protocol.behaviour import Behaviour
from dashscope_realtime_mock.transport.app import create_app, start_site
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.options import ServerOptions
from dashscope_realtime_mock.transport.pacing import Pace
from tests.mockserver.banner import read_banner, start_serve
from tests.support import ASR, OMNI, OUTCOME_DEADLINE_S, b64, eventually

AUTH = {"Authorization": "Bearer sk-test"}
SECOND_OF_AUDIO = b64(b"\x00\x10" * 16000)


@pytest.fixture
def serve(aiohttp_client):
    """Factory: the app with these options behind pytest-aiohttp's client."""

    async def start(**options):
        return await aiohttp_client(create_app(ServerOptions(**options)))

    return start


async def _events(ws, count: int) -> list[dict]:
    out = []
    for _ in range(count):
        message = await asyncio.wait_for(ws.receive(), 10)
        assert message.type == aiohttp.WSMsgType.TEXT, message
        out.append(json.loads(message.data))
    return out


async def _until(ws, kind: str) -> dict:
    while True:
        [event] = await _events(ws, 1)
        if event["type"] == kind:
            return event


@pytest.mark.asyncio
async def test_connection_cap_refuses_the_handshake_with_429_and_a_json_body(serve):
    """Over max_connections: HTTP 429, DashScope's JSON body with code Throttling."""
    client = await serve(max_connections=1)
    async with client.ws_connect(f"{REALTIME_PATH}?model={ASR}", headers=AUTH):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(f"{REALTIME_PATH}?model={ASR}", headers=AUTH)
        assert refused.value.status == 429
        response = await client.get(f"{REALTIME_PATH}?model={ASR}", headers=AUTH)
        body = await response.json()
        assert body["code"] == "Throttling" and "at most 1" in body["message"]


@pytest.mark.asyncio
async def test_connection_cap_frees_a_place_when_a_session_closes(serve):
    """A closed session no longer counts against max_connections."""
    client = await serve(max_connections=1)
    async with client.ws_connect(f"{REALTIME_PATH}?model={ASR}", headers=AUTH) as ws:
        await _events(ws, 2)
    end = time.monotonic() + OUTCOME_DEADLINE_S
    while True:  # the server notices the close a moment later: until then, 429
        try:
            ws = await client.ws_connect(f"{REALTIME_PATH}?model={ASR}", headers=AUTH)
            break
        except aiohttp.WSServerHandshakeError as refused:
            assert refused.status == 429 and time.monotonic() < end
            await asyncio.sleep(0.01)
    async with ws:
        assert (await _events(ws, 1))[0]["type"] == "session.created"


@pytest.mark.asyncio
async def test_idle_timeout_closes_a_silent_session_with_1000(serve):
    """idle_timeout_s: no client event for that long → close 1000, reason "idle timeout"."""
    client = await serve(idle_timeout_s=0.3)
    async with client.ws_connect(f"{REALTIME_PATH}?model={OMNI}", headers=AUTH) as ws:
        await _events(ws, 2)
        message = await asyncio.wait_for(ws.receive(), 10)
        assert message.type == aiohttp.WSMsgType.CLOSE
        assert (message.data, message.extra) == (1000, "idle timeout")


@pytest.mark.asyncio
async def test_idle_timeout_counts_from_the_last_client_frame(serve):
    """A client that keeps sending stays open past idle_timeout_s; once it stops, the close
    comes idle_timeout_s after its last frame."""
    client = await serve(idle_timeout_s=1.0)  # frames 0.1 s apart: a loaded machine has slack
    async with client.ws_connect(f"{REALTIME_PATH}?model={OMNI}", headers=AUTH) as ws:
        await _events(ws, 2)
        loop = asyncio.get_running_loop()
        for _ in range(8):  # 0.8 s of frames 0.1 s apart
            await ws.send_json({"type": "input_audio_buffer.clear"})
            last_frame = loop.time()
            await asyncio.sleep(0.1)
        while (message := await asyncio.wait_for(ws.receive(), 10)).type != aiohttp.WSMsgType.CLOSE:
            assert message.type == aiohttp.WSMsgType.TEXT  # answers to the frames, no close yet
        assert (message.data, message.extra) == (1000, "idle timeout")
        assert loop.time() - last_frame >= 1.0 - 0.05


@pytest.mark.asyncio
async def test_no_idle_timeout_by_default(serve):
    """By default a silent session stays open."""
    client = await serve()
    async with client.ws_connect(f"{REALTIME_PATH}?model={OMNI}", headers=AUTH) as ws:
        await _events(ws, 2)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(ws.receive(), 0.5)


@pytest.mark.asyncio
async def test_flood_without_commit_is_refused_and_the_session_goes_on(serve):
    """Omni manual mode: appends past audio_buffer_cap_ms get an error naming audio; commit works."""
    behaviour = Behaviour(audio_buffer_cap_ms=5000)
    client = await serve(behaviour=behaviour)
    async with client.ws_connect(f"{REALTIME_PATH}?model={OMNI}", headers=AUTH) as ws:
        await _events(ws, 2)
        await ws.send_json({"type": "session.update", "session": {"turn_detection": None}})
        await _until(ws, "session.updated")
        for _ in range(8):
            await ws.send_json({"type": "input_audio_buffer.append", "audio": SECOND_OF_AUDIO})
        errors = [await _until(ws, "error") for _ in range(3)]
        assert {(e["error"]["type"], e["error"]["param"]) for e in errors} == {
            ("invalid_request_error", "audio")
        }
        await ws.send_json({"type": "input_audio_buffer.commit"})
        assert (await _until(ws, "input_audio_buffer.committed"))["item_id"]


@pytest.mark.asyncio
async def test_a_client_that_does_not_read_is_closed_with_1008():
    """A client that stops reading stops being read, then gets close 1008 once it reads again."""
    options = ServerOptions(max_unsent_events=4, slow_reader_close_s=0.5)
    runner, port = await start_site(create_app(options), "127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(
                f"http://127.0.0.1:{port}{REALTIME_PATH}?model={OMNI}", headers=AUTH
            )
            await ws.send_json({"type": "session.update", "session": {"turn_detection": None}})
            sent = 0
            started = time.monotonic()
            with pytest.raises((ConnectionError, asyncio.TimeoutError)):
                while time.monotonic() - started < 20:
                    for kind in ("input_audio_buffer.append", "input_audio_buffer.commit"):
                        event = {"type": kind, "audio": SECOND_OF_AUDIO}
                        await asyncio.wait_for(ws.send_json(event), 2)
                    await asyncio.wait_for(ws.send_json({"type": "response.create"}), 2)
                    sent += 1
            assert sent < 1000  # the server stopped reading long before the flood ended
            while (
                message := await asyncio.wait_for(ws.receive(), 10)
            ).type == aiohttp.WSMsgType.TEXT:
                pass
            assert message.type == aiohttp.WSMsgType.CLOSE and message.data == 1008
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_a_client_hanging_up_mid_response_logs_one_info_line(caplog):
    """A hang-up mid-response: an INFO line, no ERROR and no traceback."""
    runner, port = await start_site(create_app(ServerOptions(pace=Pace.REALTIME)), "127.0.0.1", 0)
    try:
        with caplog.at_level(logging.INFO, logger="mockserver"):
            async with aiohttp.ClientSession() as http:
                ws = await http.ws_connect(
                    f"http://127.0.0.1:{port}{REALTIME_PATH}?model={OMNI}", headers=AUTH
                )
                await ws.send_json({"type": "session.update", "session": {"turn_detection": None}})
                await ws.send_json({"type": "input_audio_buffer.append", "audio": SECOND_OF_AUDIO})
                await ws.send_json({"type": "input_audio_buffer.commit"})
                await ws.send_json({"type": "response.create"})
                await _until(ws, "response.created")
                connection = ws._response.connection
                assert connection is not None and connection.transport is not None
                connection.transport.abort()
                connection.close()  # the aborted connection goes back now, not to the gc later
            await eventually(lambda: any(_closed(r) for r in caplog.records))
    finally:
        await runner.cleanup()
    # The loop watchdog (mockserver.loop) reports how long steps of this whole process took,
    # the test's own included: a fact about the machine's load, not about the hang-up.
    served = [r for r in caplog.records if r.name != "mockserver.loop"]
    assert not [r for r in served if r.levelno >= logging.WARNING]
    assert all(r.exc_info is None for r in caplog.records)
    assert any(_closed(r) for r in caplog.records)


def _closed(record: logging.LogRecord) -> bool:
    """The server's line for a session it has closed."""
    return record.getMessage().endswith("closed")


@pytest.mark.asyncio
async def test_a_key_in_the_query_string_is_redacted_from_the_access_log(caplog):
    """?api_key=... shows as *** in the access log."""
    runner, port = await start_site(create_app(ServerOptions()), "127.0.0.1", 0)
    try:
        with caplog.at_level(logging.INFO, logger="aiohttp.access"):
            async with aiohttp.ClientSession() as http:
                url = f"http://127.0.0.1:{port}{REALTIME_PATH}?model={ASR}&api_key=sk-secret-1"
                async with http.get(url):
                    pass
    finally:
        await runner.cleanup()
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert lines and all("sk-secret-1" not in line for line in lines)
    assert any("api_key=***" in line for line in lines)


@pytest.mark.asyncio
async def test_a_session_opens_with_one_line_and_no_access_line(caplog):
    """A WebSocket session: one INFO line names it, its model, the client and who answers;
    aiohttp's access log has no line for the upgrade (the session's lines stand for it)."""
    runner, port = await start_site(create_app(ServerOptions()), "127.0.0.1", 0)
    try:
        with caplog.at_level(logging.INFO):
            async with (
                aiohttp.ClientSession(headers={"User-Agent": "test-client/1.0"}) as http,
                http.ws_connect(
                    f"ws://127.0.0.1:{port}{REALTIME_PATH}?model={ASR}", headers=AUTH
                ) as ws,
            ):
                await ws.receive_json()
            await eventually(lambda: any(_closed(r) for r in caplog.records))
    finally:
        await runner.cleanup()
    opened = [r.getMessage() for r in caplog.records if " opened for model " in r.getMessage()]
    assert len(opened) == 1
    assert re.fullmatch(
        rf"session sess_\w+ opened for model {ASR} \(test-client/1\.0\): "
        r"the built-in responder answers: .+",
        opened[0],
    )
    assert not [r for r in caplog.records if r.name == "aiohttp.access"]


@pytest.mark.asyncio
async def test_a_huge_update_does_not_hold_up_another_session(serve):
    """100k tools (14 MiB) on one session: another session's answer comes before its own."""
    client = await serve()
    tools = [{"type": "function", "name": f"tool_{i}", "parameters": {}} for i in range(100_000)]
    huge = json.dumps({"type": "session.update", "session": {"tools": tools}})
    async with (
        client.ws_connect(f"{REALTIME_PATH}?model={OMNI}", headers=AUTH) as big,
        client.ws_connect(f"{REALTIME_PATH}?model={OMNI}", headers=AUTH) as other,
    ):
        await _events(big, 2)
        await _events(other, 2)
        await big.send_str(huge)
        refused = asyncio.create_task(_until(big, "error"))
        await other.send_json({"type": "session.update", "session": {"voice": "Ethan"}})
        await _until(other, "session.updated")
        assert not refused.done()  # answered while the huge update is still being read
        assert (await refused)["error"]["type"] == "invalid_request_error"


@pytest.mark.asyncio
async def test_a_closed_session_is_freed_without_the_cycle_collector():
    """After a session with a response closes, no Session object is left for gc to find."""
    import gc

    from dashscope_realtime_mock.session.base import Session

    runner, port = await start_site(create_app(ServerOptions()), "127.0.0.1", 0)
    gc.collect()
    gc.disable()
    try:
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(
                f"http://127.0.0.1:{port}{REALTIME_PATH}?model={OMNI}", headers=AUTH
            )
            session_id = (await _events(ws, 1))[0]["session"]["id"]
            await ws.send_json({"type": "session.update", "session": {"turn_detection": None}})
            await ws.send_json({"type": "input_audio_buffer.append", "audio": SECOND_OF_AUDIO})
            await ws.send_json({"type": "input_audio_buffer.commit"})
            await ws.send_json({"type": "response.create"})
            await _until(ws, "response.done")
            await ws.close()
        await eventually(
            lambda: (
                not [o for o in gc.get_objects() if isinstance(o, Session) and o.id == session_id]
            )
        )
    finally:
        gc.enable()
        await runner.cleanup()


async def _errors(ws, count: int) -> list[dict]:
    return [await _until(ws, "error") for _ in range(count)]


def _rss_mib(pid: int, field: str = "VmRSS") -> float:
    """A process's resident memory (or its peak, VmHWM) from /proc, in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M)[1]) / 1024  # type: ignore[index]


@pytest.mark.asyncio
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
async def test_a_400_mib_flood_without_a_commit_is_refused_and_rss_stays_bounded():
    """`serve`: 400 MiB of manual-mode appends, never committed: past 60 s each append gets
    invalid_request_error naming audio, and the server's peak RSS grows by far less."""
    process = start_serve("--no-inspector")
    try:
        port = read_banner(process).port
        append = json.dumps({"type": "input_audio_buffer.append", "audio": b64(bytes(1 << 20))})
        appends = 400 * (1 << 20) // len(append)  # 300 appends of ~32.8 s each
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}{REALTIME_PATH}?model={OMNI}"
            async with http.ws_connect(url, headers=AUTH, max_msg_size=0) as ws:
                await ws.send_json({"type": "session.update", "session": {"turn_detection": None}})
                await _until(ws, "session.updated")
                await ws.send_str(append)  # the first append is taken: its paths are warm now
                before = _rss_mib(process.pid)
                errors = asyncio.create_task(_errors(ws, appends - 1))  # read as we send
                for _ in range(appends - 1):
                    await ws.send_str(append)
                refused = await asyncio.wait_for(errors, 60)
        growth = _rss_mib(process.pid, "VmHWM") - before
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()
    assert {(e["error"]["type"], e["error"]["param"]) for e in refused} == {
        ("invalid_request_error", "audio")
    }
    assert growth < 150, f"peak RSS grew {growth:.0f} MiB for 400 MiB of appends"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("sent", "answer"), [(5000, 1002), (65535, 1002), (4000, 1000), (1000, 1000)]
)
async def test_a_close_code_no_endpoint_may_send_is_answered_with_1002(serve, sent, answer):
    """RFC 6455 §7.4: a client's close code outside 1000-4999's sendable ones gets 1002 back."""
    client = await serve()
    async with client.ws_connect(f"{REALTIME_PATH}?model={OMNI}", headers=AUTH) as ws:
        await _events(ws, 2)
        await ws.close(code=sent)
        assert ws.close_code == answer


def test_a_close_frame_without_a_code_is_recorded_as_1005():
    """RFC 6455 §7.1.5: a client close that carries no status code is recorded as 1005, not 0."""
    import websocket

    from dashscope_realtime_mock.testing import MockServer

    with MockServer(inspect=True) as server:
        ws = websocket.create_connection(
            server.url_for(OMNI), header=["Authorization: Bearer sk-test"]
        )
        ws.send(b"", opcode=websocket.ABNF.OPCODE_CLOSE)  # a close frame with no payload
        while ws.recv_data(control_frame=True)[0] != websocket.ABNF.OPCODE_CLOSE:
            pass  # session.created and session.updated, then the server's answer to the close
        ws.shutdown()
        assert server.inspector is not None
        end = time.monotonic() + OUTCOME_DEADLINE_S
        while server.inspector.sessions()[0].live and time.monotonic() < end:
            time.sleep(0.01)  # the server notices the close a little later
        [record] = server.inspector.sessions()
    assert record.close_code == 1005
