"""The mock's aiohttp application: its routes, its middleware, its start and its shutdown.

The realtime route (handshake, then one session) is in realtime.py; a connection's receive loop
and send task in receiving.py and sending.py; who answers a session in answering.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable

from aiohttp import web

from .._version import __version__
from ..families import REGISTRY
from ..media.opus import libopus_available
from . import accepting, limits
from .answering import build_library, build_responder
from .building import BuildQueue
from .connection import report
from .handshake import REALTIME_PATH, http_error, unknown_path
from .http_guard import HALF_OPEN_KEY, GuardedRunner, limit_repeated_lines
from .injector import RefusalCounts
from .keys import (
    BUILDS_KEY,
    LIBRARY_KEY,
    OPTIONS_KEY,
    REFUSED_KEY,
    RESPONDER_KEY,
    SENDERS_KEY,
    SOCKETS_KEY,
)
from .observers import Tee
from .options import ServerOptions
from .realtime import realtime
from .refusals import refusals_logged

__all__ = ["create_app", "start_site"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(options: ServerOptions | None = None) -> web.Application:
    """The mock's aiohttp application: the realtime WebSocket route, `GET /healthz`, the
    watcher's pages (the inspector's `/inspect`) when there is a watcher, and a JSON 404 naming
    the realtime URL for any other path."""
    app = web.Application(middlewares=[_crashes_answer_500, refusals_logged])
    options = options or ServerOptions()
    if (watcher := options.watcher) is not None:
        options = dataclasses.replace(options, observer=Tee(options.observer, watcher))
        watcher.install(app)
    app[OPTIONS_KEY] = options
    app[SENDERS_KEY] = set()
    app[BUILDS_KEY] = BuildQueue()
    app[REFUSED_KEY] = RefusalCounts()
    app[SOCKETS_KEY] = set()
    app[HALF_OPEN_KEY] = set()
    # Loaded once per process here, not in the first Opus session's loop step (finding the
    # library runs `ldconfig -p`: milliseconds).
    libopus_available()
    app[RESPONDER_KEY] = build_responder(app[OPTIONS_KEY])
    app[LIBRARY_KEY] = build_library(app[OPTIONS_KEY])
    app.router.add_get(REALTIME_PATH, realtime)
    app.router.add_get("/healthz", _healthz)
    app.router.add_route("*", "/{path:.*}", unknown_path)
    app.on_shutdown.append(_cancel_sessions)
    return app


async def start_site(
    app: web.Application, host: str, port: int, *, reuse_port: bool = False
) -> tuple[web.AppRunner, int]:
    """Serve `app` on host:port (0 picks a free port); returns the runner to clean up and the real port.

    `reuse_port`: bind with SO_REUSEPORT, so that several processes serve one port (--workers).
    """
    options = app.get(OPTIONS_KEY) or ServerOptions()
    limit_repeated_lines()
    # Handlers still running once every client got its 1001 are cancelled soon after. A
    # connection waiting for a request is closed after the handshake timeout (aiohttp's
    # keep-alive timer runs from the connection's start).
    runner = GuardedRunner(
        app,
        cap=options.max_connections,
        access_log_class=limits.RedactingAccessLogger,
        shutdown_timeout=options.shutdown_grace_s + 1.0,
        keepalive_timeout=options.handshake_timeout_s,
    )
    await runner.setup()
    site = web.TCPSite(
        runner, host, port, reuse_port=reuse_port or None, backlog=accepting.ACCEPTS_PER_STEP
    )
    try:
        await site.start()
        accepting.deepen_listen_queue(site)
    except BaseException:
        await runner.cleanup()
        raise
    return runner, runner.addresses[0][1]


async def _healthz(request: web.Request) -> web.Response:
    """`GET /healthz`: the status, the version, the models and families, the scenarios loaded."""
    library = request.app[LIBRARY_KEY]
    return web.json_response(
        {
            "status": "ok",
            "version": __version__,
            "models": REGISTRY.supported_models(),
            "families": {
                family.name: {"summary": family.summary, "models": family.model_ids()}
                for family in REGISTRY.families()
            },
            "scenarios": sorted(library),
        }
    )


@web.middleware
async def _crashes_answer_500(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A failure inside the mock before any WebSocket exists: reported, and a 500 naming it."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as exc:
        report(request.app[OPTIONS_KEY].observer, None, exc, f"{request.method} {request.path}")
        return http_error(
            500, "InternalError", f"The mock server failed: {type(exc).__name__}: {exc}"
        )


async def _cancel_sessions(app: web.Application) -> None:
    """At shutdown: every client gets 1001 within the grace period, then what is left stops."""
    sockets: set[web.WebSocketResponse] = app[SOCKETS_KEY]
    await limits.close_all(sockets, app[OPTIONS_KEY].shutdown_grace_s)
    senders: set[asyncio.Task[None]] = app[SENDERS_KEY]
    for task in list(senders):
        task.cancel()
