"""The aiohttp glue: handshake checks, then frames in → :class:`Session` → paced frames out.

Nothing protocol-specific lives here beyond the handshake (model query, Bearer key), which the
real service checks before the WebSocket exists (events.md §1.3), so a bad key or model never
gets a WebSocket: it gets an HTTP error with a DashScope-style JSON body.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import functools
import logging
import time
from dataclasses import dataclass, field

from aiohttp import WSMessage, WSMsgType, web

from .._version import __version__
from ..answers.corpus import CorpusResponder, load_corpus
from ..answers.responder import Responder
from ..families import REGISTRY
from ..media.opus import libopus_available
from ..protocol import inbound
from ..protocol.behaviour import Behaviour
from ..protocol.schema_checks import StrictModeViolation
from ..replay.format import schemas_hash
from ..replay.matchers import ReplayMismatch, ReplayReferee
from ..replay.responders import (
    MatchingResponder,
    ScriptedResponder,
)
from ..replay.store import Fixture, library_root, load_library
from ..session.base import ClientReferee, Playback, SchemaVerdict, Session
from ..session.registry import Model
from . import accepting, limits, voices
from .building import BuildQueue
from .faults import FaultPlan
from .frames import frame_of
from .handshake import REALTIME_PATH, check_api_key, check_model, http_error, unknown_path
from .injector import FaultInjector, handshake_refusal, plan_for, scenario_plan, session_cap
from .observers import Observer, Tee
from .options import ServerOptions
from .pacing import Pace, Pacer

__all__ = [
    "REALTIME_PATH",
    "build_responder",
    "create_app",
    "http_error",
]

log = logging.getLogger("mockserver")

MAX_FRAME_BYTES = 32 * 1024 * 1024  # a 15 MiB audio payload, base64-encoded, fits
# A session's receive or send task gives the event loop away after this much work in one go, so
# one busy session never holds up the others for long (issue 16: steps under 5 ms).
STEP_BUDGET_S = 0.002
CLOSE_WAIT_S = 2.0  # how long one send of a closing server waits for a client that does not read


def build_responder(options: ServerOptions) -> CorpusResponder:
    """The responder every session of this server shares (stateless)."""
    folder = options.fixtures_folder
    corpus_file = folder / "corpus.json" if folder else None
    if corpus_file is not None and corpus_file.is_file():
        return CorpusResponder(load_corpus(corpus_file))
    return CorpusResponder()


def build_library(options: ServerOptions) -> dict[str, Fixture]:
    """The fixtures under DIR/scenarios, or DIR itself as `record --out DIR` writes it
    (ValueError when one is malformed or the default is unknown)."""
    folder = options.fixtures_folder
    root = library_root(folder) if folder else None
    library = load_library(root) if root is not None and root.is_dir() else {}
    current = schemas_hash()
    for name, fixture in library.items():
        scenario_plan(fixture.header, f"scenario {name}")  # a bad fault fails at start-up
        if fixture.header.get("schemas") != current:
            stale = (
                f"fixture {name!r} was recorded against other schemas "
                f"({fixture.header.get('schemas')}, now {current}): re-record it, or run "
                "`make fixtures` for the bundled library"
            )
            if options.strict:
                raise ValueError(stale)
            log.warning("%s", stale)
    if options.scenario and options.scenario not in library:
        raise ValueError(
            f"--scenario {options.scenario!r} is not among the fixtures ({', '.join(library) or 'none'})"
        )
    return library


def library_summary(app: web.Application) -> str:
    """How many scenarios the app loaded and from where (the serve banner prints it)."""
    folder = app[OPTIONS_KEY].fixtures_folder
    if folder is None:
        return "No fixtures loaded (--fixtures DIR replays recorded sessions)"
    library = app[LIBRARY_KEY]
    return f"Loaded {len(library)} scenario{'s' * (len(library) != 1)} from {library_root(folder)}"


OPTIONS_KEY = web.AppKey("options", ServerOptions)
LIBRARY_KEY: web.AppKey[dict[str, Fixture]] = web.AppKey("library", dict)
SCENARIO_HEADER = "X-Mock-Scenario"
RESPONDER_KEY = web.AppKey("responder", CorpusResponder)
SENDERS_KEY: web.AppKey[set[asyncio.Task[None]]] = web.AppKey("senders", set)
BUILDS_KEY: web.AppKey[BuildQueue] = web.AppKey("builds", BuildQueue)
REFUSED_KEY: web.AppKey[collections.Counter] = web.AppKey("refused", collections.Counter)
SOCKETS_KEY: web.AppKey[set[web.WebSocketResponse]] = web.AppKey("sockets", set)


@dataclass(frozen=True)
class _Answering:
    """Who answers one session, and who referees it (strict replay)."""

    responder: Responder
    referee: ClientReferee | None = None
    why: str = ""  # how the responder was chosen (the inspector shows it)
    faults: FaultPlan = field(
        default_factory=FaultPlan
    )  # the named scenario's (its header's `faults`)


def _responder_for(request: web.Request, model: Model) -> _Answering | web.Response:
    """Who answers this session: the scenario the client names (query `scenario` or the
    X-Mock-Scenario header) or the server's default, else the fixture the audio matches, else the
    built-in responder. An unknown scenario fails the handshake (400): the HTTP error is returned."""
    options: ServerOptions = request.app[OPTIONS_KEY]
    library = request.app[LIBRARY_KEY]
    fallback = request.app[RESPONDER_KEY]
    name = request.query.get("scenario") or request.headers.get(SCENARIO_HEADER) or options.scenario
    if name:
        if name not in library:
            known = ", ".join(sorted(library)) or "none (start with --fixtures DIR)"
            return http_error(
                400, "InvalidParameter", f"Unknown scenario '{name}'; known: {known}."
            )
        referee = ReplayReferee(library[name]) if options.strict_replay else None
        why = (
            "named in the URL (?scenario=)"
            if request.query.get("scenario")
            else f"named in the {SCENARIO_HEADER} header"
            if request.headers.get(SCENARIO_HEADER)
            else "the server's default scenario (--scenario)"
        )
        faults = scenario_plan(library[name].header, f"scenario {name}")
        responder = ScriptedResponder.from_fixture(library[name], fallback)
        return _Answering(responder, referee, why, faults)
    if library:
        why = "the fixture whose input audio matches answers, else the built-in responder"
        matching = MatchingResponder(library, fallback, model.family.name, options.match_on)
        return _Answering(matching, why=why)
    return _Answering(fallback, why="no fixtures are loaded")


async def _healthz(request: web.Request) -> web.Response:
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


async def _deliver(
    ws: web.WebSocketResponse, session: Session, options: ServerOptions, event: dict
) -> None:
    """Send one server event and show it to the observer."""
    await ws.send_str(frame_of(event))
    if options.observer is not None:
        options.observer.event(session.id, session.model_id, "server", event)


class _Outgoing:
    """What the receive loop tells the send task: `wake` when the session's output changed (or
    it finished), and `heard_at`, the loop time of the client's last frame.

    A frame that changes nothing the send task would act on does not wake it, so an append
    costs no task switch; the fast-pace idle check reads `heard_at` instead (issue 16).
    """

    __slots__ = ("heard_at", "wake")

    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.heard_at = asyncio.get_running_loop().time()


async def _send_loop(
    ws: web.WebSocketResponse,
    session: Session,
    outgoing: _Outgoing,
    pacer: Pacer,
    options: ServerOptions,
    builds: BuildQueue,
    faults: FaultInjector | None = None,
) -> None:
    """Pull events from the session as their time comes; close once it is finished and drained.

    Events are taken only when sent, so a cancel or a barge-in that arrives while a response is
    being paced still finds the unsent rest of it in the session.
    """
    loop = asyncio.get_running_loop()
    wake = outgoing.wake
    dues: dict[str, float] = {}  # event_id → when it is due, fixed when the pacer first sees it
    paced = pacer.pace is not Pace.FAST  # fast pace: every event is due when the session has it
    busy = 0.0  # seconds spent sending since this task last gave the loop away
    while True:
        if session.building_next:
            # The next event is an answer not built yet: it is built in its turn (building.py),
            # so what other sessions have ready (the speech_stopped of utterances that ended
            # together) goes out first.
            await builds.build(lambda: session.building_next, session.peek_event)
            busy = 0.0
        event = session.peek_event()
        if event is None:
            if session.finished:
                break
            dues.clear()
            wake.clear()
            await _wait_for_input(session, outgoing, options)
            busy = 0.0
            continue
        if paced:
            due = dues.get(event["event_id"])
            if due is None:
                due = dues[event["event_id"]] = pacer.due(event, loop.time())
            if due > loop.time():
                # Sleep until it is due or the session has something new (an event may jump
                # ahead).
                wake.clear()
                timer = loop.call_at(due, wake.set)
                try:
                    await wake.wait()
                finally:
                    timer.cancel()
                busy = 0.0
                continue
            dues.pop(event["event_id"], None)
        session.next_event()
        started = time.perf_counter()
        if faults is None:
            await _deliver(ws, session, options, event)
        elif not await faults.send(event):
            return  # a fault ended the connection
        busy += time.perf_counter() - started
        if busy >= STEP_BUDGET_S:  # let other sessions run (send_str rarely has to wait)
            busy = 0.0
            await asyncio.sleep(0)
    if session.close_code == 1000 and not session.expired:
        # Give the client the documented chance to close first (events.md §1.8); the receive
        # loop notices the close and ends this task.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(ws.receive(), options.finish_close_grace_s)
        if ws.close_code is not None:
            return  # the client closed first: its handler answers (limits.answer_close)
    await ws.close(code=session.close_code, message=session.close_reason.encode())


async def _wait_for_input(session: Session, outgoing: _Outgoing, options: ServerOptions) -> None:
    """Wait for the session to have something; in fast pace, report the client's input idle
    (Session.input_idle) once no frame came for `audio_idle_ms` while an answer waits for audio.

    The quiet time is measured from `outgoing.heard_at`, so frames need not wake this task: a
    timer set for the end of the quiet time finds out whether a frame came meanwhile.
    """
    wake = outgoing.wake
    if not session.awaiting_audio:
        await wake.wait()
        return
    loop = asyncio.get_running_loop()
    quiet_s = options.audio_idle_ms / 1000
    while (remaining := outgoing.heard_at + quiet_s - loop.time()) > 0:
        timer = loop.call_later(remaining, wake.set)
        try:
            await wake.wait()
        finally:
            timer.cancel()
        if session.peek_event() is not None or session.finished or not session.awaiting_audio:
            return
        wake.clear()
    await asyncio.sleep(0)  # a frame read in the same loop step goes first
    if loop.time() - outgoing.heard_at >= quiet_s and session.peek_event() is None:
        session.input_idle()


async def _send_or_fail(
    ws: web.WebSocketResponse,
    session: Session,
    outgoing: _Outgoing,
    pacer: Pacer,
    options: ServerOptions,
    builds: BuildQueue,
    faults: FaultInjector | None = None,
) -> None:
    """:func:`_send_loop`; if it fails, report it and close with 1011 (which ends the receive loop)."""
    try:
        await _send_loop(ws, session, outgoing, pacer, options, builds, faults)
    except ConnectionError:  # the client went away while an event was being sent
        log.info("session %s: the client closed the connection", session.id)
    except Exception as exc:
        _report(options.observer, session.id, exc, f"session {session.id} failed")
        await _fail_loudly(ws, session)


async def _fail_loudly(ws: web.WebSocketResponse, session: Session) -> None:
    """A failure while sending is never silent: the documented `server_error`, then close 1011.

    What the session still holds for the client is sent first, each frame on its own, so one
    event that cannot be encoded does not take the error with it.
    """
    session.fail("The mock server failed while sending an event.")
    with contextlib.suppress(ConnectionError, asyncio.TimeoutError):
        for event in session.events_to_send():
            try:
                frame = frame_of(event)
                frame.encode("utf-8")
            except ValueError:  # NaN, or a lone surrogate (UnicodeEncodeError) from a fixture
                continue
            await asyncio.wait_for(ws.send_str(frame), CLOSE_WAIT_S)
    await ws.close(code=1011, message=b"server error")


async def _realtime(request: web.Request) -> web.StreamResponse:
    """The handshake checks, then one session over the WebSocket until it closes.

    Whatever fails inside the mock once the WebSocket exists (opening the session, the send task,
    the receive loop) is logged, reported to the observer and ends the connection with 1011.
    """
    options: ServerOptions = request.app[OPTIONS_KEY]
    denied = check_api_key(request, options.api_key)
    if denied is not None:
        return denied
    model = check_model(request)
    if isinstance(model, web.Response):
        return model
    answering = _responder_for(request, model)
    if isinstance(answering, web.Response):
        return answering
    faults = plan_for(request, options.fault_plan, answering.faults)
    if isinstance(faults, web.Response):
        return faults
    if (refusal := handshake_refusal(faults, request.app[REFUSED_KEY])) is not None:
        return refusal
    if (cap := session_cap(faults)) is not None:
        behaviour = dataclasses.replace(
            options.behaviour, session_cap_s=cap.seconds, cap_close_code=cap.close
        )
    else:
        behaviour = options.behaviour
    sockets = request.app[SOCKETS_KEY]
    refused = limits.connection_refused(len(sockets), options.max_connections)
    if refused is not None:
        log.info("refused a connection: %d are open (max_connections)", len(sockets))
        return refused
    # autoclose=False: the client's close code is seen before it is answered (limits.answer_close)
    ws = web.WebSocketResponse(max_msg_size=MAX_FRAME_BYTES, autoclose=False)
    sockets.add(ws)
    try:
        await ws.prepare(request)
        return await _serve_socket(request, ws, model, answering, behaviour, faults)
    finally:
        sockets.discard(ws)


async def _serve_socket(
    request: web.Request,
    ws: web.WebSocketResponse,
    model: Model,
    answering: _Answering,
    behaviour: Behaviour,
    faults: FaultPlan,
) -> web.WebSocketResponse:
    """One session over the prepared WebSocket until it closes."""
    options: ServerOptions = request.app[OPTIONS_KEY]
    try:
        session = REGISTRY.open_session(
            model,
            responder=answering.responder,
            behaviour=behaviour,
            strict=options.strict,
            referee=answering.referee,
            playback=Playback.AUDIO_TIME if options.pace is Pace.FAST else Playback.TRANSPORT,
        )
    except Exception as exc:  # strict mode (session.created breaks its schema) or a bug
        _report(options.observer, None, exc, f"opening a {model.model_id} session failed")
        await ws.close(code=1011, message=b"server error")
        return ws
    try:
        await _converse(request, ws, session, answering, faults)
    except ConnectionError:  # an ordinary hang-up (issue 15): one line, no traceback
        log.info("session %s: the client closed the connection", session.id)
    except Exception as exc:
        _report(options.observer, session.id, exc, f"session {session.id} failed")
        await ws.close(code=1011, message=b"server error")
    await limits.answer_close(ws)
    if options.watcher is not None:
        options.watcher.closed(session.id, ws.close_code)
    log.info("session %s closed", session.id)
    return ws


def _report(observer: Observer | None, session_id: str | None, error: Exception, what: str) -> None:
    """Log a failure inside the mock and hand it to the observer (the pytest plugin fails the test)."""
    log.error("%s: %s: %s", what, type(error).__name__, error, exc_info=error)
    if observer is not None:
        observer.failure(session_id, error)


async def _converse(
    request: web.Request,
    ws: web.WebSocketResponse,
    session: Session,
    answering: _Answering,
    plan: FaultPlan,
) -> None:
    """Feed the client's frames to `session` while a send task paces out what it produces."""
    options: ServerOptions = request.app[OPTIONS_KEY]
    faults = (
        FaultInjector(plan, ws, request, functools.partial(_deliver, ws, session, options))
        if plan
        else None
    )
    if options.observer is not None:
        session.client_event_listener = functools.partial(
            options.observer.event, session.id, session.model_id, "client"
        )
    if options.watcher is not None:
        options.watcher.opened(session, answering.responder, answering.why)
    _announce_replay(session, answering, options.observer, request.headers.get("User-Agent"))
    outgoing = _Outgoing()
    pacer = Pacer(
        options.pace,
        options.first_text_latency_ms,
        options.first_audio_latency_ms,
        options.speed,
        recorded_gaps=answering.responder.recorded_gaps,
        output_sample_rate=lambda: session.output_sample_rate,
    )
    config = session.config
    voices.warm(config.get("voice"))
    sender = asyncio.create_task(
        _send_or_fail(ws, session, outgoing, pacer, options, request.app[BUILDS_KEY], faults)
    )
    if faults is not None:
        faults.start()
    cap = (
        asyncio.get_running_loop().call_later(
            session.session_cap_s, _expire, session, outgoing.wake
        )
        if session.session_cap_s
        else None
    )
    request.app[SENDERS_KEY].add(sender)
    idle = _IdleTimer(ws, options.idle_timeout_s, outgoing)
    try:
        busy = 0.0  # seconds spent on frames since this task last gave the loop away
        loop = asyncio.get_running_loop()
        async for message in ws:
            started = outgoing.heard_at = loop.time()
            if faults is not None:
                faults.heard()
            read = None
            if message.type == WSMsgType.TEXT and len(message.data) > inbound.OFF_LOOP_CHARS:
                read = await asyncio.to_thread(session.vet_frame, message.data)
            head, unsent = session.output_head, session.unsent_events
            _feed(session, message, options.observer, read)
            if session.config is not config:  # a session.update: perhaps another voice
                config = session.config
                voices.warm(config.get("voice"))
            if session.finished or sender.done():
                outgoing.wake.set()
                break
            now_unsent = session.unsent_events
            if now_unsent != unsent or session.output_head is not head:
                outgoing.wake.set()
            if limits.backlogged(
                now_unsent, options.max_unsent_events, request.transport
            ) and not await _client_keeps_up(request, ws, session):
                break
            busy += loop.time() - started
            if busy >= STEP_BUDGET_S:  # frames already buffered are read without waiting
                busy = 0.0
                await asyncio.sleep(0)
        if session.finished or sender.done():
            await sender
        elif (report := session.client_closed()) is not None:
            log.error("session %s: %s", session.id, report)
            if options.observer is not None:
                options.observer.failure(session.id, ReplayMismatch(report))
    finally:
        if faults is not None:
            faults.stop()
        idle.cancel()
        if cap is not None:
            cap.cancel()
        if not sender.done():
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
        request.app[SENDERS_KEY].discard(sender)


def _announce_replay(
    session: Session, answering: _Answering, observer: Observer | None, client: str | None
) -> None:
    """Log at INFO that the session opened, for which model and client, and which fixture it
    replays and why (or that the built-in responder answers), and tell the observer. One line
    when that is known at once; audio matching decides later, once it has heard enough, and
    logs a second line then. (The access log leaves out WebSocket upgrades: this is their line.)
    """
    # The closure below outlives this call (a MatchingResponder keeps it, and the session keeps
    # the responder): it holds the session's id, never the session, so a closed session is freed
    # by reference counting rather than waiting for a full garbage collection (collector.py).
    session_id = session.id
    opened = (
        f"session {session_id} opened for model {session.model_id} ({client or 'no User-Agent'})"
    )

    def replayed(scenario: str | None, reason: str, prefix: str = f"session {session_id}") -> None:
        if scenario is None:
            log.info("%s: the built-in responder answers: %s", prefix, reason)
        else:
            log.info("%s: replays fixture %r: %s", prefix, scenario, reason)
        if observer is not None:
            observer.replayed(session_id, scenario, reason)

    responder = answering.responder
    if isinstance(responder, MatchingResponder):
        log.info("%s", opened)
        responder.on_decided = replayed
    elif isinstance(responder, ScriptedResponder):
        replayed(responder.name, answering.why, opened)
    else:
        replayed(None, answering.why, opened)


def _client_behind(request: web.Request, session: Session, options: ServerOptions) -> bool:
    """The client is not reading what it is sent (the predicate :func:`_client_keeps_up` polls)."""
    return limits.backlogged(session.unsent_events, options.max_unsent_events, request.transport)


async def _client_keeps_up(
    request: web.Request, ws: web.WebSocketResponse, session: Session
) -> bool:
    """Backpressure: while the client is behind, its frames are not read (TCP pushes back on
    it); False once it has stayed behind too long, after closing with 1008."""
    options: ServerOptions = request.app[OPTIONS_KEY]
    if await limits.wait_for_reader(
        functools.partial(_client_behind, request, session, options), options.slow_reader_close_s
    ):
        return True
    log.info(
        "session %s: the client has not read its events for %g s; closing with %d",
        session.id,
        options.slow_reader_close_s,
        limits.SLOW_READER,
    )
    with contextlib.suppress(asyncio.TimeoutError, ConnectionError):
        # The close frame is queued at once; waiting for the client's reply is bounded.
        await asyncio.wait_for(
            ws.close(code=limits.SLOW_READER, message=b"client is not reading"), CLOSE_WAIT_S
        )
    return False


_TIMER_SLACK_S = 0.001  # a timer may run this early (the loop's clock resolution): it is due


class _IdleTimer:
    """ServerOptions.idle_timeout_s: close (1000) after that long without a client frame.

    One timer per quiet stretch, not one per frame: when it fires it reads `heard_at` (the loop
    time of the client's last frame, which the receive loop keeps) and, if a frame came
    meanwhile, sets itself again for the rest of the time.
    """

    def __init__(self, ws: web.WebSocketResponse, timeout_s: float, outgoing: _Outgoing) -> None:
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
        if self._timer is not None:
            self._timer.cancel()


def _expire(session: Session, wake: asyncio.Event) -> None:
    """The session cap (events.md §1.8: Omni 120 minutes) was reached: the server closes."""
    log.info("session %s reached its %s s cap", session.id, session.session_cap_s)
    session.expire()
    wake.set()


def _feed(
    session: Session,
    message: WSMessage,
    observer: Observer | None,
    read: tuple[dict | inbound.Rejected, SchemaVerdict] | None = None,
) -> None:
    """Hand one data frame (or what reading it off the loop gave) to the session; a failure
    inside the mock becomes `server_error` + 1011."""
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


async def _cancel_sessions(app: web.Application) -> None:
    """At shutdown: every client gets 1001 within the grace period, then what is left stops."""
    sockets: set[web.WebSocketResponse] = app[SOCKETS_KEY]
    await limits.close_all(sockets, app[OPTIONS_KEY].shutdown_grace_s)
    senders = app[SENDERS_KEY]
    for task in list(senders):
        task.cancel()


async def start_site(
    app: web.Application, host: str, port: int, *, reuse_port: bool = False
) -> tuple[web.AppRunner, int]:
    """Serve `app` on host:port (0 picks a free port); returns the runner to clean up and the real port.

    `reuse_port`: bind with SO_REUSEPORT, so that several processes serve one port (--workers).
    """
    options = app.get(OPTIONS_KEY)
    grace_s = options.shutdown_grace_s if options is not None else 3.0
    # Handlers still running once every client got its 1001 are cancelled soon after.
    runner = web.AppRunner(
        app, access_log_class=limits.RedactingAccessLogger, shutdown_timeout=grace_s + 1.0
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


@web.middleware
async def _crashes_answer_500(request: web.Request, handler) -> web.StreamResponse:
    """A failure inside the mock before any WebSocket exists: reported, and a 500 naming it."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as exc:
        _report(request.app[OPTIONS_KEY].observer, None, exc, f"{request.method} {request.path}")
        return http_error(
            500, "InternalError", f"The mock server failed: {type(exc).__name__}: {exc}"
        )


def create_app(options: ServerOptions | None = None) -> web.Application:
    """The mock's aiohttp application: the realtime WebSocket route, `GET /healthz`, the
    watcher's pages (the inspector's `/inspect`) when there is a watcher, and a JSON 404 naming
    the realtime URL for any other path."""
    app = web.Application(middlewares=[_crashes_answer_500])
    options = options or ServerOptions()
    if (watcher := options.watcher) is not None:
        options = dataclasses.replace(options, observer=Tee(options.observer, watcher))
        watcher.install(app)
    app[OPTIONS_KEY] = options
    app[SENDERS_KEY] = set()
    app[BUILDS_KEY] = BuildQueue()
    app[REFUSED_KEY] = collections.Counter()
    app[SOCKETS_KEY] = set()
    # Loaded once per process here, not in the first Opus session's loop step (finding the
    # library runs `ldconfig -p`: milliseconds).
    libopus_available()
    app[RESPONDER_KEY] = build_responder(app[OPTIONS_KEY])
    app[LIBRARY_KEY] = build_library(app[OPTIONS_KEY])
    app.router.add_get(REALTIME_PATH, _realtime)
    app.router.add_get("/healthz", _healthz)
    app.router.add_route("*", "/{path:.*}", unknown_path)
    app.on_shutdown.append(_cancel_sessions)
    return app
