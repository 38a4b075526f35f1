"""The client of the real-time benchmark: a lean WebSocket client, so the lateness it reports is
the server's and not its own.

Why not aiohttp's client: at a thousand sessions in lockstep every utterance ends in the same
100 ms, and the client gets about five events per session at once. aiohttp hands each message to
its session's task, tens of microseconds apiece; the arrival stamps of the last sessions then
waited 150-250 ms in the client itself while the server had written them 40-110 ms after the
chunk (measured inside the server). Here one `asyncio.Protocol` per session reads the frames as
the bytes come in and stamps each there, and a timer (no task) sends each chunk when it is due.

What it does is what bench_load.py's aiohttp client did: the handshake with the bench's API key,
`session.update`, the chunks every 100 ms against a timeline fixed when the connection is up,
`session.finish`, then read until `session.finished` and close with 1000. Client frames are
masked with the all-zero key (RFC 6455 §5.3 asks for an unpredictable key, which matters only
to intermediaries; the server cannot tell), so every session sends the same prepared bytes.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["LightRun", "client_frame", "light_run", "run_sessions"]

_TEXT, _CLOSE, _PING, _PONG = 0x1, 0x8, 0x9, 0xA


def client_frame(payload: bytes, opcode: int = _TEXT) -> bytes:
    """One final, masked client frame (all-zero mask key, so the payload is sent as it is)."""
    n = len(payload)
    if n < 126:
        header = bytes((0x80 | opcode, 0x80 | n))
    elif n < 1 << 16:
        header = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    return header + b"\0\0\0\0" + payload


@dataclass
class LightRun:
    """What one real-time run needs, and what it measured (seconds)."""

    host: str
    port: int
    target: str  # path and query
    setup: bytes  # prepared frames
    chunks: list[bytes]
    finish: bytes
    chunk_s: float
    silence_ms: int  # turn_detection.silence_duration_ms: a stop is known this long after its end
    stopped: list[float] = field(default_factory=list)
    audio: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class _Session(asyncio.Protocol):
    """One session: handshake, chunks on a timeline, and each frame stamped as it is read."""

    def __init__(self, run: LightRun, done: asyncio.Future[None]) -> None:
        self._run = run
        self._done = done
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._upgraded = False
        self._t0 = 0.0
        self._sent_at: list[float] = []
        self._first: dict[bytes, tuple[float, float]] = {}  # response → (first arrival, played)
        self._closing = False

    # ---- sending ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            (
                f"GET {self._run.target} HTTP/1.1\r\nHost: {self._run.host}:{self._run.port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                "Authorization: Bearer bench\r\n\r\n"
            ).encode()
        )

    def _start_streaming(self) -> None:
        assert self._transport is not None
        self._transport.write(self._run.setup)
        self._t0 = self._loop.time()
        self._send_chunk(0)

    def _send_chunk(self, index: int) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        if index == len(self._run.chunks):
            self._transport.write(self._run.finish)
            return
        self._sent_at.append(self._loop.time())
        self._transport.write(self._run.chunks[index])
        self._loop.call_at(self._t0 + (index + 1) * self._run.chunk_s, self._send_chunk, index + 1)

    # ---- reading ---------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        now = self._loop.time()
        self._buffer += data
        if not self._upgraded:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self._buffer[:end]).split(b"\r\n", 1)[0]
            if b" 101 " not in status:
                self._fail(f"handshake refused: {status.decode(errors='replace')}")
                return
            del self._buffer[: end + 4]
            self._upgraded = True
            self._start_streaming()
        self._read_frames(now)

    def _read_frames(self, now: float) -> None:
        buffer = self._buffer
        start = 0
        while len(buffer) - start >= 2:
            opcode, length = buffer[start] & 0x0F, buffer[start + 1] & 0x7F
            head = start + 2
            if length == 126:
                if len(buffer) - start < 4:
                    break
                length, head = int.from_bytes(buffer[start + 2 : start + 4], "big"), start + 4
            elif length == 127:
                if len(buffer) - start < 10:
                    break
                length, head = int.from_bytes(buffer[start + 2 : start + 10], "big"), start + 10
            if len(buffer) < head + length:
                break
            payload = bytes(buffer[head : head + length])
            start = head + length
            self._frame(opcode, payload, now)
        del buffer[:start]

    def _frame(self, opcode: int, payload: bytes, now: float) -> None:
        if opcode == _TEXT:
            self._event(payload, now)
        elif opcode == _PING:
            self._write(client_frame(payload, _PONG))
        elif opcode == _CLOSE:
            if not self._closing:
                self._write(client_frame(payload[:2], _CLOSE))
            if self._transport is not None:
                self._transport.close()

    def _event(self, data: bytes, now: float) -> None:
        if b'"response.audio.delta"' in data:
            response = data[data.index(b'"response_id"') :][17:].split(b'"', 1)[0]
            start = data.index(b'"delta"') + 10
            size = (data.index(b'"', start) - start) * 3 // 4 / 48000  # seconds at 24 kHz
            arrival, played = self._first.setdefault(response, (now, 0.0))
            self._run.audio.append(now - (arrival + played))
            self._first[response] = (arrival, played + size)
        elif b'"input_audio_buffer.speech_stopped"' in data:
            # audio_end_ms marks the end of speech (Behaviour.speech_timestamps, default
            # "speech"); the stop can be known once silence_duration_ms more has arrived.
            known_ms = json.loads(data)["audio_end_ms"] + self._run.silence_ms
            chunk = max(0, math.ceil(known_ms / (self._run.chunk_s * 1000)) - 1)
            if chunk < len(self._sent_at):
                self._run.stopped.append(now - self._sent_at[chunk])
        elif b'"session.finished"' in data:
            self._closing = True
            self._write(client_frame((1000).to_bytes(2, "big"), _CLOSE))
        elif b'"type": "error"' in data:
            self._fail(f"the server answered an error: {data[:300].decode(errors='replace')}")

    def _write(self, frame: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(frame)

    def _fail(self, why: str) -> None:
        self._run.errors.append(why)
        if self._transport is not None:
            self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._closing and not self._run.errors:
            # ended before session.finished: a close the server chose, a reset, a dead worker
            self._run.errors.append(f"the connection ended before session.finished ({exc!r})")
        if not self._done.done():
            self._done.set_result(None)


async def run_sessions(run: LightRun, starts: list[float], timeout_s: float = 600) -> None:
    """Open a session at each start time (the loop's clock) and wait until all have closed."""
    loop = asyncio.get_running_loop()

    async def one(start_at: float) -> None:
        await asyncio.sleep(max(0.0, start_at - loop.time()))
        done: asyncio.Future[None] = loop.create_future()
        factory: Callable[[], asyncio.Protocol] = lambda: _Session(run, done)  # noqa: E731
        await loop.create_connection(factory, run.host, run.port)
        await done

    await asyncio.wait_for(asyncio.gather(*(one(t) for t in starts)), timeout_s)


def light_run(
    url: str, setup: str, chunks: list[str], finish: str, *, chunk_s: float, silence_ms: int
) -> LightRun:
    """A LightRun for a ws:// URL and the text frames to send."""
    parts = urlsplit(url)
    return LightRun(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 80,
        target=f"{parts.path}?{parts.query}" if parts.query else parts.path,
        setup=client_frame(setup.encode()),
        chunks=[client_frame(chunk.encode()) for chunk in chunks],
        finish=client_frame(finish.encode()),
        chunk_s=chunk_s,
        silence_ms=silence_ms,
    )
