"""Drive livekit-plugins-aliyun's RealtimeModel through its own WebSocket code against a mock.

    python harness.py --url ws://127.0.0.1:PORT/api-ws/v1/realtime --api-key KEY [--model ID]

One spoken turn at the plugin's defaults (qwen-audio-3.0-realtime-plus, voice longanqian,
smart_turn): the plugin connects, waits for session.created, sends its session.update and waits
for session.updated; the harness pushes 16 kHz audio frames (a voiced sound of about 1.5 s
between silences) and reads the generation the plugin hands to LiveKit (audio frames and
transcript) until the response's response.done. Exit 0 with one summary line when that turn
completed; else exit 1 with the reason (an error event, a timeout, a response that did not
complete, a generation without audio).

What the plugin relies on beyond the docs (each handled by the mock as documented): it waits
for `session.created`, then for the `session.updated` answering its own update (the mock sends
no unprompted one to this family, docs/protocol/qwen-audio.md §5.1); it retries a refused
`response.create` whose message says "user is speaking" (Behaviour.qwen_audio_user_turn_refusal).
Its package imports openai and httpx without declaring them (see requirements.txt).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
from typing import Any

from livekit import rtc
from livekit.plugins import aliyun

RATE = 16000
FRAME_MS = 100
TIMEOUT_S = 30.0


def _voiced(ms: int) -> bytes:
    """A speech-like sound: 140 Hz with harmonics, four 'syllables' of rising and falling level."""
    samples = []
    count = RATE * ms // 1000
    for n in range(count):
        t = n / RATE
        envelope = abs(math.sin(math.pi * 4 * n / count))
        tone = sum(math.sin(2 * math.pi * 140 * k * t) / k for k in (1, 2, 3, 4))
        samples.append(int(7000 * envelope * tone / 2.1))
    return b"".join(s.to_bytes(2, "little", signed=True) for s in samples)


def _frames(pcm: bytes) -> list[rtc.AudioFrame]:
    step = RATE * FRAME_MS // 1000 * 2
    return [
        rtc.AudioFrame(pcm[i : i + step], RATE, 1, len(pcm[i : i + step]) // 2)
        for i in range(0, len(pcm), step)
    ]


async def _read_generation(generation: Any, heard: dict[str, Any]) -> None:
    """Consume what the plugin hands LiveKit for one response: audio frames and text."""

    async def read_message(message: Any) -> None:
        async def audio() -> None:
            async for frame in message.audio_stream:
                heard["audio_samples"] += frame.samples_per_channel

        async def text() -> None:
            async for piece in message.text_stream:
                heard["text"] += piece

        await asyncio.gather(audio(), text())

    readers = []
    async for message in generation.message_stream:
        readers.append(asyncio.create_task(read_message(message)))
    await asyncio.gather(*readers)


async def run(url: str, api_key: str, model: str | None) -> str:
    """One turn; the summary line, or raises RuntimeError with the reason."""
    options: dict[str, Any] = {"api_key": api_key, "base_url": url}
    if model:
        options["model"] = model
    realtime = aliyun.RealtimeModel(**options)
    session = realtime.session()
    server_events: list[dict[str, Any]] = []
    errors: list[str] = []
    done = asyncio.get_running_loop().create_future()
    heard: dict[str, Any] = {"audio_samples": 0, "text": ""}
    readers: list[asyncio.Task[None]] = []

    def on_server_event(event: dict[str, Any]) -> None:
        server_events.append(event)
        if event.get("type") == "error":
            errors.append(str(event.get("error")))
        if event.get("type") == "response.done" and not done.done():
            done.set_result(event["response"])

    session.on("aliyun_server_event_received", on_server_event)

    def on_plugin_error(event: Any) -> None:
        errors.append(f"plugin error: {event.error}")
        if not event.recoverable and not done.done():  # the plugin gave up: no turn will come
            done.set_exception(RuntimeError(f"the plugin gave up: {event.error}"))

    session.on("error", on_plugin_error)
    session.on(
        "generation_created",
        lambda generation: readers.append(asyncio.create_task(_read_generation(generation, heard))),
    )
    try:
        pcm = bytes(RATE) + _voiced(1500) + bytes(RATE * 3)  # 0.5 s, 1.5 s voiced, 1.5 s
        for frame in _frames(pcm):
            session.push_audio(frame)
        try:
            response = await asyncio.wait_for(done, TIMEOUT_S)
        except TimeoutError:
            kinds = [e.get("type") for e in server_events]
            raise RuntimeError(
                f"no response.done within {TIMEOUT_S:g} s; events: {kinds}"
            ) from None
        await asyncio.wait_for(asyncio.gather(*readers), TIMEOUT_S)
    finally:
        await session.aclose()
        await realtime.aclose()
    if errors:
        raise RuntimeError(f"error events: {errors}")
    if response.get("status") != "completed":
        raise RuntimeError(f"response.done status {response.get('status')!r}: {response}")
    if heard["audio_samples"] == 0:
        raise RuntimeError("the plugin handed LiveKit no audio for the response")
    created = next(e for e in server_events if e.get("type") == "session.created")["session"]
    updated = [e for e in server_events if e.get("type") == "session.updated"]
    mode = (updated[-1]["session"].get("turn_detection") or {}).get("type") if updated else None
    return (
        f"livekit-plugins-aliyun ok: model={created['model']} turn_detection={mode} "
        f"events={len(server_events)} response={response['status']} "
        f"audio_ms={heard['audio_samples'] * 1000 // 24000} transcript={heard['text'][:60]!r}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="ws://HOST:PORT/api-ws/v1/realtime")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--model", help="default: the plugin's own (qwen-audio-3.0-realtime-plus)")
    args = parser.parse_args()
    try:
        print(asyncio.run(run(args.url, args.api_key, args.model)))
    except Exception as exc:  # the harness's one answer: the reason, exit 1
        print(f"livekit-plugins-aliyun failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
