"""`make soak`: 10,000 connect/disconnect cycles against a fresh server, then the
resources before and after: RSS, open file descriptors and asyncio tasks. Not part of make test."""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import os
import resource
from pathlib import Path

import aiohttp

from dashscope_realtime_mock.transport.app import create_app, start_site
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.options import ServerOptions

MODELS = (
    "qwen3-livetranslate-flash-realtime",
    "qwen3-asr-flash-realtime",
    "qwen3-omni-flash-realtime",
)
AUDIO = base64.b64encode(b"\x00\x10" * 1600).decode()


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _snapshot(label: str) -> None:
    gc.collect()
    fds = len(os.listdir("/proc/self/fd"))
    tasks = len(asyncio.all_tasks())
    print(f"{label:>7}: RSS {_rss_mib():8.1f} MiB  fds {fds:5d}  tasks {tasks:4d}", flush=True)


async def _cycle(http: aiohttp.ClientSession, url: str, i: int) -> None:
    model = MODELS[i % len(MODELS)]
    async with http.ws_connect(f"{url}?model={model}", headers={"Authorization": "Bearer k"}) as ws:
        await ws.receive()
        if i % 2:  # half of them hang up with audio in flight
            await ws.send_json(
                {"type": "input_audio_buffer.append", "audio": AUDIO, "event_id": "e"}
            )


async def main(cycles: int, concurrency: int) -> None:
    runner, port = await start_site(create_app(ServerOptions()), "127.0.0.1", 0)
    url = f"http://127.0.0.1:{port}{REALTIME_PATH}"
    try:
        async with aiohttp.ClientSession() as http:
            await _cycle(http, url, 0)  # warm up imports and caches
            _snapshot("before")
            for start in range(0, cycles, concurrency):
                await asyncio.gather(
                    *(_cycle(http, url, i) for i in range(start, min(cycles, start + concurrency)))
                )
            await asyncio.sleep(0.5)
            _snapshot("after")
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycles", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.cycles, args.concurrency))
