"""One connection's shared state: the :class:`Connection` its receive loop and its send task
both hold, the :class:`Outgoing` signal between them, and the reporting of a failure inside the
mock."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ..session.base import Session
from .answering import Answering
from .building import BuildQueue
from .faults import FaultPlan
from .frames import frame_of
from .injector import FaultInjector
from .keys import BUILDS_KEY, OPTIONS_KEY
from .observers import Observer
from .options import ServerOptions
from .pacing import Pacer

__all__ = ["CLOSE_WAIT_S", "STEP_BUDGET_S", "Connection", "Outgoing", "report"]

log = logging.getLogger("mockserver")

# A session's receive or send task gives the event loop away after this much work in one go, so
# one busy session never holds up the others for long (loop steps stay under 5 ms).
STEP_BUDGET_S = 0.002
CLOSE_WAIT_S = 2.0  # how long one send of a closing server waits for a client that does not read


class Outgoing:
    """What the receive loop tells the send task: `wake` when the session's output changed (or
    it finished), and `heard_at`, the loop time of the client's last frame.

    A frame that changes nothing the send task would act on does not wake it, so an append
    costs no task switch; the fast-pace idle check reads `heard_at` instead.
    """

    __slots__ = ("heard_at", "wake")

    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.heard_at = asyncio.get_running_loop().time()


@dataclass(eq=False)
class Connection:
    """One WebSocket and its session: what the receive loop and the send task both work on.

    Built by :meth:`open` once the session exists; `faults` is the connection's fault injector
    (None when no fault applies to it).
    """

    request: web.Request
    ws: web.WebSocketResponse
    session: Session
    options: ServerOptions
    outgoing: Outgoing
    pacer: Pacer
    builds: BuildQueue
    faults: FaultInjector | None = None

    @classmethod
    def open(
        cls,
        request: web.Request,
        ws: web.WebSocketResponse,
        session: Session,
        answering: Answering,
        plan: FaultPlan,
    ) -> Connection:
        """The connection of `session` over `ws`, paced by the server's options and, in
        recorded pace, by the gaps of the fixture `answering` replays; `plan` its faults."""
        options = request.app[OPTIONS_KEY]
        pacer = Pacer(
            options.pace,
            options.first_text_latency_ms,
            options.first_audio_latency_ms,
            options.speed,
            recorded_gaps=answering.responder.recorded_gaps,
            output_sample_rate=lambda: session.output_sample_rate,
        )
        connection = cls(request, ws, session, options, Outgoing(), pacer, request.app[BUILDS_KEY])
        if plan:
            connection.faults = FaultInjector(plan, ws, request, connection.deliver)
        return connection

    async def deliver(self, event: dict[str, Any]) -> None:
        """Send one server event and show it to the observer: every event of the session goes
        out through here (a fault injector calls it for the events it lets through).

        Tests replace it (monkeypatch on the class) to make sending fail.
        """
        await self.ws.send_str(frame_of(event))
        if self.options.observer is not None:
            self.options.observer.event(self.session.id, self.session.model_id, "server", event)

    def report(self, error: Exception, what: str) -> None:
        """Log a failure inside the mock in this session and hand it to the observer."""
        report(self.options.observer, self.session.id, error, what)


def report(observer: Observer | None, session_id: str | None, error: Exception, what: str) -> None:
    """Log a failure inside the mock and hand it to the observer (the pytest plugin fails the test)."""
    log.error("%s: %s: %s", what, type(error).__name__, error, exc_info=error)
    if observer is not None:
        observer.failure(session_id, error)
