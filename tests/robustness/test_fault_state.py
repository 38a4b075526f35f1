"""The robustness matrix, fault injection: the state of `reject …,times=N` is per client and
bounded; every fault parameter is range-checked, with a one-line 400 at the handshake."""

from __future__ import annotations

import json

import aiohttp
import pytest

from dashscope_realtime_mock.transport.app import create_app
from dashscope_realtime_mock.transport.faults import FaultPlan, FaultSpecError, RejectHandshake
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.injector import RefusalCounts
from dashscope_realtime_mock.transport.options import ServerOptions
from tests.support import OMNI

HUGE = "9" * 400


async def _handshake_status(client, faults: str, agent: str) -> int:
    headers = {"Authorization": "Bearer k", "User-Agent": agent, "X-Mock-Faults": faults}
    try:
        ws = await client.ws_connect(f"{REALTIME_PATH}?model={OMNI}", headers=headers)
    except aiohttp.WSServerHandshakeError as refused:
        return refused.status
    await ws.close()
    return 101


@pytest.mark.asyncio
async def test_one_clients_handshakes_do_not_use_up_anothers_refusals(aiohttp_client):
    """reject times=1: each client gets its own refusal, then goes through."""
    client = await aiohttp_client(create_app(ServerOptions()))
    spec = "reject:status=429,times=1"
    first = [await _handshake_status(client, spec, "client-a") for _ in range(2)]
    second = [await _handshake_status(client, spec, "client-b") for _ in range(2)]
    assert first == [429, 101]
    assert second == [429, 101]


@pytest.mark.asyncio
async def test_clients_naming_one_scope_share_the_count(aiohttp_client):
    """reject times=1,scope=S: the first handshake in the scope is refused, the others pass."""
    client = await aiohttp_client(create_app(ServerOptions()))
    spec = "reject:status=429,times=1,scope=retry-test"
    statuses = [await _handshake_status(client, spec, agent) for agent in ("a", "b", "c")]
    assert statuses == [429, 101, 101]


def test_the_refusal_counts_are_bounded():
    """20,000 distinct reject specs keep at most MAX_COUNTED counts."""
    counts = RefusalCounts()
    for n in range(20_000):
        counts.take(RejectHandshake(status=429, times=1, message=f"m{n}"), "client")
    assert len(counts) <= RefusalCounts.MAX_COUNTED


@pytest.mark.parametrize(
    "spec",
    [
        f"delay:on=first_audio,ms={HUGE}",
        f"delay:on=first_audio,jitter_ms={HUGE}",
        "delay:on=first_audio,ms=600001",
        f"error:at={HUGE}",
        f"disconnect:after={HUGE}",
        f"delay:on=response.done,nth={HUGE},ms=1",
        "idle_timeout:seconds=1e400",
        "idle_timeout:seconds=nan",
        f"session_cap:seconds={HUGE}",
        f"reject:times={HUGE}",
        f"seed={HUGE};delay:at=1,ms=1",
        "seed=-1;delay:at=1,ms=1",
        "error:at=1,message=" + "m" * 2000,
    ],
)
def test_every_fault_number_and_text_is_range_checked(spec):
    """Out of range: a FaultSpecError of one short line, at parse time."""
    with pytest.raises(FaultSpecError) as refused:
        FaultPlan.parse(spec)
    message = str(refused.value)
    assert "\n" not in message and len(message) < 400


@pytest.mark.asyncio
async def test_an_out_of_range_delay_is_a_one_line_400_at_the_handshake(aiohttp_client):
    """A 400-digit delay is refused at the handshake, not accepted and then fatal."""
    client = await aiohttp_client(create_app(ServerOptions()))
    response = await client.get(
        f"{REALTIME_PATH}?model={OMNI}&faults=delay:on=first_audio,ms={HUGE}",
        headers={"Authorization": "Bearer k"},
    )
    assert response.status == 400
    body = json.loads(await response.text())
    assert body["code"] == "InvalidParameter"
    assert "ms must be in [0, 600000]" in body["message"]
