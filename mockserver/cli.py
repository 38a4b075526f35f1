"""`python -m dashscope_realtime_mock serve …` (run the mock), `record …` (a recording proxy), `validate FILE.jsonl`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from ._version import __version__
from .families import REGISTRY
from .inspector import INSPECT_PATH, Inspector
from .protocol.behaviour import Behaviour
from .transport import workers
from .transport.app import (
    LIBRARY_KEY,
    REALTIME_PATH,
    SOCKETS_KEY,
    create_app,
    library_summary,
    start_site,
)
from .transport.collector import collect_when_quiet
from .transport.loopwatch import STEPS, unwatch_steps, watch_steps
from .transport.options import OptionError, ServerOptions
from .transport.pacing import Pace

if TYPE_CHECKING:
    from .transport.recorder import RecorderOptions

__all__ = ["build_parser", "main"]

DEFAULT_MODEL = "qwen3-livetranslate-flash-realtime"


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOOPBACK_FOR = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}  # what a client dials


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error: ``realtime-mock serve: error: …`` and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise ValueError(text)
    return port


_port.__name__ = "port (0..65535)"  # argparse words a bad value as "invalid <name> value"


def _field_list(text: str) -> tuple[str, ...]:
    """`a,b.c` as ("a", "b.c"); the empty string is no fields (ServerOptions checks the names)."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _shown(value: object) -> str:
    """A default as it is typed on the command line (true, not True)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _behaviour_help() -> str:
    """The --behaviour names, their values and defaults (the epilog of `serve --help`)."""
    defaults = Behaviour()
    rows = [
        f"  {name:<30} {values} (default: {_shown(getattr(defaults, name))})"
        for name, values in Behaviour.choices().items()
    ]
    return "\n".join(
        [
            "--behaviour NAME=VALUE (the choices where the docs are open; README explains each):",
            *rows,
        ]
    )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="realtime-mock", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_serve(commands)
    _add_record(commands)
    _add_validate(commands)
    return parser


def _add_serve(commands) -> None:
    defaults = ServerOptions()
    serve = commands.add_parser(
        "serve",
        help="serve the mock realtime WebSocket API",
        description="Serve the mock realtime WebSocket API until interrupted.",
        epilog=_behaviour_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    serve.add_argument(
        "--port",
        type=_port,
        default=8765,
        help="port to bind; 0 picks a free one (default: %(default)s)",
    )
    serve.add_argument(
        "--api-key", default=None, help="accept only this key (default: any non-empty Bearer key)"
    )
    serve.add_argument(
        "--fixtures",
        default=None,
        metavar="DIR|builtin",
        help="corpus.json for the built-in responder and scenarios/*/ to replay; 'builtin' is the "
        "library shipped with the package (default: none)",
    )
    serve.add_argument(
        "--scenario",
        default=None,
        help="replay this fixture in every session unless the client names another "
        "(query ?scenario= or header X-Mock-Scenario) (default: none)",
    )
    serve.add_argument(
        "--pace",
        choices=[p.value for p in Pace],
        default=str(defaults.pace),
        help="fast: send events as soon as they exist; realtime: pace like the live service; "
        "recorded: the gaps of the fixture being replayed, needs --fixtures (default: %(default)s)",
    )
    serve.add_argument(
        "--speed",
        type=float,
        default=defaults.speed,
        help="with --pace realtime or recorded: run this many times faster (default: %(default)s)",
    )
    serve.add_argument(
        "--first-text-latency-ms",
        type=int,
        default=defaults.first_text_latency_ms,
        help="realtime pace: delay from response.created to the first text (default: %(default)s)",
    )
    serve.add_argument(
        "--first-audio-latency-ms",
        type=int,
        default=defaults.first_audio_latency_ms,
        help="realtime pace: delay from response.created to the first audio (default: %(default)s)",
    )
    serve.add_argument(
        "--audio-idle-ms",
        type=int,
        default=defaults.audio_idle_ms,
        help="fast pace: an answer that speech could still cut short plays by the client's audio "
        "time; after this long without a client frame it plays out (default: %(default)s)",
    )
    serve.add_argument(
        "--match-on",
        type=_field_list,
        default=defaults.match_on,
        metavar="FIELD,...",
        help="when several fixtures share the input audio, replay the one whose recorded session "
        "agrees on most of these session fields (dotted paths; '' for audio alone) "
        f"(default: {','.join(defaults.match_on)})",
    )
    serve.add_argument(
        "--strict-replay",
        action="store_true",
        help="with a named scenario: a client event that departs from the recorded ones fails "
        "the session with a report of the matcher that failed (default: off)",
    )
    serve.add_argument(
        "--behaviour",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a choice where the docs are open (repeatable), e.g. omni_session_finish=reject; "
        "the names and values are listed below (default: none changed)",
    )
    serve.add_argument(
        "--faults",
        metavar="SPEC",
        help="inject faults into every connection, e.g. 'seed=1;delay:on=first_audio,ms=800' "
        "(kinds: error, disconnect, delay, idle_timeout, session_cap, reject, drop, duplicate; "
        "see the README) (default: none)",
    )
    serve.add_argument(
        "--strict",
        action="store_true",
        help="validate every server event against the schemas; a violation is logged and ends "
        "the session with server_error + close 1011 (default: off)",
    )
    serve.add_argument(
        "--no-inspector",
        action="store_true",
        help=f"do not keep recent sessions in memory nor serve the inspector page ({INSPECT_PATH})",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="serve the port from this many processes (SO_REUSEPORT; sessions are independent; "
        "each worker keeps its own inspector) (default: %(default)s)",
    )
    serve.add_argument(
        "--slow-step-ms",
        type=float,
        default=5.0,
        help="log a warning when one event-loop step takes this long (0: do not watch) "
        "(default: %(default)s)",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=0,
        help="WebSockets open at once; the next handshake gets HTTP 429 (0: no cap) "
        "(default: %(default)s)",
    )
    serve.add_argument(
        "--idle-timeout",
        type=float,
        default=0.0,
        help="close a session (1000) after this many seconds without a client event; the "
        "service reportedly drops idle sessions after ~300 s (0: never) (default: %(default)s)",
    )
    serve.add_argument(
        "--shutdown-grace",
        type=float,
        default=3.0,
        help="on SIGTERM or SIGINT every client gets close 1001; sends under way finish within "
        "this many seconds, then the process exits 0 (default: %(default)s)",
    )
    _add_log_level(serve)


def _add_log_level(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default="INFO",
        help="DEBUG, INFO, WARNING, ERROR or CRITICAL (default: %(default)s)",
    )


def _add_record(commands) -> None:
    record = commands.add_parser(
        "record", help="a local proxy that records sessions with a live endpoint as fixtures"
    )
    record.add_argument(
        "--upstream",
        required=True,
        help="e.g. wss://dashscope-intl.aliyuncs.com/api-ws/v1/realtime",
    )
    record.add_argument(
        "--out", type=Path, required=True, help="directory for the recorded fixtures"
    )
    record.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    record.add_argument(
        "--port", type=_port, default=8766, help="port to bind (default: %(default)s)"
    )
    _add_log_level(record)


def _add_validate(commands) -> None:
    validate = commands.add_parser(
        "validate", help="check a captured session (JSONL) against the schemas"
    )
    validate.add_argument("file", type=Path, help="one event per line, or the fixture format")
    which = validate.add_mutually_exclusive_group()
    which.add_argument("--model", help="the model the capture was made with (picks the family)")
    which.add_argument(
        "--family", choices=REGISTRY.names(), help="the model family, if no model is given"
    )


def _validate(args) -> int:
    """Print each violation as FILE:LINE: …; exit 1 if there are any."""
    from .replay.capture import validate_lines  # imported here: `serve` starts faster without it

    family = args.family
    if args.model is not None:
        found = REGISTRY.lookup(args.model)
        if found is None:
            print(f"error: unknown model {args.model!r}", file=sys.stderr)
            return 2
        family = found.family.name
    try:
        lines = args.file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    violations, checked, family = validate_lines(lines, family)
    for violation in violations:
        print(f"{args.file}:{violation}")
    print(
        f"{args.file}: {checked} events checked ({family or 'unknown'} family), {len(violations)} violations"
    )
    return 1 if violations else 0


async def _run_forever(app, host: str, port: int, banner, reuse_port: bool = False) -> None:
    """Serve `app` until interrupted; `banner(port)` gives the lines to print once it listens."""
    runner, bound_port = await start_site(app, host, port, reuse_port=reuse_port)
    # What start-up made lives as long as the process: keep the cyclic GC from walking it again
    # and again (a full collection over it is a long pause for every session).
    gc.freeze()
    # The mock (not the recorder) takes over full collections: it knows when no session is live.
    collector = (
        asyncio.create_task(collect_when_quiet(lambda: len(app[SOCKETS_KEY])))
        if SOCKETS_KEY in app
        else None
    )
    lines = banner(bound_port)
    if lines and LIBRARY_KEY in app:  # a worker prints nothing; the recorder has no library
        lines.insert(1, library_summary(app))
    for line in lines:
        print(line, flush=True)
    # SIGTERM and SIGINT stop the server the same way: every client gets close 1001 within
    # ServerOptions.shutdown_grace_s (the app's shutdown), then the process exits 0.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        if collector is not None:
            collector.cancel()
        # Shutting down is not timed: no session waits on it (each is being closed, 1001).
        unwatch_steps()
        await runner.cleanup()


def _serve_banner(host: str, inspector: bool = False):
    """What to paste where: the legacy SDK adds ?model= to its url=; the v2 SDK's ws_url= has it."""
    dial = LOOPBACK_FOR.get(host, host)

    def banner(port: int) -> list[str]:
        base = f"ws://{dial}:{port}{REALTIME_PATH}"
        return [
            f"DashScope realtime mock {__version__} listening on http://{dial}:{port} "
            "(GET /healthz: status, models, scenarios)",
            f'legacy SDK, OmniRealtimeConversation(...): url="{base}"',
            f'v2 SDK, Client().audio.realtime.connect(...): ws_url="{base}?model={DEFAULT_MODEL}"',
            f"reference client and demo: DASHSCOPE_REALTIME_URL={base}",
            f"Models (any of them after ?model=): {', '.join(REGISTRY.supported_models())}",
            *([f"Session inspector: http://{dial}:{port}{INSPECT_PATH}"] if inspector else []),
        ]

    return banner


def _record_banner(host: str, options: RecorderOptions):
    dial = LOOPBACK_FOR.get(host, host)
    return lambda port: [
        f"Recording proxy for {options.upstream}: ws://{dial}:{port}{REALTIME_PATH}",
        f"Fixtures are written to {options.out} when each connection ends.",
    ]


def _fail(command: str, message: str) -> int:
    """The one-line error of a bad option; exit code 2, as argparse's own."""
    print(f"realtime-mock {command}: error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "validate":
        return _validate(args)
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "record":
        return _record(args)
    return _serve(args)


def _listen(
    command: str, app_factory, host: str, port: int, banner, reuse_port: bool = False
) -> int:
    """Build the app and serve it until interrupted; 2 with one line if it cannot start."""
    try:
        asyncio.run(_run_forever(app_factory(), host, port, banner, reuse_port))
    except KeyboardInterrupt:
        pass
    except OSError as exc:  # the port is taken, the address is not ours, ...
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        return _fail(
            command,
            f"cannot listen on {host}:{port}: {reason} (pick another --port, or 0 for a free one)",
        )
    except ValueError as exc:  # e.g. a malformed DIR/corpus.json, an unknown --scenario
        return _fail(command, str(exc))
    return 0


def _record(args: argparse.Namespace) -> int:
    """Run the recording proxy until interrupted."""
    from .transport.recorder import RecorderOptions, create_recorder_app

    options = RecorderOptions(args.upstream, args.out)
    return _listen(
        "record",
        lambda: create_recorder_app(options),
        args.host,
        args.port,
        _record_banner(args.host, options),
    )


def _serve(args: argparse.Namespace) -> int:
    """Run the mock until interrupted; 2 with one line for a bad option or fixture library."""
    try:
        behaviour = Behaviour().with_assignments(args.behaviour)
    except (TypeError, ValueError) as exc:
        return _fail("serve", f"--behaviour: {exc}")
    if args.workers < 1:
        return _fail("serve", f"--workers: must be at least 1, not {args.workers}")
    try:
        options = ServerOptions(
            api_key=args.api_key,
            pace=args.pace,
            first_text_latency_ms=args.first_text_latency_ms,
            first_audio_latency_ms=args.first_audio_latency_ms,
            speed=args.speed,
            audio_idle_ms=args.audio_idle_ms,
            fixtures=args.fixtures,
            scenario=args.scenario,
            strict_replay=args.strict_replay,
            match_on=args.match_on,
            behaviour=behaviour,
            strict=args.strict,
            watcher=None if args.no_inspector else Inspector(),
            faults=args.faults,
            max_connections=args.max_connections,
            idle_timeout_s=args.idle_timeout,
            shutdown_grace_s=args.shutdown_grace,
        )
    except OptionError as exc:
        return _fail("serve", f"--{exc.option.replace('_', '-')}: {exc.problem}")
    if args.slow_step_ms > 0:
        watch_steps(args.slow_step_ms)
    banner = _serve_banner(args.host, inspector=not args.no_inspector)
    if args.workers > 1:
        return workers.serve(
            args.workers,
            lambda port, ready: _serve_one(
                options, args.host, port, _signal_ready(ready), reuse_port=True
            ),
            args.host,
            args.port,
            banner,
        )
    return _serve_one(options, args.host, args.port, banner)


def _signal_ready(ready):
    """A worker's banner: it prints nothing and tells the parent the worker listens."""

    def banner(_port: int) -> list[str]:
        ready()
        return []

    return banner


def _serve_one(
    options: ServerOptions, host: str, port: int, banner, reuse_port: bool = False
) -> int:
    """Serve the mock in this process until interrupted; 2 with one line if it cannot start."""
    try:
        return _listen("serve", lambda: create_app(options), host, port, banner, reuse_port)
    finally:
        if STEPS.steps:
            logging.getLogger("mockserver.loop").info(STEPS.summary())
