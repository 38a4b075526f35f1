"""A mock server for tests, in a background thread: what the pytest plugin and our own tests use.

:class:`ThreadedServer` serves the app on a free loopback port for synchronous clients (the
official SDK) as well as asyncio ones. :class:`MockServer` adds what a test wants to look at
afterwards: the traffic of every session, and any failure inside the server, re-raised by
:meth:`MockServer.check` so it surfaces in the test that caused it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from .answers.rules import AnswerBook
from .inspector import INSPECT_PATH, Inspector
from .transport.app import create_app, start_site
from .transport.handshake import REALTIME_PATH
from .transport.options import ServerOptions

__all__ = ["CapturedSession", "MockServer", "ThreadedServer"]


class ThreadedServer:
    """The mock app on a free port in a background thread, for synchronous clients (the SDK)."""

    def __init__(self, options: ServerOptions | None = None) -> None:
        self._options = options or ServerOptions(strict=True)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._startup_error: BaseException | None = None
        self.port = 0

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.set_exception_handler(self._unhandled)
        try:
            runner, self.port = self._loop.run_until_complete(
                start_site(create_app(self._options), "127.0.0.1", 0)
            )
        except BaseException as exc:  # surfaces in __enter__, in the test that started us
            self._startup_error = exc
            self._ready.set()
            self._loop.close()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())
        self._loop.close()

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the mock server did not start within 10 s")
        if self._startup_error is not None:
            self._thread.join(10)
            raise self._startup_error
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the loop and wait for the thread (its runner is cleaned up on the way out)."""
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _unhandled(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """asyncio's last resort (a callback or a task nobody awaited raised): log it, then
        :meth:`unhandled_error` unless it is a client hanging up."""
        loop.default_exception_handler(context)
        error = context.get("exception")
        if isinstance(error, Exception) and not isinstance(error, ConnectionError):
            self.unhandled_error(error)

    def unhandled_error(self, error: Exception) -> None:
        """Called in the server thread for an exception no part of the server handled."""

    @property
    def ws_base(self) -> str:
        """The realtime endpoint without the model query (what the legacy SDK's `url=` takes)."""
        return f"ws://127.0.0.1:{self.port}{REALTIME_PATH}"

    def ws_url(self, model: str) -> str:
        """The realtime endpoint for `model` (what the v2 SDK's `ws_url=` takes)."""
        return f"{self.ws_base}?model={model}"


@dataclass
class CapturedSession:
    """What went over one connection: the client's events and the server's, in order."""

    session_id: str
    model: str
    client: list[dict[str, Any]] = field(default_factory=list)
    server: list[dict[str, Any]] = field(default_factory=list)
    # which fixture answered (None: the built-in responder) and why, once the server decided
    replayed: str | None = None
    replay_reason: str = ""

    def types(self, direction: str = "server") -> list[str | None]:
        """The `type` of each event sent in `direction`, in order (None where a client left it out)."""
        return [e.get("type") for e in (self.server if direction == "server" else self.client)]


class MockServer(ThreadedServer):
    """A running mock (strict by default) that records traffic per session and server failures.

    With ``inspect=True`` it also serves the session inspector at :attr:`inspect_url`.
    """

    def __init__(
        self, options: ServerOptions | None = None, *, inspect: bool = False, **option_fields: Any
    ) -> None:
        options = options or ServerOptions(strict=True)
        self.inspector = Inspector() if inspect else None
        if self.inspector is not None:
            option_fields["watcher"] = self.inspector
        options = dataclasses.replace(options, observer=self, **option_fields)
        super().__init__(options)
        self.sessions: dict[str, CapturedSession] = {}
        self.failures: list[tuple[str | None, BaseException]] = []
        # each refused handshake, as "URL: reason" (the SDK itself shows only a time-out)
        self.refusals: list[str] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The realtime endpoint; add ``?model=…`` or use :meth:`url_for`."""
        return self.ws_base

    @property
    def inspect_url(self) -> str:
        """The session inspector's page (served with ``inspect=True``)."""
        if self.inspector is None:
            raise RuntimeError("start the MockServer with inspect=True to serve the inspector")
        return f"http://127.0.0.1:{self.port}{INSPECT_PATH}"

    def url_for(self, model: str, scenario: str | None = None) -> str:
        """The URL for `model`, replaying `scenario` (a fixture of `fixtures=`) if given."""
        return self.ws_url(model) + (f"&scenario={scenario}" if scenario else "")

    @property
    def answers(self) -> AnswerBook:
        """The scripted answers (docs/answers.md): ``answers.add(heard=..., say=...)``,
        ``answers.clear()``, ``answers.load(path)``; a session takes them as they are when it
        opens, so they may change between tests without a restart."""
        return self._options.answer_book

    # Observer (called from the server thread)
    def event(self, session_id: str, model: str, direction: str, event: dict[str, Any]) -> None:
        with self._lock:
            captured = self.sessions.setdefault(session_id, CapturedSession(session_id, model))
            (captured.client if direction == "client" else captured.server).append(event)

    def replayed(self, session_id: str, scenario: str | None, reason: str) -> None:
        with self._lock:
            captured = self.sessions.setdefault(session_id, CapturedSession(session_id, ""))
            captured.replayed, captured.replay_reason = scenario, reason

    def failure(self, session_id: str | None, error: BaseException) -> None:
        with self._lock:
            self.failures.append((session_id, error))

    def refused(self, url: str, reason: str) -> None:
        with self._lock:
            self.refusals.append(f"{url}: {reason}")

    def unhandled_error(self, error: Exception) -> None:
        self.failure(None, error)

    def check(self) -> None:
        """Raise if anything failed inside the server (a strict-mode violation, a crash).

        The AssertionError names the first failure's exception and session (its traceback is
        the ``__cause__``) and counts the others.
        """
        if not self.failures:
            return
        session_id, error = self.failures[0]
        where = f"in session {session_id}" if session_id else "outside any session"
        more = len(self.failures) - 1
        raise AssertionError(
            f"the mock server failed {where}: {type(error).__name__}: {error}"
            + (f" (and {more} more failure{'s' if more > 1 else ''})" if more else "")
        ) from error
