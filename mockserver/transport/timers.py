"""The timers of one connection: the idle timeout (ServerOptions.idle_timeout_s) and the
session cap (Behaviour.session_cap_s, or an injected SessionCap fault)."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from ..session.base import Session
from . import limits
from .connection import Outgoing

__all__ = ["IdleTimer", "expire_session", "start_session_cap"]

log = logging.getLogger("mockserver")

_TIMER_SLACK_S = 0.001  # a timer may run this early (the loop's clock resolution): it is due


class IdleTimer:
    """ServerOptions.idle_timeout_s: close (1000) after that long without a client frame.

    One timer per quiet stretch, not one per frame: when it fires it reads `heard_at` (the loop
    time of the client's last frame, which the receive loop keeps) and, if a frame came
    meanwhile, sets itself again for the rest of the time. A `timeout_s` of 0 sets no timer.
    """

    def __init__(self, ws: web.WebSocketResponse, timeout_s: float, outgoing: Outgoing) -> None:
        self._ws = ws
        self._timeout_s = timeout_s
        self._outgoing = outgoing
        self._timer: asyncio.TimerHandle | None = None
        self._closing: asyncio.Task[bool] | None = None
        if timeout_s:
            self._check()

    def _check(self) -> None:
        loop = asyncio.get_running_loop()
        due = self._outgoing.heard_at + self._timeout_s
        if due - loop.time() > _TIMER_SLACK_S:
            self._timer = loop.call_at(due, self._check)
            return
        log.info("closing a session idle for %g s (idle_timeout_s)", self._timeout_s)
        self._closing = asyncio.ensure_future(
            self._ws.close(code=limits.IDLE, message=b"idle timeout")
        )

    def cancel(self) -> None:
        """The connection is over: the timer may not fire."""
        if self._timer is not None:
            self._timer.cancel()


def expire_session(session: Session, wake: asyncio.Event) -> None:
    """The session cap (docs/protocol/events.md §1.8: Omni 120 minutes) was reached: the server
    closes. Called by the loop when the cap's timer fires; `wake` wakes the send task.

    The timer looks this function up on this module when it is set, so a test may replace it
    (monkeypatch) to fail inside a timer callback on purpose.
    """
    log.info("session %s reached its %s s cap", session.id, session.session_cap_s)
    session.expire()
    wake.set()


def start_session_cap(session: Session, wake: asyncio.Event) -> asyncio.TimerHandle | None:
    """Set the timer of the session's cap, if it has one (cancel the handle when it closes)."""
    if not session.session_cap_s:
        return None
    return asyncio.get_running_loop().call_later(
        session.session_cap_s, expire_session, session, wake
    )
