"""The realtime route: the handshake checks, then one session over the WebSocket until it closes.

The real service checks the model query and the Bearer key before the WebSocket exists
(docs/protocol/events.md §1.3), so a bad key or model never gets a WebSocket: it gets an HTTP
error with a DashScope-style JSON body.
"""

from __future__ import annotations

import dataclasses
import logging

from aiohttp import web

from ..families import REGISTRY
from ..protocol.behaviour import Behaviour
from ..session.base import Playback
from ..session.registry import Model
from . import answering, limits
from .answering import Answering
from .connection import report
from .faults import FaultPlan
from .handshake import check_api_key, check_model
from .http_guard import half_open
from .injector import handshake_refusal, plan_for, session_cap
from .keys import OPTIONS_KEY, REFUSED_KEY, SOCKETS_KEY
from .options import ServerOptions
from .pacing import Pace
from .receiving import converse

__all__ = ["MAX_FRAME_BYTES", "realtime"]

log = logging.getLogger("mockserver")

MAX_FRAME_BYTES = 32 * 1024 * 1024  # a 15 MiB audio payload, base64-encoded, fits


async def realtime(request: web.Request) -> web.StreamResponse:
    """The handshake checks, then one session over the WebSocket until it closes.

    Whatever fails inside the mock once the WebSocket exists (opening the session, the send task,
    the receive loop) is logged, reported to the observer and ends the connection with 1011.
    """
    options = request.app[OPTIONS_KEY]
    denied = check_api_key(request, options.api_key)
    if denied is not None:
        return denied
    model = check_model(request)
    if isinstance(model, web.Response):
        return model
    chosen = answering.choose_answering(request, model)  # looked up here: a test seam
    if isinstance(chosen, web.Response):
        return chosen
    faults = plan_for(request, options.fault_plan, chosen.faults)
    if isinstance(faults, web.Response):
        return faults
    if (refusal := handshake_refusal(faults, request.app[REFUSED_KEY], request)) is not None:
        return refusal
    sockets = request.app[SOCKETS_KEY]
    open_now = len(sockets) + half_open(request.app)  # half-sent requests count too
    refused = limits.connection_refused(open_now, options.max_connections)
    if refused is not None:
        log.info("refused a connection: %d are open (max_connections)", open_now)
        return refused
    # autoclose=False: the client's close code is seen before it is answered (limits.answer_close)
    ws = limits.ServerSocket(max_msg_size=MAX_FRAME_BYTES, autoclose=False)
    sockets.add(ws)
    try:
        await ws.prepare(request)
        return await _serve_socket(request, ws, model, chosen, _behaviour(options, faults), faults)
    finally:
        sockets.discard(ws)


def _behaviour(options: ServerOptions, faults: FaultPlan) -> Behaviour:
    """The server's Behaviour, with the session cap of an injected SessionCap fault if any."""
    cap = session_cap(faults)
    if cap is None:
        return options.behaviour
    return dataclasses.replace(
        options.behaviour, session_cap_s=cap.seconds, cap_close_code=cap.close
    )


async def _serve_socket(
    request: web.Request,
    ws: web.WebSocketResponse,
    model: Model,
    chosen: Answering,
    behaviour: Behaviour,
    faults: FaultPlan,
) -> web.WebSocketResponse:
    """One session over the prepared WebSocket until it closes."""
    options = request.app[OPTIONS_KEY]
    try:
        session = REGISTRY.open_session(
            model,
            responder=chosen.responder,
            behaviour=behaviour,
            strict=options.strict,
            referee=chosen.referee,
            playback=Playback.AUDIO_TIME if options.pace is Pace.FAST else Playback.TRANSPORT,
        )
    except Exception as exc:  # strict mode (session.created breaks its schema) or a bug
        report(options.observer, None, exc, f"opening a {model.model_id} session failed")
        await ws.close(code=1011, message=b"server error")
        return ws
    try:
        await converse(request, ws, session, chosen, faults)
    except ConnectionError:  # an ordinary hang-up: one line, no traceback
        log.info("session %s: the client closed the connection", session.id)
    except Exception as exc:
        report(options.observer, session.id, exc, f"session {session.id} failed")
        await ws.close(code=1011, message=b"server error")
    await limits.answer_close(ws)
    if options.watcher is not None:
        options.watcher.closed(session.id, limits.recorded_close_code(ws.close_code))
    log.info("session %s closed", session.id)
    return ws
