"""`realtime-mock record --upstream URL --out DIR`: a recording proxy in front of a realtime endpoint.

The client connects to the proxy exactly as it would to the service, with its own key; the proxy
opens the same path upstream with the same Authorization header and relays every frame both ways,
unchanged. When the connection ends a fixture is written under DIR (the API key is never written
or logged), with the audio extracted to WAV, read back with the fixture loader before it takes its
place (a recording that cannot be read is never left behind), and checked against `schemas/`.
The client's close is answered after the write: 1011 with the reason when it failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import WSMsgType, web
from yarl import URL

from ..replay.capture import validate_lines
from ..replay.recording import Recording
from ..replay.store import TRANSCRIPT, load, save
from .handshake import REALTIME_PATH, http_error

__all__ = ["RecorderOptions", "check_upstream", "create_recorder_app"]

log = logging.getLogger("mockserver.recorder")
FORWARDED = (
    "authorization",
    "user-agent",
    "x-dashscope-workspace",
    "x-dashscope-datainspection",
    "openai-beta",
)


_SCHEMES = ("wss", "ws", "https", "http")


def check_upstream(text: str) -> str:
    """`text` if it is a URL the proxy can open a WebSocket to, else ValueError in one line.

    A WebSocket (or HTTP) scheme and a host; no user or password: the client's own key goes
    upstream in its Authorization header, and a URL's credentials would be sent beside it (and
    shown in every log line naming the upstream), so they are refused rather than guessed at.
    """
    shown = text if len(text) <= 120 else text[:117] + "..."
    try:
        url = URL(text)
        host = url.host
    except (ValueError, TypeError) as exc:
        raise ValueError(f"--upstream: {shown!r} is not a URL ({exc})") from None
    if url.scheme not in _SCHEMES or not host:
        raise ValueError(
            f"--upstream: {shown!r} is not a WebSocket URL; give e.g. "
            "wss://dashscope-intl.aliyuncs.com/api-ws/v1/realtime"
        )
    if url.user is not None or url.password is not None:
        raise ValueError(
            "--upstream: the URL carries a user or password; remove it (the client's own key "
            "is forwarded in its Authorization header)"
        )
    if url.query_string or url.fragment:
        raise ValueError(
            "--upstream: give the URL without a query or fragment (?model= comes from the client)"
        )
    return text


@dataclass
class RecorderOptions:
    upstream: str  # e.g. wss://dashscope-intl.aliyuncs.com/api-ws/v1/realtime
    out: Path
    saved: list[Path] | None = None  # the fixtures written, for whoever wants to know (tests)

    def __post_init__(self) -> None:
        self.upstream = check_upstream(self.upstream)


RECORDER_KEY = web.AppKey("recorder", RecorderOptions)


def _upstream_url(options: RecorderOptions, request: web.Request) -> str:
    base = options.upstream.rstrip("/")
    if not base.endswith(REALTIME_PATH):
        base += REALTIME_PATH
    return f"{base}?{request.query_string}" if request.query_string else base


async def _relay(
    source: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
    target: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
    direction: str,
    recording: Recording,
    started: float,
) -> None:
    loop = asyncio.get_running_loop()
    async for message in source:
        if message.type == WSMsgType.TEXT:
            with contextlib.suppress(ValueError):
                recording.add(
                    round((loop.time() - started) * 1000), direction, json.loads(message.data)
                )
            await target.send_str(message.data)
        elif message.type == WSMsgType.BINARY:
            await target.send_bytes(message.data)
        else:
            break


async def _proxy(request: web.Request) -> web.StreamResponse:
    options: RecorderOptions = request.app[RECORDER_KEY]
    model = request.query.get("model")
    if not model:
        return http_error(400, "InvalidParameter", "Missing required query parameter: 'model'.")
    headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED}
    http = aiohttp.ClientSession()
    try:
        upstream = await http.ws_connect(
            _upstream_url(options, request), headers=headers, max_msg_size=0
        )
    except aiohttp.WSServerHandshakeError as exc:
        await http.close()
        return http_error(
            exc.status, "UpstreamRefused", f"The upstream refused the connection: {exc.message}"
        )
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        await http.close()
        return http_error(502, "UpstreamUnreachable", f"The upstream could not be reached: {exc}")
    # autoclose=False: the client's close is answered once the recording is written (or not)
    ws = web.WebSocketResponse(max_msg_size=0, autoclose=False)
    await ws.prepare(request)
    today = datetime.date.today().isoformat()
    recording = Recording(model, provenance="recorded-live", date=today)
    started = asyncio.get_running_loop().time()
    pumps = [
        asyncio.create_task(_relay(ws, upstream, "client", recording, started)),
        asyncio.create_task(_relay(upstream, ws, "server", recording, started)),
    ]
    try:
        await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # the upstream closed first: relay its code (a cancelled read would set 1006)
        upstream_code = upstream.close_code if pumps[1].done() else None
        for pump in pumps:
            pump.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)
        await upstream.close()
        await http.close()
        problem = _write(options, recording, model)
        if problem is not None:
            await ws.close(code=1011, message=_close_reason(problem))
        await ws.close(code=upstream_code or 1000)
    return ws


def _write(options: RecorderOptions, recording: Recording, model: str) -> str | None:
    """Save the fixture where `serve --fixtures` finds it, only once it reads back; None when
    saved, else the problem (logged as an ERROR: a lost recording is never silent)."""
    try:
        fixture = recording.fixture()
        session_id = (fixture.header.get("session") or {}).get("id") or "session"
        name = re.sub(r"[^\w.-]", "_", f"{fixture.header['date']}-{model}-{session_id}")
        fixture.header["scenario"] = name
        directory = options.out / name
        options.out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=options.out, prefix=".recording-") as staging:
            written = Path(staging) / name
            save(fixture, written)
            load(written)  # what `serve --fixtures` will do: a broken fixture fails here
            if directory.exists():
                shutil.rmtree(directory)
            written.rename(directory)
    except Exception as exc:  # an unwritable DIR, an unreadable fixture: say so, keep serving
        problem = f"{type(exc).__name__}: {exc}"
        log.error("the recording of a %s session was not saved: %s", model, problem)
        return problem
    violations, checked, _ = validate_lines(
        (directory / TRANSCRIPT).read_text(encoding="utf-8").splitlines()
    )
    log.info("recorded %s: %d events, %d schema violations", directory, checked, len(violations))
    for violation in violations:
        log.warning("%s:%s", directory / TRANSCRIPT, violation)
    if options.saved is not None:
        options.saved.append(directory)
    return None


def _close_reason(problem: str) -> bytes:
    """The 1011 reason: within a close frame's 123 bytes, keeping the end (where the cause is)."""
    reason = f"recording not saved: {problem}".encode("ascii", "replace")
    return reason if len(reason) <= 123 else b"recording not saved: ..." + reason[-99:]


def create_recorder_app(options: RecorderOptions) -> web.Application:
    app = web.Application()
    app[RECORDER_KEY] = options
    app.router.add_get(REALTIME_PATH, _proxy)
    return app
