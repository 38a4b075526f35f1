"""Fuzzed sequences over a real socket, through the aiohttp app, in (sped-up) realtime pace.

What only the I/O layer can break: ordering while responses are paced, cancels and barge-ins that
race the send loop, the client closing in the middle of a response. The machine owns an
asyncio.Runner (hypothesis rules are synchronous) and checks the same invariants on what
actually came over the wire.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from dashscope_realtime_mock.transport.app import create_app, start_site
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.options import ServerOptions
from dashscope_realtime_mock.transport.pacing import Pace
from tests import strategies
from tests.invariants import Trace, check_all
from tests.property.machines import SEQUENCES, STEPS
from tests.support import OMNI

OPTIONS = ServerOptions(
    strict=True,
    pace=Pace.REALTIME,
    speed=20,
    first_text_latency_ms=40,
    first_audio_latency_ms=80,
    finish_close_grace_s=0.2,
)


class SocketMachine(RuleBasedStateMachine):
    """One Omni connection to a fresh server."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.Runner()
        self.trace = Trace(OMNI)
        self.audio_ms = 0
        self.sent = 0
        self.closed = False
        self.loop.run(self._open())

    async def _open(self) -> None:
        self.site, port = await start_site(create_app(OPTIONS), "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{port}{REALTIME_PATH}?model={OMNI}"
        self.http = aiohttp.ClientSession()
        await self._connect()

    async def _connect(self) -> None:
        self.ws = await self.http.ws_connect(self.url, headers={"Authorization": "Bearer fuzz"})
        await self._receive_for(0.2)

    async def _receive_for(self, seconds: float) -> None:
        """Read whatever arrives within `seconds` (stops early if the server closes)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            try:
                message = await asyncio.wait_for(self.ws.receive(), left)
            except TimeoutError:
                return
            if message.type != aiohttp.WSMsgType.TEXT:
                self.closed = True
                return
            self.trace.received([json.loads(message.data)])

    def _send(self, event: dict) -> None:
        self.sent += 1
        event = {"event_id": f"event_{self.sent}", **event}
        self.loop.run(self.ws.send_str(json.dumps(event)))
        self.trace.sent(event, self.audio_ms)

    @precondition(lambda self: not self.closed)
    @rule(manual=st.booleans(), modalities=st.sampled_from([["text"], ["text", "audio"]]))
    def update(self, manual, modalities):
        session = {"modalities": modalities, **({"turn_detection": None} if manual else {})}
        self._send({"type": "session.update", "session": session})

    @precondition(lambda self: not self.closed)
    @rule(run=strategies.audio_runs())
    def append(self, run):
        for chunk in strategies.chunks_of(*run):
            self.audio_ms += strategies.CHUNK_MS
            self._send({"type": "input_audio_buffer.append", "audio": chunk})

    @precondition(lambda self: not self.closed)
    @rule(
        kind=st.sampled_from(
            [
                "input_audio_buffer.commit",
                "response.create",
                "response.cancel",
                "input_audio_buffer.clear",
            ]
        )
    )
    def control(self, kind):
        self._send({"type": kind})

    @precondition(lambda self: not self.closed)
    @rule(seconds=st.sampled_from([0.01, 0.05, 0.2, 0.5]))
    def receive(self, seconds):
        self.loop.run(self._receive_for(seconds))

    @precondition(lambda self: not self.closed)
    @rule()
    def finish(self):
        self._send({"type": "session.finish"})
        self.loop.run(self._receive_for(10))
        assert self.trace.server[-1]["type"] == "session.finished"

    @precondition(lambda self: not self.closed)
    @rule()
    def close_mid_way(self):
        """The client hangs up whenever it likes; the server must stay healthy for the next one."""
        self.loop.run(self.ws.close())
        self.closed = True
        self.loop.run(self._still_serving())

    async def _still_serving(self) -> None:
        async with self.http.ws_connect(self.url, headers={"Authorization": "Bearer fuzz"}) as ws:
            first = json.loads((await asyncio.wait_for(ws.receive(), 5)).data)
            assert first["type"] == "session.created"

    @precondition(lambda self: self.closed)
    @rule()
    def reconnect(self):
        """A new session on the same server (the last one ended or was hung up)."""
        check_all(self.trace)
        self.trace, self.audio_ms, self.closed = Trace(OMNI), 0, False
        self.loop.run(self._connect())

    @invariant()
    def protocol_holds(self):
        STEPS["SocketMachine"] += 1
        check_all(self.trace)

    def teardown(self):
        SEQUENCES["SocketMachine"] += 1

        async def close():
            await self.ws.close()
            await self.http.close()
            await self.site.cleanup()

        self.loop.run(close())
        self.loop.close()


def test_socket_sequences_keep_the_protocol():
    """Any sequence over a real paced socket keeps every invariant, and closing never hurts the server."""
    profile = settings.default
    assert profile is not None
    run_state_machine_as_test(
        SocketMachine,
        settings=settings(
            profile, max_examples=max(8, profile.max_examples // 4), stateful_step_count=15
        ),
    )
