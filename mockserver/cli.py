"""`python -m mockserver serve …` (run the mock), `record …` (a recording proxy), `validate FILE.jsonl`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .core.behaviour import Behaviour
from .families import REGISTRY
from .transport import workers
from .transport.app import REALTIME_PATH, ServerOptions, create_app, start_site
from .transport.pacing import Pace

if TYPE_CHECKING:
    from .transport.recorder import RecorderOptions

__all__ = ["build_parser", "main"]

DEFAULT_MODEL = "qwen3-livetranslate-flash-realtime"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="realtime-mock", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the mock realtime WebSocket API")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=8765, help="port to bind; 0 picks a free one (default: 8765)"
    )
    serve.add_argument(
        "--api-key", default=None, help="accept only this key (default: any non-empty Bearer key)"
    )
    serve.add_argument(
        "--fixtures",
        type=Path,
        default=None,
        help="fixtures directory: corpus.json for the built-in responder, scenarios/*/ to replay",
    )
    serve.add_argument(
        "--scenario",
        default=None,
        help="replay this fixture in every session unless the client names another "
        "(query ?scenario= or header X-Mock-Scenario)",
    )
    serve.add_argument(
        "--pace",
        choices=[p.value for p in Pace],
        default="fast",
        help="fast: send events as soon as they exist; realtime: pace like the live service; "
        "recorded: the gaps of the fixture being replayed",
    )
    serve.add_argument(
        "--first-text-latency-ms",
        type=int,
        default=300,
        help="realtime pace: delay from response.created to the first text",
    )
    serve.add_argument(
        "--first-audio-latency-ms",
        type=int,
        default=500,
        help="realtime pace: delay from response.created to the first audio",
    )
    serve.add_argument(
        "--strict-replay",
        action="store_true",
        help="with a named scenario: a client event that departs from the recorded ones fails "
        "the session with a report of the matcher that failed",
    )
    serve.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="with --pace realtime or recorded: run this many times faster (default: 1)",
    )
    serve.add_argument(
        "--behaviour",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a choice where the docs are open (repeatable), e.g. "
        "omni_session_finish=reject; see the README for the list",
    )
    serve.add_argument(
        "--strict",
        action="store_true",
        help="validate every server event against schemas/; a violation is logged and ends "
        "the session with server_error + close 1011",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="serve the port from this many processes (SO_REUSEPORT; sessions are independent)",
    )
    serve.add_argument(
        "--slow-step-ms",
        type=float,
        default=5.0,
        help="log a warning when one event-loop step takes this long (0: do not watch)",
    )
    serve.add_argument("--log-level", default="INFO")
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
    record.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    record.add_argument("--port", type=int, default=8766, help="port to bind (default: 8766)")
    record.add_argument("--log-level", default="INFO")
    validate = commands.add_parser(
        "validate", help="check a captured session (JSONL) against schemas/"
    )
    validate.add_argument("file", type=Path, help="one event per line, or the fixture format")
    which = validate.add_mutually_exclusive_group()
    which.add_argument("--model", help="the model the capture was made with (picks the family)")
    which.add_argument(
        "--family", choices=REGISTRY.names(), help="the model family, if no model is given"
    )
    return parser


def _validate(args) -> int:
    """Print each violation as FILE:LINE: …; exit 1 if there are any."""
    from .capture import validate_lines  # imported here: `serve` starts faster without it

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
    for line in banner(bound_port):
        print(line, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def _serve_banner(host: str):
    return lambda port: [
        f"DashScope realtime mock {__version__} listening on http://{host}:{port}",
        f"WebSocket URL: ws://{host}:{port}{REALTIME_PATH}?model={DEFAULT_MODEL}",
        f"Models: {', '.join(REGISTRY.supported_models())}",
    ]


def _record_banner(host: str, options: RecorderOptions):
    return lambda port: [
        f"Recording proxy for {options.upstream}: ws://{host}:{port}{REALTIME_PATH}",
        f"Fixtures are written to {options.out} when each connection ends.",
    ]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "validate":
        return _validate(args)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "record":
        return _record(args)
    return _serve(args)


def _record(args: argparse.Namespace) -> int:
    """Run the recording proxy until interrupted."""
    from .transport.recorder import RecorderOptions, create_recorder_app

    with contextlib.suppress(KeyboardInterrupt):
        options = RecorderOptions(args.upstream, args.out)
        asyncio.run(
            _run_forever(
                create_recorder_app(options),
                args.host,
                args.port,
                _record_banner(args.host, options),
            )
        )
    return 0


def _serve(args: argparse.Namespace) -> int:
    """Run the mock until interrupted; 2 for a bad option or fixture library."""
    if args.fixtures is not None and not args.fixtures.is_dir():
        print(f"error: --fixtures {args.fixtures} is not a directory", file=sys.stderr)
        return 2
    try:
        behaviour = Behaviour().with_assignments(args.behaviour)
    except (TypeError, ValueError) as exc:
        print(f"error: --behaviour: {exc}", file=sys.stderr)
        return 2
    options = ServerOptions(
        api_key=args.api_key,
        pace=args.pace,
        first_text_latency_ms=args.first_text_latency_ms,
        first_audio_latency_ms=args.first_audio_latency_ms,
        speed=args.speed,
        fixtures=args.fixtures,
        scenario=args.scenario,
        strict_replay=args.strict_replay,
        behaviour=behaviour,
        strict=args.strict,
    )
    if args.workers < 1:
        print(f"error: --workers must be at least 1, not {args.workers}", file=sys.stderr)
        return 2
    if args.slow_step_ms > 0:
        from .transport.loopwatch import watch_steps

        watch_steps(args.slow_step_ms)
    if args.workers > 1:
        return workers.serve(
            args.workers,
            lambda port, ready: _serve_one(
                options, args.host, port, _signal_ready(ready), reuse_port=True
            ),
            args.host,
            args.port,
            _serve_banner(args.host),
        )
    return _serve_one(options, args.host, args.port, _serve_banner(args.host))


def _signal_ready(ready):
    """A worker's banner: it prints nothing and tells the parent the worker listens."""

    def banner(_port: int) -> list[str]:
        ready()
        return []

    return banner


def _serve_one(
    options: ServerOptions, host: str, port: int, banner, reuse_port: bool = False
) -> int:
    """Serve the mock in this process until interrupted; 2 for a bad fixture library."""
    try:
        asyncio.run(_run_forever(create_app(options), host, port, banner, reuse_port))
    except KeyboardInterrupt:
        pass
    except ValueError as exc:  # e.g. a malformed DIR/corpus.json
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        from .transport.loopwatch import STEPS

        if STEPS.steps:
            logging.getLogger("mockserver.loop").info(STEPS.summary())
    return 0
