"""Applies a :class:`FaultPlan` to one connection: where the faults come from, and what they do.

:func:`plan_for` gathers a connection's faults (the server's, the named scenario's, the URL's
``faults=`` and the ``X-Mock-Faults`` header); :func:`handshake_refusal` answers a
:class:`RejectHandshake`; :class:`FaultInjector` sits in the send task, between the session and
the socket (delay, error, disconnect, drop, duplicate), and keeps the idle timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
import struct
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ..protocol.ids import IdFactory
from ..protocol.streams import TEXT_STREAM_EVENTS
from ..protocol.wire import Event
from .faults import (
    FIRST_AUDIO,
    FIRST_TEXT,
    RESET,
    Delay,
    Disconnect,
    DropEvent,
    DuplicateEvent,
    ErrorType,
    FaultPlan,
    FaultSpecError,
    IdleTimeout,
    InjectError,
    RejectHandshake,
    SessionCap,
    Targeted,
)
from .handshake import http_error

__all__ = [
    "FAULTS_HEADER",
    "FaultInjector",
    "RefusalCounts",
    "handshake_refusal",
    "plan_for",
    "scenario_plan",
]

log = logging.getLogger("mockserver")

FAULTS_HEADER = "X-Mock-Faults"
_DRAIN_WAIT_S = 1.0  # before a reset, how long the frames already sent may take to leave


def scenario_plan(header: dict[str, Any], where: str) -> FaultPlan:
    """The faults a fixture's header names (`faults`: a compact string or a list of them)."""
    try:
        return FaultPlan.of(header.get("faults"))
    except FaultSpecError as exc:
        raise ValueError(f"{where}: faults: {exc}") from None


def plan_for(
    request: web.Request, server: FaultPlan, scenario: FaultPlan
) -> FaultPlan | web.Response:
    """The faults of one connection (server, scenario, query, header), or the 400 naming a bad one."""
    plan = server + scenario
    for where, text in (
        ("the faults query parameter", request.query.get("faults")),
        (f"the {FAULTS_HEADER} header", request.headers.get(FAULTS_HEADER)),
    ):
        if text:
            try:
                plan += FaultPlan.parse(text)
            except FaultSpecError as exc:
                return http_error(400, "InvalidParameter", f"Bad fault in {where}: {exc}")
    return plan


class RefusalCounts:
    """How many handshakes each RejectHandshake with `times` has refused, per client (or per
    named `scope`): the latest :data:`MAX_COUNTED` pairs, so distinct specs cannot grow it."""

    MAX_COUNTED = 4096

    def __init__(self) -> None:
        self._counts: OrderedDict[tuple[RejectHandshake, str], int] = OrderedDict()

    def __len__(self) -> int:
        return len(self._counts)

    def take(self, fault: RejectHandshake, client: str) -> bool:
        """Count one refusal of `client` by `fault`; False once it has refused `times` already."""
        key = (fault, fault.scope if fault.scope is not None else client)
        refused = self._counts.pop(key, 0)
        if fault.times and refused >= fault.times:
            self._counts[key] = refused
            return False
        self._counts[key] = refused + 1
        while len(self._counts) > self.MAX_COUNTED:
            self._counts.popitem(last=False)
        return True


def handshake_refusal(
    plan: FaultPlan, refused: RefusalCounts, request: web.Request
) -> web.Response | None:
    """The HTTP refusal of a RejectHandshake in `plan` that still applies to this client (its
    address and User-Agent, or the fault's scope), else None."""
    client = f"{request.remote} {request.headers.get('User-Agent', '')}"
    for fault in plan.of_kind(RejectHandshake):
        if fault.times and not refused.take(fault, client):
            continue
        code, message = fault.body()
        log.info("fault: handshake refused with %s", fault.status)
        return http_error(fault.status, code, message)
    return None


def session_cap(plan: FaultPlan) -> SessionCap | None:
    """The connection's SessionCap, if it has one (the last one named wins)."""
    caps = plan.of_kind(SessionCap)
    return caps[-1] if caps else None


Deliver = Callable[[Event], Awaitable[None]]


class FaultInjector:
    """The faults of one connection, applied as its events go out (and its idle timer)."""

    def __init__(
        self, plan: FaultPlan, ws: web.WebSocketResponse, request: web.Request, deliver: Deliver
    ) -> None:
        self._ws = ws
        self._transport = request.transport
        self._deliver = deliver
        self._rng = random.Random(plan.seed)
        self._ids = IdFactory(random.Random(plan.seed))
        self._targeted: list[Targeted] = [f for f in plan.faults if isinstance(f, Targeted)]
        self._matches: Counter[int] = Counter()  # per targeted fault: how many events matched
        self._fired: set[int] = set()
        self._sent = 0  # session events taken so far
        self._responses_with_text: set[str | None] = set()
        self._responses_with_audio: set[str | None] = set()
        idle = plan.of_kind(IdleTimeout)
        self._idle: IdleTimeout | None = idle[-1] if idle else None
        self._idle_timer: asyncio.TimerHandle | None = None
        self._closing: asyncio.Task[None] | None = None
        self.ended = False  # a fault ended the connection

    # the idle timer --------------------------------------------------------------------------
    def start(self) -> None:
        """Arm the idle timer (call once the WebSocket is open)."""
        self.heard()

    def heard(self) -> None:
        """A frame came from the client: the idle timer starts again."""
        if self._idle is None or self.ended:
            return
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        loop = asyncio.get_running_loop()
        self._idle_timer = loop.call_later(self._idle.seconds, self._idle_expired)

    def stop(self) -> None:
        """The connection is over: no timer may fire."""
        if self._idle_timer is not None:
            self._idle_timer.cancel()

    def _idle_expired(self) -> None:
        assert self._idle is not None
        log.info("fault: idle for %g s, closing (%s)", self._idle.seconds, self._idle.close)
        self._closing = asyncio.ensure_future(self._end(self._idle.close, "idle timeout"))

    # the send path ---------------------------------------------------------------------------
    async def send(self, event: Event) -> bool:
        """Send `event` with this connection's faults applied; False once a fault has ended the
        connection (the send task then stops)."""
        if self.ended:
            return False
        self._sent += 1
        firsts = self._firsts(event)
        delay_ms = 0.0
        out = [event]
        for number, fault in enumerate(self._targeted):
            if not self._matches_event(number, fault, event, firsts):
                continue
            if isinstance(fault, Delay):
                delay_ms += fault.ms + self._rng.uniform(0, fault.jitter_ms)
            elif isinstance(fault, DropEvent):
                log.info("fault: dropping %s (the real service does not)", event.get("type"))
                out = [e for e in out if e is not event]
            elif isinstance(fault, DuplicateEvent):
                log.info("fault: duplicating %s (the real service does not)", event.get("type"))
                out = [*out, event]
            elif isinstance(fault, InjectError):
                out = [self._error_event(fault), *out]
                if fault.type is ErrorType.SERVER:  # the service closes after a server_error
                    out = out[:1]
                    return await self._send_then_end(delay_ms, out, fault.close, "server error")
            elif isinstance(fault, Disconnect):
                return await self._send_then_end(delay_ms, [], fault.close, "injected disconnect")
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        for each in out:
            await self._deliver(each)
        return True

    def _firsts(self, event: Event) -> set[str]:
        """Which pseudo types `event` is (the first text or audio event of its response)."""
        found = set()
        kind, response = event.get("type"), event.get("response_id")
        if kind in TEXT_STREAM_EVENTS and response not in self._responses_with_text:
            self._responses_with_text.add(response)
            found.add(FIRST_TEXT)
        if kind == "response.audio.delta" and response not in self._responses_with_audio:
            self._responses_with_audio.add(response)
            found.add(FIRST_AUDIO)
        return found

    def _matches_event(self, number: int, fault: Targeted, event: Event, firsts: set[str]) -> bool:
        if number in self._fired:
            return False
        if fault.index is not None:
            hit = self._sent == fault.index
        else:
            if not (event.get("type") == fault.on or fault.on in firsts):
                return False
            self._matches[number] += 1
            if fault.nth is None and fault.EVERY_BY_DEFAULT:
                return True
            hit = self._matches[number] == (fault.nth or 1)
        if hit:
            self._fired.add(number)
        return hit

    def _error_event(self, fault: InjectError) -> Event:
        log.info("fault: injecting %s", fault.describe())
        return {"event_id": self._ids.new("event"), "type": "error", "error": fault.event_body()}

    async def _send_then_end(
        self, delay_ms: float, out: list[Event], close: int | str, reason: str
    ) -> bool:
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        for each in out:
            await self._deliver(each)
        await self._end(close, reason)
        return False

    async def _end(self, close: int | str, reason: str) -> None:
        """Close with `close`, or reset the TCP connection (no close frame) when it is RESET."""
        if self.ended:
            return
        self.ended = True
        self.stop()
        if close != RESET:
            assert isinstance(close, int)
            log.info("fault: closing with %s (%s)", close, reason)
            await self._ws.close(code=close, message=reason.encode())
            return
        log.info("fault: resetting the connection (%s)", reason)
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _DRAIN_WAIT_S
        while transport.get_write_buffer_size() and loop.time() < deadline:
            await asyncio.sleep(0.005)  # let what was sent before the fault leave first
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # SO_LINGER 0: close() sends RST, not FIN
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
