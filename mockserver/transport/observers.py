"""The hooks through which the transport reports sessions to whoever watches them.

:class:`Observer` sees traffic and failures (the pytest plugin's capture). A
:class:`SessionWatcher` is an observer that also sees each session open and close, and serves pages of its own on the
server's application: the session inspector (:mod:`dashscope_realtime_mock.inspector`). Both are called on the
server's event loop, between frames, so an implementation only records: no I/O, no waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from aiohttp import web

from ..protocol.wire import Event

if TYPE_CHECKING:
    from ..answers.responder import Responder
    from ..session.base import Session

__all__ = ["Observer", "SessionWatcher", "Tee"]


class Observer(Protocol):
    """Sees the traffic of every session and every failure inside the mock (the pytest plugin's
    capture); set `ServerOptions.observer`."""

    def event(self, session_id: str, model: str, direction: str, event: Event) -> None:
        """One event went over the wire: "client" as received, "server" once sent."""
        ...

    def failure(self, session_id: str | None, error: BaseException) -> None:
        """Something failed inside the mock (a strict-mode violation, a crash, a replay departure)."""
        ...

    def replayed(self, session_id: str, scenario: str | None, reason: str) -> None:
        """Who answers was decided: the fixture replayed (None: the built-in responder), and why."""
        ...

    def refused(self, url: str, reason: str) -> None:
        """A request was refused before any WebSocket existed (a wrong model, path or key): the
        URL asked for, keys redacted, and the reason as the HTTP answer gave it
        (``404 ModelNotFound: Model 'x' is not supported by this endpoint.``)."""
        ...


class SessionWatcher(Observer, Protocol):
    """An observer that follows every session from open to close and serves pages of its own
    (the inspector); set `ServerOptions.watcher`."""

    def opened(self, session: Session, responder: Responder, why: str) -> None:
        """A session began; `responder` answers it, for the reason `why` (e.g. "named by the query")."""
        ...

    def closed(self, session_id: str, close_code: int | None) -> None:
        """The connection ended, with this close code (None if none was exchanged)."""
        ...

    def install(self, app: web.Application) -> None:
        """Add the watcher's pages (routes) and shutdown hooks to the mock's own application."""
        ...


@dataclass(frozen=True)
class Tee:
    """Hands each report to the observer (if any), then to the watcher."""

    observer: Observer | None
    watcher: Observer

    def event(self, session_id: str, model: str, direction: str, event: Event) -> None:
        if self.observer is not None:
            self.observer.event(session_id, model, direction, event)
        self.watcher.event(session_id, model, direction, event)

    def failure(self, session_id: str | None, error: BaseException) -> None:
        if self.observer is not None:
            self.observer.failure(session_id, error)
        self.watcher.failure(session_id, error)

    def replayed(self, session_id: str, scenario: str | None, reason: str) -> None:
        if self.observer is not None:
            self.observer.replayed(session_id, scenario, reason)
        self.watcher.replayed(session_id, scenario, reason)

    def refused(self, url: str, reason: str) -> None:
        if self.observer is not None:
            self.observer.refused(url, reason)
        self.watcher.refused(url, reason)
