"""Fast pace's cancel window (docs/pace.md): how long a manual-mode answer waits when the client
sends nothing more, and whether a cancel sent right after the create cuts it, alone and with N
sessions at once.

Each client: Omni, manual mode (`turn_detection: null`), the recording's first utterance in
100 ms appends, `commit`, `response.create`. "Quiet" clients then only read: the time from
sending the create to reading `response.done` is the answer's wait, which should be close to
`audio_idle_ms` (the ratio printed) and never much more. "Cancel" clients send
`response.cancel` in the same burst: every one of them should read `cancelled`.

Run: `make bench` (or `python bench/bench_cancel_window.py --sessions 50`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_sessions import speech_frames

from dashscope_realtime_mock.transport.app import create_app, start_site
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.options import ServerOptions

MODEL = "qwen3-omni-flash-realtime"
FIRST_UTTERANCE_FRAMES = 30  # 3 s: the recording's first utterance and part of the pause after it
MANUAL = {"type": "session.update", "session": {"turn_detection": None}}


async def _turn(
    http: aiohttp.ClientSession, url: str, frames: list[str], cancel: bool
) -> tuple[float, str]:
    """One manual turn; (seconds from response.create to response.done, its status)."""
    async with http.ws_connect(url, headers={"Authorization": "Bearer bench"}) as ws:
        await ws.send_json(MANUAL)
        for frame in frames[:FIRST_UTTERANCE_FRAMES]:
            await ws.send_str(frame)
        await ws.send_json({"type": "input_audio_buffer.commit"})
        created = time.perf_counter()
        await ws.send_json({"type": "response.create"})
        if cancel:
            await ws.send_json({"type": "response.cancel"})
        async for message in ws:
            event = json.loads(message.data)
            if event["type"] == "response.done":
                return time.perf_counter() - created, event["response"]["status"]
    raise RuntimeError("the connection ended before response.done")


async def _round(
    options: ServerOptions, sessions: int, frames: list[str], cancel: bool
) -> list[tuple[float, str]]:
    runner, port = await start_site(create_app(options), "127.0.0.1", 0)
    url = f"ws://127.0.0.1:{port}{REALTIME_PATH}?model={MODEL}"
    try:
        async with aiohttp.ClientSession() as http:
            return await asyncio.wait_for(
                asyncio.gather(*(_turn(http, url, frames, cancel) for _ in range(sessions))), 120
            )
    finally:
        await runner.cleanup()


async def main(sessions: int, idle_ms: int) -> None:
    frames, _ = speech_frames()
    options = ServerOptions(audio_idle_ms=idle_ms, finish_close_grace_s=0)
    print(f"Omni manual turn, fast pace, audio_idle_ms={idle_ms}")
    for count in (1, sessions):
        quiet = await _round(options, count, frames, cancel=False)
        waits_ms = sorted(wait * 1000 for wait, _ in quiet)
        p95 = waits_ms[min(len(waits_ms) - 1, int(len(waits_ms) * 0.95))]
        completed = sum(status == "completed" for _, status in quiet)
        print(
            f"  {count:3d} quiet session(s): response.done after median {statistics.median(waits_ms):.0f} ms, "
            f"p95 {p95:.0f} ms, max {waits_ms[-1]:.0f} ms "
            f"(max/audio_idle_ms {waits_ms[-1] / idle_ms:.2f}); completed {completed}/{count}"
        )
        cut = await _round(options, count, frames, cancel=True)
        cancelled = sum(status == "cancelled" for _, status in cut)
        print(f"  {count:3d} create+cancel burst(s): cancelled {cancelled}/{count}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--audio-idle-ms", type=int, default=ServerOptions().audio_idle_ms)
    args = parser.parse_args()
    asyncio.run(main(args.sessions, args.audio_idle_ms))
