"""`python -m dashscope_realtime_mock serve …` (run the mock), `record …` (a recording proxy), `validate FILE.jsonl`."""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import inspect
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeAlias

from ._version import __version__
from .families import REGISTRY
from .generated_docs import behaviours_page, models_table, synopsis
from .inspector import INSPECT_PATH, Access, Inspector
from .protocol import behaviour as behaviour_module
from .protocol.behaviour import Behaviour
from .transport import workers
from .transport.answering import library_summary
from .transport.app import create_app, start_site
from .transport.collector import collect_when_quiet
from .transport.handshake import REALTIME_PATH
from .transport.keys import LIBRARY_KEY, SOCKETS_KEY
from .transport.loopwatch import STEPS, unwatch_steps, watch_steps
from .transport.options import (
    OptionError,
    ServerOptions,
    declared_options,
    flag_of,
    options_table,
)

if TYPE_CHECKING:
    from aiohttp import web

    from .transport.recorder import RecorderOptions

__all__ = [
    "PROG",
    "build_parser",
    "fail",
    "generated_blocks",
    "generated_pages",
    "main",
    "readme_blocks",
]

PROG = "python -m dashscope_realtime_mock"  # how the README spells the command

DEFAULT_MODEL = "qwen3-livetranslate-flash-realtime"


Banner = Callable[[int], list[str]]  # the lines to print once the server listens on a port
Commands: TypeAlias = "argparse._SubParsersAction[Parser]"

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


_port.__name__ = "port (0..65535)"


def _upstream(text: str) -> str:
    """`record --upstream`: a WebSocket URL without credentials (one-line error otherwise)."""
    from .transport.recorder import check_upstream

    try:
        return check_upstream(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            str(exc).removeprefix("--upstream: ")
        ) from None  # argparse words a bad value as "invalid <name> value"


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
            "--behaviour NAME=VALUE (the choices where the docs are open; docs/behaviours.md explains each):",
            *rows,
        ]
    )


def build_parser() -> argparse.ArgumentParser:
    """The `realtime-mock` command line: `serve`, `record` and `validate`."""
    parser = Parser(prog="realtime-mock", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_serve(commands)
    _add_record(commands)
    _add_validate(commands)
    return parser


def _add_serve(commands: Commands) -> None:
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
    _add_server_options(serve)
    serve.add_argument(
        "--no-inspector",
        action="store_true",
        help=f"do not keep recent sessions in memory nor serve the inspector page ({INSPECT_PATH})",
    )
    serve.add_argument(
        "--inspector-remote",
        action="store_true",
        help="serve the inspector to clients at any address, not only loopback ones "
        "(with --api-key, it wants the key)",
    )
    serve.add_argument(
        "--inspector-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a Host name the inspector answers to besides IP addresses and localhost (repeatable)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
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
    _add_log_level(serve)


def _add_server_options(serve: argparse.ArgumentParser) -> None:
    """A flag for each ServerOptions field that has one, as its Option declares it; the value
    lands under the field's own name, so `ServerOptions(**...)` takes the namespace as it is."""
    for declared in declared_options():
        option = declared.option
        if option.flag is None:
            continue
        meaning = f"{option.meaning} (default: {declared.shown_default})".replace("%", "%%")
        if option.switch:
            serve.add_argument(
                option.flag, dest=declared.keyword, action="store_true", help=meaning
            )
        elif option.repeat is not None:
            serve.add_argument(
                option.flag,
                dest=declared.keyword,
                action="append",
                default=[],
                metavar=option.metavar,
                help=meaning,
            )
        else:
            serve.add_argument(
                option.flag,
                dest=declared.keyword,
                type=option.parse or str,
                choices=option.choices,
                default=declared.default,
                metavar=option.metavar,
                help=meaning,
            )


def _server_options(args: argparse.Namespace) -> dict[str, object] | str:
    """The ServerOptions keywords `serve` was given (every declared flag, and the inspector),
    or the one-line error of a repeated flag whose values do not make a value."""
    given: dict[str, object] = {}
    for declared in declared_options():
        option = declared.option
        if option.flag is None:
            continue
        value = getattr(args, declared.keyword)
        if option.repeat is not None:
            try:
                value = option.repeat(value)
            except (TypeError, ValueError) as exc:
                return f"{option.flag}: {exc}"
        given[declared.keyword] = value
    access = Access(remote=args.inspector_remote, hosts=tuple(args.inspector_host))
    given["watcher"] = None if args.no_inspector else Inspector(access=access)
    return given


def _add_log_level(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default="INFO",
        help="DEBUG, INFO, WARNING, ERROR or CRITICAL (default: %(default)s)",
    )


def _add_record(commands: Commands) -> None:
    record = commands.add_parser(
        "record", help="a local proxy that records sessions with a live endpoint as fixtures"
    )
    record.add_argument(
        "--upstream",
        required=True,
        type=_upstream,
        metavar="URL",
        help="e.g. wss://dashscope-intl.aliyuncs.com/api-ws/v1/realtime",
    )
    record.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="directory for the recorded fixtures"
    )
    record.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    record.add_argument(
        "--port", type=_port, default=8766, help="port to bind (default: %(default)s)"
    )
    _add_log_level(record)


def _add_validate(commands: Commands) -> None:
    validate = commands.add_parser(
        "validate", help="check a captured session (JSONL) against the schemas"
    )
    validate.add_argument(
        "file", type=Path, metavar="FILE.jsonl", help="one event per line, or the fixture format"
    )
    which = validate.add_mutually_exclusive_group()
    which.add_argument("--model", help="the model the capture was made with (picks the family)")
    which.add_argument(
        "--family", choices=REGISTRY.names(), help="the model family, if no model is given"
    )


def _validate(args: argparse.Namespace) -> int:
    """Print each violation as FILE:LINE: …; exit 1 if there are any."""
    from .replay.capture import validate_lines  # imported here: `serve` starts faster without it

    family = args.family
    if args.model is not None:
        found = REGISTRY.lookup(args.model)
        if found is None:
            served = ", ".join(m.model_id for f in REGISTRY.families() for m in f.models)
            return fail(
                "validate",
                f"unknown model {args.model!r}; the models served: {served} "
                "(and their dated snapshots)",
            )
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


async def _run_forever(
    app: web.Application, host: str, port: int, banner: Banner, reuse_port: bool = False
) -> None:
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


def _serve_banner(host: str, inspector: bool = False) -> Banner:
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


def _record_banner(host: str, options: RecorderOptions) -> Banner:
    """What to point a client at to record through the proxy, and where the fixtures go."""
    dial = LOOPBACK_FOR.get(host, host)
    return lambda port: [
        f"Recording proxy for {options.upstream}: ws://{dial}:{port}{REALTIME_PATH}",
        f"Fixtures are written to {options.out} when each connection ends.",
    ]


def fail(command: str, message: str) -> int:
    """The one-line error of `realtime-mock COMMAND` that cannot run (a bad option, a port in
    use, a worker that does not start): printed to stderr; exit code 2, as argparse's own."""
    print(f"realtime-mock {command}: error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Run `realtime-mock ARGV` (sys.argv when None); returns the exit code."""
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
    command: str,
    app_factory: Callable[[], web.Application],
    host: str,
    port: int,
    banner: Banner,
    reuse_port: bool = False,
) -> int:
    """Build the app and serve it until interrupted; 2 with one line if it cannot start."""
    try:
        asyncio.run(_run_forever(app_factory(), host, port, banner, reuse_port))
    except KeyboardInterrupt:
        pass
    except OSError as exc:  # the port is taken, the address is not ours, ...
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        return fail(
            command,
            f"cannot listen on {host}:{port}: {reason} (pick another --port, or 0 for a free one)",
        )
    except ValueError as exc:  # e.g. a malformed DIR/corpus.json, an unknown --scenario
        return fail(command, str(exc))
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
    given = _server_options(args)
    if isinstance(given, str):
        return fail("serve", given)
    if args.workers < 1:
        return fail("serve", f"--workers: must be at least 1, not {args.workers}")
    try:
        # each value was parsed as its field declares; mypy sees only dict[str, object]
        options = ServerOptions(**given)  # type: ignore[arg-type]
    except OptionError as exc:
        return fail("serve", f"{flag_of(exc.option)}: {exc.problem}")
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
            fail=functools.partial(fail, "serve"),
        )
    return _serve_one(options, args.host, args.port, banner)


def _signal_ready(ready: Callable[[], None]) -> Banner:
    """A worker's banner: it prints nothing and tells the parent the worker listens."""

    def banner(_port: int) -> list[str]:
        ready()
        return []

    return banner


def _serve_one(
    options: ServerOptions, host: str, port: int, banner: Banner, reuse_port: bool = False
) -> int:
    """Serve the mock in this process until interrupted; 2 with one line if it cannot start
    (and nothing after that line: the loop's summary is for a server that ran)."""
    code = 2
    try:
        code = _listen("serve", lambda: create_app(options), host, port, banner, reuse_port)
        return code
    finally:
        if STEPS.steps and code == 0:
            logging.getLogger("mockserver.loop").info(STEPS.summary())


def readme_blocks() -> dict[str, str]:
    """The parts of README.md generated from the code, by the name of their marker comments:
    the synopsis of every command and the table of the models served."""
    return {
        "synopsis": f"```\n{synopsis(build_parser(), PROG)}```\n",
        "models": models_table(REGISTRY.families()),
    }


def generated_blocks() -> dict[str, dict[str, str]]:
    """Every file with parts generated from the code (a path from the repository's top), and
    its blocks by the name of their marker comments.

    ``scripts/write_docs.py`` writes them; tests/mockserver/test_generated_docs.py fails while
    a file differs.
    """
    return {"README.md": readme_blocks(), "docs/options.md": {"options": options_table()}}


def generated_pages() -> dict[str, str]:
    """Every page generated whole from the code, by its path from the repository's top."""
    source = inspect.getsource(behaviour_module)
    return {"docs/behaviours.md": behaviours_page(Behaviour, source)}
