"""A connection's receive loop: it feeds the client's frames to the session while the send task
(sending.py) paces out what the session produces, and holds the client to its reading."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging

from aiohttp import WSMessage, WSMsgType, web

from ..protocol import inbound
from ..protocol.schema_checks import StrictModeViolation
from ..protocol.wire import Event
from ..replay.matchers import ReplayMismatch
from ..session.base import SchemaVerdict, Session
from . import limits, voices
from .answering import Answering, announce_replay
from .connection import CLOSE_WAIT_S, STEP_BUDGET_S, Connection
from .faults import FaultPlan
from .keys import SENDERS_KEY
from .observers import Observer
from .sending import send_or_fail
from .timers import IdleTimer, start_session_cap

__all__ = ["converse", "feed"]

log = logging.getLogger("mockserver")

Read = tuple[Event | inbound.Rejected, SchemaVerdict]
"""What reading a text frame off the loop gave (Session.vet_frame), for Session.receive_read."""


async def converse(
    request: web.Request,
    ws: web.WebSocketResponse,
    session: Session,
    answering: Answering,
    plan: FaultPlan,
) -> None:
    """Feed the client's frames to `session` while a send task paces out what it produces; return
    once the client closed, the session ended, or the client stopped reading for too long."""
    conn = Connection.open(request, ws, session, answering, plan)
    _introduce(conn, answering)
    voices.warm(session.config.get("voice"))
    sender = asyncio.create_task(send_or_fail(conn))
    if conn.faults is not None:
        conn.faults.start()
    cap = start_session_cap(session, conn.outgoing.wake)
    request.app[SENDERS_KEY].add(sender)
    idle = IdleTimer(ws, conn.options.idle_timeout_s, conn.outgoing)
    try:
        await _receive(conn, sender)
        await _after_receiving(conn, sender)
    finally:
        if conn.faults is not None:
            conn.faults.stop()
        idle.cancel()
        if cap is not None:
            cap.cancel()
        if not sender.done():
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
        request.app[SENDERS_KEY].discard(sender)


def _introduce(conn: Connection, answering: Answering) -> None:
    """Show the new session to the observer and the watcher, and log who answers it."""
    session, options = conn.session, conn.options
    if options.observer is not None:
        session.client_event_listener = functools.partial(
            options.observer.event, session.id, session.model_id, "client"
        )
    if options.watcher is not None:
        options.watcher.opened(session, answering.responder, answering.why)
    announce_replay(session, answering, options.observer, conn.request.headers.get("User-Agent"))


async def _receive(conn: Connection, sender: asyncio.Task[None]) -> None:
    """Read frames until the client closes, the session finishes, the send task ends, or the
    client stays behind too long; wake the send task whenever the session's output changed.

    This is the per-frame path, so it keeps what it reads per frame in locals and calls no
    coroutine for a frame that needs no waiting.
    """
    session, outgoing, options = conn.session, conn.outgoing, conn.options
    config = session.config
    busy = 0.0  # seconds spent on frames since this task last gave the loop away
    loop = asyncio.get_running_loop()
    async for message in conn.ws:
        started = outgoing.heard_at = loop.time()
        if conn.faults is not None:
            conn.faults.heard()
        read = await _read_off_loop(session, message) if _is_long(message) else None
        head, unsent = session.output_head, session.unsent_events
        feed(session, message, options.observer, read)
        if session.config is not config:  # a session.update: perhaps another voice
            config = session.config
            voices.warm(config.get("voice"))
        if session.finished or sender.done():
            outgoing.wake.set()
            break
        now_unsent = session.unsent_events
        if now_unsent != unsent or session.output_head is not head:
            outgoing.wake.set()  # the session's output changed: the only reason to wake it
        if _behind(conn, now_unsent) and not await _client_keeps_up(conn):
            break
        busy += loop.time() - started
        if busy >= STEP_BUDGET_S:  # frames already buffered are read without waiting
            busy = 0.0
            await asyncio.sleep(0)


def _is_long(message: WSMessage) -> bool:
    """A text frame long enough to be read and schema-checked off the event loop."""
    return message.type == WSMsgType.TEXT and len(message.data) > inbound.OFF_LOOP_CHARS


async def _read_off_loop(session: Session, message: WSMessage) -> Read:
    """Read and check a long frame in a worker thread (Session.vet_frame), so parsing it does
    not hold up other sessions."""
    return await asyncio.to_thread(session.vet_frame, message.data)


async def _after_receiving(conn: Connection, sender: asyncio.Task[None]) -> None:
    """The frames stopped: let the send task finish a finished session; else the client closed
    first, and a strict replay it cut short is reported."""
    session = conn.session
    if session.finished or sender.done():
        await sender
    elif (report := session.client_closed()) is not None:
        log.error("session %s: %s", session.id, report)
        if conn.options.observer is not None:
            conn.options.observer.failure(session.id, ReplayMismatch(report))


def _behind(conn: Connection, unsent: int) -> bool:
    """With `unsent` events waiting, the client is not reading what it is sent."""
    return limits.backlogged(unsent, conn.options.max_unsent_events, conn.request.transport)


def _client_behind(conn: Connection) -> bool:
    """The client is not reading what it is sent (the predicate :func:`_client_keeps_up` polls)."""
    return _behind(conn, conn.session.unsent_events)


async def _client_keeps_up(conn: Connection) -> bool:
    """Backpressure: while the client is behind, its frames are not read (TCP pushes back on
    it); False once it has stayed behind too long, after closing with 1008."""
    options = conn.options
    if await limits.wait_for_reader(
        functools.partial(_client_behind, conn), options.slow_reader_close_s
    ):
        return True
    log.info(
        "session %s: the client has not read its events for %g s; closing with %d",
        conn.session.id,
        options.slow_reader_close_s,
        limits.SLOW_READER,
    )
    with contextlib.suppress(asyncio.TimeoutError, ConnectionError):
        # The close frame is queued at once; waiting for the client's reply is bounded.
        await asyncio.wait_for(
            conn.ws.close(code=limits.SLOW_READER, message=b"client is not reading"), CLOSE_WAIT_S
        )
    return False


def feed(
    session: Session, message: WSMessage, observer: Observer | None, read: Read | None = None
) -> None:
    """Hand one data frame (or what reading it off the loop gave) to the session; a failure
    inside the mock becomes `server_error` + 1011. Other frames (ping, close) are ignored."""
    if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
        return
    try:
        if read is not None:
            session.receive_read(*read)
        elif message.type == WSMsgType.TEXT:
            session.receive_text(message.data)
        else:
            session.receive_binary(message.data)
        if session.departure is not None:
            log.error("session %s: %s", session.id, session.departure)
            if observer is not None:
                observer.failure(session.id, ReplayMismatch(session.departure))
    except StrictModeViolation as exc:
        log.exception(
            "strict mode: session %s produced an event that breaks its schema", session.id
        )
        session.fail("The mock server produced an invalid event (strict mode).")
        if observer is not None:
            observer.failure(session.id, exc)
    except Exception as exc:  # a bug in the mock: the documented server_error, then close
        log.exception("session %s failed", session.id)
        session.fail("The mock server failed on this event.")
        if observer is not None:
            observer.failure(session.id, exc)
