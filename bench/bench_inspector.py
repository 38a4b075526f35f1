"""What the session inspector costs the sessions it watches: the session bench, three ways.

Each round runs the same N concurrent sessions (bench_sessions.py's clients: the two-utterance
recording in 100 ms chunks, then `session.finish`) against three servers, one after the other in
this process: no inspector; the inspector recording with no page open; the inspector with one
page open, simulated as the page behaves (the update stream, and on each update the session
list and the newest session's new events, plus its waveform at most once a second). The best
wall time of the rounds is compared, per family. The page's own rendering is the browser's
cost, not the server's, so it is not simulated.

Wall times on a shared 2-core machine move by several percent from run to run, so the bench also
prints what the inspector adds per event when no page is open: the time of one
`Inspector.event` call (a clock read and a list append), measured with timeit.

Run: `make bench` (or `python bench/bench_inspector.py --sessions 20 --rounds 5`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
import timeit
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sessions import MODELS, _client, speech_frames

from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.inspector import INSPECT_PATH, Inspector, Limits
from dashscope_realtime_mock.transport.app import create_app, start_site
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.options import ServerOptions

SETUPS = ("no inspector", "inspector, page closed", "inspector, page open")


async def _page(http: aiohttp.ClientSession, base: str) -> None:
    """What an open inspector page asks of the server while it shows the newest session."""
    api = f"{base}{INSPECT_PATH}/api"
    seen: dict[str, int] = {}
    waveform_at = 0.0
    async with http.get(f"{api}/updates") as stream:
        async for line in stream.content:
            if not line.startswith(b"data:"):
                continue
            sessions = (await (await http.get(f"{api}/sessions")).json())["sessions"]
            if not sessions:
                continue
            newest = sessions[0]["id"]
            view = await (
                await http.get(f"{api}/sessions/{newest}?since={seen.get(newest, 0)}")
            ).json()
            seen[newest] = seen.get(newest, 0) + len(view["events"])
            if time.perf_counter() - waveform_at > 1:
                waveform_at = time.perf_counter()
                await (await http.get(f"{api}/sessions/{newest}/waveform?buckets=800")).read()


async def _run(setup: str, model: str, sessions: int, frames: list[str]) -> float:
    watcher = Inspector() if setup != SETUPS[0] else None
    app = create_app(ServerOptions(finish_close_grace_s=0, watcher=watcher))
    runner, port = await start_site(app, "127.0.0.1", 0)
    url = f"ws://127.0.0.1:{port}{REALTIME_PATH}?model={model}"
    try:
        async with aiohttp.ClientSession() as http:
            page = (
                asyncio.create_task(_page(http, f"http://127.0.0.1:{port}"))
                if setup == SETUPS[2]
                else None
            )
            await asyncio.sleep(0.05)  # the page is open before the sessions start
            started = time.perf_counter()
            await asyncio.wait_for(
                asyncio.gather(*(_client(http, url, frames) for _ in range(sessions))), 120
            )
            elapsed = time.perf_counter() - started
            if page is not None:
                page.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await page
            return elapsed
    finally:
        await runner.cleanup()


def record_cost(frames: list[str]) -> float:
    """Microseconds one `Inspector.event` call takes for an append (no page open), best of 5."""
    inspector = Inspector(
        Limits(events_per_session=10**6, audio_per_session=2**40, audio_total=2**40)
    )
    session = open_session(MODELS[0])
    inspector.opened(session, session._responder, "")
    event = json.loads(frames[0])
    calls = 10_000
    timer = timeit.Timer(lambda: inspector.event(session.id, MODELS[0], "client", event))
    return min(timer.repeat(5, calls)) / calls * 1e6


async def main(sessions: int, rounds: int, models: list[str]) -> None:
    frames, audio_s = speech_frames()
    print(f"recording one event (page closed): {record_cost(frames):.2f} µs per event")
    print(
        f"{sessions} concurrent sessions x {audio_s:.1f} s of speech, best of {rounds} rounds "
        "(setups interleaved within each round)"
    )
    for model in models:
        best = dict.fromkeys(SETUPS, float("inf"))
        for _ in range(rounds):
            for setup in SETUPS:
                best[setup] = min(best[setup], await _run(setup, model, sessions, frames))
        print(f"{model}:")
        for setup in SETUPS:
            change = (best[setup] / best[SETUPS[0]] - 1) * 100
            print(f"  {setup:<24} {best[setup]:.3f} s wall  ({change:+.1f}% vs no inspector)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--model", action="append", choices=MODELS, help="repeatable; default: one of each family"
    )
    args = parser.parse_args()
    asyncio.run(main(args.sessions, args.rounds, args.model or list(MODELS)))
