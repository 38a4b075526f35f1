"""Fault specs are checked when built, and the faults the SDK cannot observe do what they say."""

from __future__ import annotations

import asyncio
import json
import shutil

import aiohttp
import pytest

from dashscope_realtime_mock import (
    Delay,
    DropEvent,
    FaultPlan,
    FaultSpecError,
    InjectError,
    MockServer,
    OptionError,
    RejectHandshake,
    ServerOptions,
)
from dashscope_realtime_mock.replay.builtin import fixtures_dir
from tests.support import OMNI

HEADERS = {"Authorization": "Bearer mock-key"}


async def _first_events(url: str, count: int, headers: dict | None = None) -> list[dict]:
    """Connect, read `count` server events (fewer if the connection ends), close."""
    events: list[dict] = []
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(url, headers={**HEADERS, **(headers or {})}) as ws,
    ):
        while len(events) < count:
            message = await ws.receive(timeout=10)
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            events.append(json.loads(message.data))
    return events


async def _until_closed(url: str) -> tuple[list[str], aiohttp.WSMsgType, int | None]:
    """Read until the connection ends: the event types, the last message type, the close code."""
    kinds: list[str] = []
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(url, headers=HEADERS, autoclose=False) as ws,
    ):
        await ws.send_json({"type": "session.update", "session": {"modalities": ["text"]}})
        while True:
            message = await ws.receive(timeout=10)
            if message.type != aiohttp.WSMsgType.TEXT:
                return kinds, message.type, ws.close_code
            kinds.append(json.loads(message.data)["type"])


def test_a_compact_spec_builds_the_same_plan_as_objects():
    """The compact string and the declared objects are one plan."""
    parsed = FaultPlan.parse("seed=7;delay:on=first_audio,ms=800,jitter_ms=200;drop:at=3")
    assert parsed == FaultPlan(
        (Delay(on="first_audio", ms=800, jitter_ms=200), DropEvent(at=3)), seed=7
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "delay:on=response.done,ms=x",
            "fault 'delay:on=response.done,ms=x': ms must be an integer, not 'x'",
        ),
        (
            "error:at=1,type=fatal",
            "type must be one of invalid_request_error, server_error, not 'fatal'",
        ),
        ("disconnect:at=2,close=1006", "close must be a close code a server may send"),
        ("reject:status=404", "status must be one of 401, 403, 429, 500, not 404"),
        ("drop:on=response.dnoe", "on='response.dnoe' is not a server event type"),
        ("drop", "give exactly one of at=N, after=N, on=TYPE"),
        ("explode:at=1", "unknown kind 'explode'; known: error, disconnect, delay"),
    ],
)
def test_a_bad_spec_is_one_line_naming_the_problem(spec, message):
    """A bad fault fails when it is built, with one line that names the fault and the field."""
    with pytest.raises(FaultSpecError) as refused:
        FaultPlan.parse(spec)
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_a_bad_object_fails_when_built():
    """A fault object with a bad value fails at construction, not at the first connection."""
    with pytest.raises(FaultSpecError, match="status must be one of"):
        RejectHandshake(status=418)


def test_a_bad_server_spec_is_an_option_error():
    """ServerOptions(faults=...) names the option when the spec is bad."""
    with pytest.raises(
        OptionError, match=r"^faults: fault 'drop:at=0': at must be in \[1, 1000000000\], not 0"
    ):
        ServerOptions(faults="drop:at=0")


def test_a_bad_spec_in_the_url_is_refused_at_the_handshake():
    """?faults= with a bad spec: the handshake fails with 400 naming the fault."""

    async def connect(url: str) -> aiohttp.WSServerHandshakeError:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await _first_events(url, 1)
        return refused.value

    with MockServer() as server:
        refused = asyncio.run(connect(server.url_for(OMNI) + "&faults=drop:at=0"))
    assert refused.status == 400


def test_a_reset_ends_the_connection_without_a_close_frame():
    """disconnect close=reset at session.updated: the client gets no close frame (1006)."""
    with MockServer(faults="disconnect:on=session.updated,close=reset") as server:
        kinds, last, code = asyncio.run(_until_closed(server.url_for(OMNI)))
    assert kinds == ["session.created"]
    assert last in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
    assert code == 1006


def test_a_dropped_event_is_never_sent():
    """drop at=1 (NOT what the service does): the first event the client reads is the second."""
    with MockServer(faults=[DropEvent(at=1)]) as server:
        [first] = asyncio.run(_first_events(server.url_for(OMNI), 1))
    assert first["type"] == "session.updated"


def test_a_rejection_with_times_lets_the_next_handshake_in():
    """reject 429 times=2: two handshakes are refused with DashScope's body, the third is served."""

    async def three() -> list[object]:
        outcomes: list[object] = []
        for _ in range(3):
            try:
                outcomes.append((await _first_events(server.url_for(OMNI), 1))[0]["type"])
            except aiohttp.WSServerHandshakeError as refused:
                outcomes.append(refused.status)
        return outcomes

    with MockServer(faults=[RejectHandshake(status=429, times=2)]) as server:
        assert asyncio.run(three()) == [429, 429, "session.created"]


def test_a_scenario_header_carries_faults(tmp_path):
    """A fixture whose header names faults injects them into every session that replays it."""
    builtin = fixtures_dir("builtin")
    assert builtin is not None
    source = builtin / "scenarios" / "omni-vad"
    target = tmp_path / "scenarios" / "omni-vad"
    shutil.copytree(source, target)
    lines = (target / "session.jsonl").read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["faults"] = "error:at=1,code=quota_exceeded"
    (target / "session.jsonl").write_text(
        "\n".join([json.dumps(header), *lines[1:]]) + "\n", encoding="utf-8"
    )
    with MockServer(fixtures=tmp_path) as server:
        first, second = asyncio.run(_first_events(server.url_for(OMNI, "omni-vad"), 2))
    assert first["type"] == "error" and first["error"]["code"] == "quota_exceeded"
    assert second["type"] == "session.created"


def test_the_same_seed_gives_the_same_injected_ids():
    """Faults are seeded: two connections with one plan get the same injected error event."""
    with MockServer(faults=FaultPlan((InjectError(at=1),), seed=42)) as server:
        one = asyncio.run(_first_events(server.url_for(OMNI), 1))
        two = asyncio.run(_first_events(server.url_for(OMNI), 1))
    assert one == two and one[0]["type"] == "error"
