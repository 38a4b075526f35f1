"""A connection's send task: it takes each event from the session when it is due, sends it,
and closes the WebSocket once the session is finished and drained.

Events are taken only when sent, so a cancel or a barge-in that arrives while a response is
being paced still finds the unsent rest of it in the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from .connection import CLOSE_WAIT_S, STEP_BUDGET_S, Connection
from .frames import frame_of
from .pacing import Pace

__all__ = ["send_or_fail", "wait_for_input"]

log = logging.getLogger("mockserver")

IDLE_CONFIRM_S = 0.02  # see wait_for_input


async def send_or_fail(conn: Connection) -> None:
    """The send task: :func:`_send_loop`; if it fails, report it and close with 1011 (which ends
    the receive loop)."""
    try:
        await _send_loop(conn)
    except ConnectionError:  # the client went away while an event was being sent
        log.info("session %s: the client closed the connection", conn.session.id)
    except Exception as exc:
        conn.report(exc, f"session {conn.session.id} failed")
        await _fail_loudly(conn)


async def _send_loop(conn: Connection) -> None:
    """Pull events from the session as their time comes; close once it is finished and drained."""
    session = conn.session
    dues: dict[str, float] = {}  # event_id → when it is due, fixed when the pacer first sees it
    paced = (
        conn.pacer.pace is not Pace.FAST
    )  # fast pace: every event is due when the session has it
    busy = 0.0  # seconds spent sending since this task last gave the loop away
    while True:
        if session.building_next:
            # The next event is an answer not built yet: it is built in its turn (building.py),
            # so what other sessions have ready (the speech_stopped of utterances that ended
            # together) goes out first.
            await conn.builds.build(lambda: session.building_next, session.peek_event)
            busy = 0.0
        # the step's cost counts the session's making of the event (a chunk of a long answer,
        # its audio encoded), not only its delivery: 2 ms of sends made 5-6 ms steps
        started = time.perf_counter()
        event = session.peek_event()
        if event is None:
            if session.finished:
                break
            dues.clear()
            conn.outgoing.wake.clear()
            await wait_for_input(conn)
            busy = 0.0
            continue
        if paced and await _waited_until_due(conn, event, dues):
            busy = 0.0
            continue
        session.next_event()
        if conn.faults is None:
            await conn.deliver(event)
        elif not await conn.faults.send(event):
            return  # a fault ended the connection
        busy += time.perf_counter() - started
        if busy >= STEP_BUDGET_S:  # let other sessions run (send_str rarely has to wait)
            busy = 0.0
            await asyncio.sleep(0)
    await _close_when_drained(conn)


async def _waited_until_due(
    conn: Connection, event: dict[str, Any], dues: dict[str, float]
) -> bool:
    """Paced: if `event` is not due yet, sleep until it is or the session has something new (an
    event may jump ahead) and return True (look at the session again); False when it is due."""
    loop = asyncio.get_running_loop()
    due = dues.get(event["event_id"])
    if due is None:
        due = dues[event["event_id"]] = conn.pacer.due(event, loop.time())
    if due <= loop.time():
        dues.pop(event["event_id"], None)
        return False
    wake = conn.outgoing.wake
    wake.clear()
    timer = loop.call_at(due, wake.set)
    try:
        await wake.wait()
    finally:
        timer.cancel()
    return True


async def _close_when_drained(conn: Connection) -> None:
    """The session is finished and everything is sent: close with the session's code."""
    session, ws = conn.session, conn.ws
    if session.close_code == 1000 and not session.expired:
        # Give the client the documented chance to close first (docs/protocol/events.md §1.8);
        # the receive loop notices the close and ends this task.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(ws.receive(), conn.options.finish_close_grace_s)
        if ws.close_code is not None:
            return  # the client closed first: its handler answers (limits.answer_close)
    await ws.close(code=session.close_code, message=session.close_reason.encode())


async def wait_for_input(conn: Connection) -> None:
    """Wait for the session to have something; in fast pace, report the client's input idle
    (Session.input_idle) once no frame came for `audio_idle_ms` while an answer waits for audio.

    The quiet time is measured from `outgoing.heard_at`, so frames need not wake this task: a
    timer set for the end of the quiet time finds out whether a frame came meanwhile.
    """
    session, outgoing = conn.session, conn.outgoing
    wake = outgoing.wake
    if not session.awaiting_audio:
        await wake.wait()
        return
    loop = asyncio.get_running_loop()
    quiet_s = conn.options.audio_idle_ms / 1000
    while (remaining := outgoing.heard_at + quiet_s - loop.time()) > 0:
        timer = loop.call_later(remaining, wake.set)
        try:
            await wake.wait()
        finally:
            timer.cancel()
        if session.peek_event() is not None or session.finished or not session.awaiting_audio:
            return
        wake.clear()
    # The quiet time is up; before calling the input idle, give the loop a short stretch of
    # running time: after a stall of the whole process (a loaded machine) the timer is overdue,
    # and a frame the client had ready goes first instead of losing the race.
    await asyncio.sleep(IDLE_CONFIRM_S)
    if loop.time() - outgoing.heard_at >= quiet_s and session.peek_event() is None:
        session.input_idle()


async def _fail_loudly(conn: Connection) -> None:
    """A failure while sending is never silent: the documented `server_error`, then close 1011.

    What the session still holds for the client is sent first, each frame on its own, so one
    event that cannot be encoded does not take the error with it.
    """
    conn.session.fail("The mock server failed while sending an event.")
    with contextlib.suppress(ConnectionError, asyncio.TimeoutError):
        for event in conn.session.events_to_send():
            try:
                frame = frame_of(event)
                frame.encode("utf-8")
            except ValueError:  # NaN, or a lone surrogate (UnicodeEncodeError) from a fixture
                continue
            await asyncio.wait_for(conn.ws.send_str(frame), CLOSE_WAIT_S)
    await conn.ws.close(code=1011, message=b"server error")
