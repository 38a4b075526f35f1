"""N concurrent sessions streaming speech as fast as the server accepts: mock vs. a bare baseline.

Both servers run in this process's event loop, on loopback, in the same run. The baseline is a
bare aiohttp WebSocket server that only decodes the same traffic (JSON + base64) and sends
nothing back; the mock runs VAD, builds the transcripts and responses and sends them, once per family
(LiveTranslate translations, ASR transcripts, Omni answers).
Each client streams the two-utterance recording in 100 ms chunks, then `session.finish`, and
reads until the server is done (the baseline answers `session.finished` after decoding).

Run: `make bench` (or `python bench/bench_sessions.py --sessions 20`).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
import time
from pathlib import Path

import aiohttp
import soundfile
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashscope_realtime_mock.transport.app import create_app, start_site
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.options import ServerOptions

SPEECH = Path(__file__).resolve().parent.parent / "fixtures" / "speech" / "en_two_utterances.wav"
MODELS = (
    "qwen3-livetranslate-flash-realtime",
    "qwen3-asr-flash-realtime",
    "qwen3-omni-flash-realtime",
)


async def _baseline_handler(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(max_msg_size=32 * 1024 * 1024)
    await ws.prepare(request)
    async for message in ws:
        event = json.loads(message.data)
        if event.get("type") == "input_audio_buffer.append":
            base64.b64decode(event["audio"], validate=True)
        elif event.get("type") == "session.finish":
            await ws.send_str(json.dumps({"type": "session.finished"}))
            break
    await ws.close()
    return ws


def _baseline_app() -> web.Application:
    app = web.Application()
    app.router.add_get(REALTIME_PATH, _baseline_handler)
    return app


async def _client(http: aiohttp.ClientSession, url: str, frames: list[str]) -> int:
    received = 0
    async with http.ws_connect(
        url, headers={"Authorization": "Bearer bench"}, max_msg_size=0
    ) as ws:
        for frame in frames:
            await ws.send_str(frame)
        await ws.send_str(json.dumps({"event_id": "event_finish", "type": "session.finish"}))
        async for message in ws:
            received += len(message.data)
            if '"session.finished"' in message.data:
                break
            if '"type": "error"' in message.data:
                raise RuntimeError(f"the server answered an error: {message.data}")
    return received


async def _run(
    app: web.Application, model: str, sessions: int, frames: list[str]
) -> tuple[float, int]:
    runner, port = await start_site(app, "127.0.0.1", 0)
    url = f"ws://127.0.0.1:{port}{REALTIME_PATH}?model={model}"
    try:
        async with aiohttp.ClientSession() as http:
            started = time.perf_counter()
            sizes = await asyncio.wait_for(
                asyncio.gather(*(_client(http, url, frames) for _ in range(sessions))), 120
            )
            return time.perf_counter() - started, sum(sizes)
    finally:
        await runner.cleanup()


def speech_frames() -> tuple[list[str], float]:
    """The recording as `input_audio_buffer.append` frames of 100 ms, and its length in seconds."""
    pcm, rate = soundfile.read(SPEECH, dtype="int16")
    step = rate // 10
    frames = [
        json.dumps(
            {
                "event_id": f"event_{i}",
                "type": "input_audio_buffer.append",
                "audio": base64.b64encode(pcm[i : i + step].tobytes()).decode(),
            }
        )
        for i in range(0, len(pcm), step)
    ]
    return frames, len(pcm) / rate


async def main(sessions: int, rounds: int, models: list[str]) -> None:
    frames, audio_s = speech_frames()
    print(
        f"{sessions} concurrent sessions x {audio_s:.1f} s of speech ({len(frames)} chunks of 100 ms), "
        f"best of {rounds} rounds"
    )
    total_audio = sessions * audio_s
    for model in models:
        best_mock = best_base = float("inf")
        for _ in range(rounds):
            base_s, _ = await _run(_baseline_app(), model, sessions, frames)
            mock_s, mock_bytes = await _run(
                create_app(ServerOptions(finish_close_grace_s=0)), model, sessions, frames
            )
            best_base, best_mock = min(best_base, base_s), min(best_mock, mock_s)
        print(f"{model}:")
        print(
            f"  baseline (decode only): {best_base:.3f} s wall  ({total_audio / best_base:,.0f}x realtime)"
        )
        print(
            f"  mock (full protocol):   {best_mock:.3f} s wall  ({total_audio / best_mock:,.0f}x realtime), "
            f"{mock_bytes / 1e6:.1f} MB sent back per round"
        )
        print(f"  ratio mock/baseline: {best_mock / best_base:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--model", action="append", choices=MODELS, help="repeatable; default: one of each family"
    )
    args = parser.parse_args()
    asyncio.run(main(args.sessions, args.rounds, args.model or list(MODELS)))
