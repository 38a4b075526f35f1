"""Load benchmarks: the server runs in its own process, this one is the client.

Sections (all by default; `--only NAME` repeatable):

- `fast`: 200 concurrent qwen3-livetranslate sessions (text+audio, voice Cherry, target en) each
  stream the two-utterance recording in 100 ms chunks as fast as the server accepts, send
  `session.finish` and read until `session.finished`; then the I/O floor (bench/floor_server.py:
  decode the same input, send back the mock's own frames of that session byte for byte) takes
  the same load. Rounds alternate mock/floor; the ratio is of the best walls.
- `workers`: the same fast load against `serve --workers 1` and `--workers 2`.
- `realtime`: `--pace realtime` with 1 and with 2 worker processes, N sessions stream the
  recording at real time (a chunk every 100 ms on an absolute schedule), starts spread evenly
  over 5 s (and all at once). Lateness:
  speech_stopped arrival minus the send of the chunk that completes its silence (the chunk holding
  `audio_end_ms` + `silence_duration_ms`: audio_end_ms marks the end of speech); each audio delta's
  arrival minus (the response's first delta's arrival + playback time of the audio before it).
  The client is bench/light_client.py (one protocol per session stamps each frame as it is
  read; a timer sends each chunk), in one process unless `--clients K`. Its own event-loop lag
  (a 10 ms timer's lateness) is printed beside the figures: arrivals are stamped on that loop,
  so it is part of both measures.
- `memory`: server RSS per idle session and per streaming session.
- `opus`: CPU to decode streamed Ogg Opus in 100 ms appends, for two lengths (linear or not).
- `startup`: `realtime-mock serve` process start to the first `/healthz` answer.

Every server process logs its slowest event-loop step (`--slow-step-ms`); each is printed, with
its full garbage collections while no session was live set apart (nobody waits on those).
`--tree DIR` runs the server from another checkout (before/after comparisons; that tree's server
may lack `--workers`/`--slow-step-ms`, which are then not passed).

Run: `make bench`, or `python bench/bench_load.py --only fast --sessions 50`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import concurrent.futures
import json
import math
import multiprocessing
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import soundfile
from light_client import light_run, run_sessions

ROOT = Path(__file__).resolve().parent.parent
SPEECH = ROOT / "fixtures" / "speech" / "en_two_utterances.wav"
MODEL = "qwen3-livetranslate-flash-realtime"
PATH = "/api-ws/v1/realtime"
SETUP = json.dumps(
    {
        "event_id": "event_setup",
        "type": "session.update",
        "session": {
            "modalities": ["text", "audio"],
            "voice": "Cherry",
            "translation": {"language": "en"},
        },
    }
)
FINISH = json.dumps({"event_id": "event_finish", "type": "session.finish"})
HEADERS = {"Authorization": "Bearer bench"}
CHUNK_S = 0.1
SILENCE_MS = 1000  # LiveTranslate's default turn_detection.silence_duration_ms (docs/protocol/events.md §2.2)


def _frames() -> tuple[list[str], float]:
    pcm, rate = soundfile.read(SPEECH, dtype="int16")
    step = int(rate * CHUNK_S)
    frames = [
        json.dumps(
            {
                "event_id": f"event_{i // step}",
                "type": "input_audio_buffer.append",
                "audio": base64.b64encode(pcm[i : i + step].tobytes()).decode(),
            }
        )
        for i in range(0, len(pcm), step)
    ]
    return frames, len(pcm) / rate


# ---- servers in their own processes ------------------------------------------------------


class Server:
    """A server subprocess; its URL is read from the first line it prints with one."""

    def __init__(self, argv: list[str], cwd: Path, label: str) -> None:
        self.label = label
        self._log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed with the process)
        env = dict(os.environ, PYTHONPATH=_python_path(cwd))
        self.process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=self._log, text=True
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:
            found = re.search(r"http://([\d.]+):(\d+)", line)
            if found:
                self.port = int(found.group(2))
                break
        else:
            self._log.seek(0)
            raise RuntimeError(f"{label} did not start: {self._log.read()[-2000:]}")
        # the banner of --workers comes last: read it, so every worker listens
        if "--workers" in argv and argv[argv.index("--workers") + 1] != "1":
            for line in self.process.stdout:
                if line.startswith("Workers:"):
                    break

    def url(self, query: str = "") -> str:
        return f"ws://127.0.0.1:{self.port}{PATH}?model={MODEL}{query}"

    def rss_kb(self) -> int:
        """Resident memory of the server and its worker processes."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        total = 0
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total

    def stop(self) -> str:
        """Stop it (SIGTERM: a bench run in the background has SIGINT ignored, as every job a
        non-interactive shell puts in the background); what it logged."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.seek(0)
        return self._log.read()


class Mock:
    """How to start the mock under test."""

    def __init__(self, tree: Path, current: bool) -> None:
        self.tree, self.current = tree, current
        self.slowest: list[StepReport] = []

    def start(self, pace: str = "fast", workers: int = 1) -> Server:
        argv = [
            sys.executable,
            "-m",
            "dashscope_realtime_mock",
            "serve",
            "--port",
            "0",
            "--pace",
            pace,
        ]
        if self.current:
            argv += ["--workers", str(workers), "--slow-step-ms", "5"]
        elif workers != 1:
            raise ValueError("--workers needs the current tree")
        return Server(argv, self.tree, f"mock ({pace}, {workers} worker(s))")

    def stop(self, server: Server) -> None:
        """Stop it and keep what each of its processes said of its event loop."""
        log = server.stop()
        for found in re.finditer(
            r"event loop: (\d+) steps, slowest ([\d.]+) ms, (\d+) at or over .*?; "
            r"slowest was (.*?)(?: \(set apart: (\d+) full .*?longest ([\d.]+) ms\))?$",
            log,
            re.MULTILINE,
        ):
            self.slowest.append(
                StepReport(
                    server.label,
                    int(found.group(1)),
                    float(found.group(2)),
                    int(found.group(3)),
                    found.group(4)[:100],
                    float(found.group(6) or 0.0),
                )
            )


_LINKS: dict[Path, tempfile.TemporaryDirectory[str]] = {}


def _python_path(tree: Path) -> str:
    """PYTHONPATH for a process that must run `tree`'s code.

    The installed package (editable, mapped by setup.py) is this checkout. Another tree's code is
    put first on the path as the package it installs as: a directory holding
    `dashscope_realtime_mock` made of links to the entries of its mockserver/, with client/,
    schemas/ and fixtures/ inside.
    """
    if tree.resolve() == ROOT:
        return str(tree)
    if tree not in _LINKS:
        links = _LINKS[tree] = tempfile.TemporaryDirectory(prefix="bench-tree-")
        package = Path(links.name) / "dashscope_realtime_mock"
        package.mkdir()
        for entry in (tree / "mockserver").iterdir():
            (package / entry.name).symlink_to(entry.resolve())
        for name in ("client", "schemas", "fixtures"):
            if (tree / name).is_dir() and not (package / name).exists():
                (package / name).symlink_to((tree / name).resolve())
    return _LINKS[tree].name


@dataclass
class StepReport:
    """One server process's event loop, from its summary line."""

    run: str
    steps: int
    slowest_ms: float
    over_5_ms: int
    slowest: str
    idle_collection_ms: float  # the longest full GC while no session was live (set apart)


# ---- fast pace ---------------------------------------------------------------------------


async def _fast_session(
    http: aiohttp.ClientSession, url: str, frames: list[str]
) -> tuple[list[str], float]:
    """(every text frame received, seconds from the last append to the last response.done)."""
    received: list[str] = []
    async with http.ws_connect(url, headers=HEADERS, max_msg_size=0) as ws:
        await ws.send_str(SETUP)
        for frame in frames:
            await ws.send_str(frame)
        last_append = time.perf_counter()
        await ws.send_str(FINISH)
        done = last_append
        async for message in ws:
            received.append(message.data)
            if '"response.done"' in message.data:
                done = time.perf_counter()
            if '"session.finished"' in message.data:
                break
            if '"type": "error"' in message.data:
                raise RuntimeError(f"the server answered an error: {message.data[:300]}")
    return received, done - last_append


async def _fast_load(
    url_of: Callable[[int], str], sessions: int, frames: list[str]
) -> tuple[float, list[tuple[list[str], float]]]:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        started = time.perf_counter()
        results = await asyncio.wait_for(
            asyncio.gather(*(_fast_session(http, url_of(k), frames) for k in range(sessions))),
            600,
        )
        return time.perf_counter() - started, results


def _same_url(server: Server) -> Callable[[int], str]:
    """Every session's URL: the server's own, the same for all."""
    return lambda k: server.url()


def _numbered_url(server: Server) -> Callable[[int], str]:
    """Session k's URL on the floor server, which plays back the k-th recorded reply."""
    return lambda k: server.url(f"&session={k}")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def bench_fast(mock: Mock, sessions: int, rounds: int, frames: list[str]) -> None:
    print(f"\n## fast pace: {sessions} concurrent {MODEL} sessions, text+audio, best of {rounds}")
    mock_walls, floor_walls, done_after = [], [], []
    sent_kb = 0.0
    for _ in range(rounds):
        server = mock.start("fast")
        try:
            wall, results = asyncio.run(_fast_load(_same_url(server), sessions, frames))
        finally:
            mock.stop(server)
        mock_walls.append(wall)
        done_after = [after for _, after in results]
        replies = [received for received, _ in results]
        sent_kb = statistics.mean(sum(len(f.encode()) for f in r) for r in replies) / 1024
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(replies, f)
        floor = Server(
            [sys.executable, str(ROOT / "bench" / "floor_server.py"), f.name], ROOT, "floor"
        )
        try:
            wall, _ = asyncio.run(_fast_load(_numbered_url(floor), sessions, frames))
        finally:
            floor.stop()
            os.unlink(f.name)
        floor_walls.append(wall)
    best_mock, best_floor = min(mock_walls), min(floor_walls)
    print(f"  frames sent back per session: {sent_kb:,.0f} KB")
    print(f"  mock:  {best_mock:.2f} s wall (rounds: {', '.join(f'{w:.2f}' for w in mock_walls)})")
    print(
        f"  floor: {best_floor:.2f} s wall (rounds: {', '.join(f'{w:.2f}' for w in floor_walls)})"
    )
    print(f"  RATIO mock/floor: {best_mock / best_floor:.2f}x  (goal <= 1.5x)")
    print(
        f"  response.done after the last append (last round): p50 {_pct(done_after, 50):.2f} s, "
        f"p99 {_pct(done_after, 99):.2f} s"
    )


def bench_workers(mock: Mock, sessions: int, rounds: int, frames: list[str]) -> None:
    print(
        f"\n## workers: {sessions} fast-pace sessions against --workers 1 and 2, best of {rounds}"
    )
    rates = {}
    for workers in (1, 2):
        walls = []
        for _ in range(rounds):
            server = mock.start("fast", workers)
            try:
                wall, _ = asyncio.run(_fast_load(_same_url(server), sessions, frames))
            finally:
                mock.stop(server)
            walls.append(wall)
        rates[workers] = sessions / min(walls)
        print(f"  {workers} worker(s): {min(walls):.2f} s wall, {rates[workers]:.1f} sessions/s")
    print(f"  SCALING 1 -> 2 workers: {rates[2] / rates[1]:.2f}x")


# ---- realtime pace -----------------------------------------------------------------------


def _realtime_part(
    url: str, frames: list[str], sessions: int, spread: float, begin: float, part: int, parts: int
) -> dict[str, list[float]]:
    """One client process's share of a real-time run: sessions part, part + parts, ... Session k
    starts at `begin` + spread * k / sessions on the monotonic clock, which every process shares
    (an event loop's time is `time.monotonic()`). The client is bench/light_client.py."""
    run = light_run(url, SETUP, frames, FINISH, chunk_s=CHUNK_S, silence_ms=SILENCE_MS)
    lags: list[float] = []

    async def go() -> None:
        lag = asyncio.create_task(_client_lag(lags))
        await run_sessions(
            run, [begin + spread * k / sessions for k in range(part, sessions, parts)]
        )
        lag.cancel()

    asyncio.run(go())
    if run.errors:
        raise RuntimeError(f"{len(run.errors)} session(s) failed; the first: {run.errors[0]}")
    return {"stopped": run.stopped, "audio": run.audio, "client": lags}


def bench_realtime(
    mock: Mock,
    counts: list[int],
    frames: list[str],
    spread_s: float,
    workers: int = 1,
    clients: int = 1,
) -> None:
    print(
        f"\n## realtime pace, {workers} worker(s), the client in {clients} process(es): "
        "lateness in ms (p50 / p99 / max)"
    )
    for sessions, spread in [(1, 0.0)] + [(n, spread_s) for n in counts] + [(max(counts), 0.0)]:
        server = mock.start("realtime", workers)
        parts = min(clients, sessions)
        try:
            # Every part starts its sessions on one timeline, once all processes are up.
            begin = time.monotonic() + 0.5 + 0.5 * (parts > 1)
            if parts == 1:
                results = [_realtime_part(server.url(), frames, sessions, spread, begin, 0, 1)]
            else:
                context = multiprocessing.get_context("fork")
                with concurrent.futures.ProcessPoolExecutor(parts, mp_context=context) as pool:
                    jobs = [
                        pool.submit(
                            _realtime_part, server.url(), frames, sessions, spread, begin, k, parts
                        )
                        for k in range(parts)
                    ]
                    results = [job.result() for job in jobs]
        finally:
            mock.stop(server)
        out = {name: [v for result in results for v in result[name]] for name in results[0]}
        line = ", ".join(
            f"{name} {_pct(v, 50) * 1000:.0f} / {_pct(v, 99) * 1000:.0f} / {max(v) * 1000:.0f}"
            for name, v in (
                ("speech_stopped", out["stopped"]),
                ("audio", out["audio"]),
                ("(the client's own loop lag", out["client"]),
            )
        )
        how = f"over {spread:g} s" if spread else "at once"
        stops = len(out["stopped"])
        print(f"  {sessions:5d} sessions, starts {how}: {line}), {stops} stops", flush=True)


async def _client_lag(lags: list[float], tick_s: float = 0.01) -> None:
    """How late this process's own event loop runs a 10 ms timer, until cancelled: the client
    stamps arrivals on that loop, so its lag is part of every lateness it measures (at a
    thousand sessions in lockstep, a good part)."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + tick_s
        await asyncio.sleep(tick_s)
        lags.append(loop.time() - due)


# ---- memory ------------------------------------------------------------------------------


def bench_memory(mock: Mock, sessions: int, frames: list[str]) -> None:
    print(f"\n## memory: {sessions} sessions")
    server = mock.start("realtime")

    async def run() -> None:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            before = server.rss_kb()
            sockets = [
                await http.ws_connect(server.url(), headers=HEADERS, max_msg_size=0)
                for _ in range(sessions)
            ]
            for ws in sockets:
                await ws.receive()  # session.created
            idle = server.rss_kb()
            # every session streams 4 s of speech (in speech: the buffer holds it) at full speed
            for ws in sockets:
                await ws.send_str(SETUP)
                for frame in frames[5:45]:
                    await ws.send_str(frame)
            await asyncio.sleep(2.0)
            streaming = server.rss_kb()
            for ws in sockets:
                await ws.close()
            print(f"  server RSS before: {before / 1024:.1f} MB")
            print(f"  per idle session:      {(idle - before) / sessions:7.1f} KB")
            print(
                f"  per streaming session: {(streaming - before) / sessions:7.1f} KB (4 s of speech in, answers building)"
            )

    try:
        # one session first: imports and caches are not counted per session
        _realtime_part(server.url(), frames[:30], 1, 0.0, time.monotonic(), 0, 1)
        asyncio.run(run())
    finally:
        mock.stop(server)


# ---- Opus decoding growth ----------------------------------------------------------------


OPUS_SCRIPT = """
import base64, io, sys, time
import numpy as np, soundfile
from dashscope_realtime_mock.media.decoder import InputDecoder
pcm, rate = soundfile.read(sys.argv[1], dtype="int16")
seconds = float(sys.argv[2])
audio = np.tile(pcm, int(seconds * rate / len(pcm)) + 1)[: int(seconds * rate)]
out = io.BytesIO()
soundfile.write(out, audio, rate, format="OGG", subtype="OPUS")
data = out.getvalue()
step = max(1, len(data) // int(seconds * 10))
try:
    decoder = InputDecoder("opus", rate, whole_stream_ogg=sys.argv[3] == "soundfile")
except TypeError:  # a tree from before packet-by-packet decoding
    decoder = InputDecoder("opus", rate)
started = time.process_time()
n = sum(len(decoder.decode(data[i : i + step])) for i in range(0, len(data), step))
print(time.process_time() - started, n / 16000)
"""


def bench_opus(tree: Path, lengths: list[float]) -> None:
    """CPU (process time of the decoding alone, in a fresh process) to decode `lengths` seconds
    of speech as Ogg Opus in ~100 ms appends: the packet-by-packet decoder, then soundfile over
    the stream so far on each append (the decoder before), and their ratio."""
    print("\n## Ogg Opus input in 100 ms appends: CPU seconds to decode")
    for seconds in lengths:
        cpu = {}
        for mode in ("incremental", "soundfile"):
            result = subprocess.run(
                [sys.executable, "-c", OPUS_SCRIPT, str(SPEECH), str(seconds), mode],
                cwd=tree,
                env=dict(os.environ, PYTHONPATH=_python_path(tree)),
                capture_output=True,
                text=True,
                check=True,
            )
            cpu[mode], decoded = map(float, result.stdout.split())
        print(
            f"  {seconds:5.0f} s of audio ({decoded:.1f} s decoded): packet by packet "
            f"{cpu['incremental']:6.2f} s CPU, soundfile per append {cpu['soundfile']:7.2f} s CPU, "
            f"ratio {cpu['soundfile'] / max(cpu['incremental'], 1e-9):.0f}x"
        )


# ---- start-up ----------------------------------------------------------------------------


def bench_startup(tree: Path, runs: int) -> None:
    print(f"\n## start-up: process start to the first /healthz answer, {runs} runs")
    for extra in ([], ["--fixtures", "fixtures"]):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            server = Server(
                [sys.executable, "-m", "dashscope_realtime_mock", "serve", "--port", "0", *extra],
                tree,
                "mock",
            )
            with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz") as answer:
                assert answer.status == 200
            times.append(time.perf_counter() - started)
            server.stop()
        label = " ".join(["serve", *extra])
        print(
            f"  {label:28s} median {statistics.median(times):.2f} s, max {max(times):.2f} s (goal < 1 s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", action="append", help="fast, workers, realtime, memory, opus, startup"
    )
    parser.add_argument("--sessions", type=int, default=200, help="fast pace and workers")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--realtime", type=int, action="append", help="default: 100, 500, 1000")
    parser.add_argument("--spread", type=float, default=5.0)
    parser.add_argument(
        "--realtime-workers", type=int, action="append", help="serve --workers (default: 1, 2)"
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=1,
        help="client processes of the real-time runs (default 1; on 2 cores more client "
        "processes only compete with the server's)",
    )
    parser.add_argument("--tree", type=Path, default=ROOT, help="run the server of this checkout")
    args = parser.parse_args()
    tree = args.tree.resolve()
    mock = Mock(tree, current=tree == ROOT)
    frames, audio_s = _frames()
    print(
        f"input: {SPEECH.name}, {audio_s:.1f} s in {len(frames)} chunks of 100 ms; server: {tree}"
    )
    print(f"machine: {os.cpu_count()} cores; the client (this process) shares them with the server")
    only = set(args.only or ["fast", "workers", "realtime", "memory", "opus", "startup"])
    if "startup" in only:
        bench_startup(tree, 5)
    if "opus" in only:
        bench_opus(tree, [10, 20] if tree != ROOT else [60, 120])
    if "fast" in only:
        bench_fast(mock, args.sessions, args.rounds, frames)
    if "workers" in only and mock.current:
        bench_workers(mock, args.sessions, args.rounds, frames)
    if "memory" in only:
        bench_memory(mock, 500, frames)
    if "realtime" in only:
        counts = args.realtime or [100, 500, 1000]
        for workers in args.realtime_workers or [1, 2]:
            bench_realtime(mock, counts, frames, args.spread, workers, args.clients)
    if mock.slowest:
        print("\n## event loop: the slowest synchronous step of each server process")
        for report in mock.slowest:
            print(
                f"  {report.run}: {report.slowest_ms:.1f} ms, {report.over_5_ms} of "
                f"{report.steps:,} steps at or over 5 ms"
                + (
                    f"; full GC while idle (set apart) {report.idle_collection_ms:.1f} ms"
                    if report.idle_collection_ms
                    else ""
                )
            )
        worst = max(mock.slowest, key=lambda r: r.slowest_ms)
        print(f"  SLOWEST under load: {worst.slowest_ms:.1f} ms in {worst.run} ({worst.slowest})")


if __name__ == "__main__":
    main()
