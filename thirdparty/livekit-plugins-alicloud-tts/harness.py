"""livekit-plugins-alicloud's TTS, through its own WebSocket code, against a DashScope endpoint.

Run: python harness.py --url ws://127.0.0.1:PORT/api-ws/v1/realtime --api-key KEY [--model ID]
Synthesizes one text with the plugin's streaming TTS (commit mode: appends, one commit, then
session.finish) and prints one summary line; exits 0 when the session completed with audio,
else 1 with the reason.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiohttp

TEXT = "Hello from the harness. This sentence is synthesized by the mock."


async def synthesize(url: str, api_key: str, model: str, voice: str) -> tuple[int, int, float]:
    """(frames, samples, seconds) of the audio the plugin received for TEXT."""
    from livekit.plugins.aliyun import TTS  # imported here: a missing dependency is one line

    async with aiohttp.ClientSession() as http:
        tts = TTS(api_key=api_key, model=model, voice=voice, base_url=url, http_session=http)
        frames = samples = 0
        sample_rate = tts.sample_rate
        try:
            async with tts.synthesize(TEXT) as stream:
                async for audio in stream:
                    frames += 1
                    samples += audio.frame.samples_per_channel
                    sample_rate = audio.frame.sample_rate
        finally:
            await tts.aclose()
        return frames, samples, samples / sample_rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="ws://HOST:PORT/api-ws/v1/realtime")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--model", default="qwen3-tts-flash-realtime")
    parser.add_argument("--voice", default="Cherry")
    args = parser.parse_args()
    try:
        frames, samples, seconds = asyncio.run(
            asyncio.wait_for(synthesize(args.url, args.api_key, args.model, args.voice), 60)
        )
    except Exception as exc:  # every failure is reported on one line, never as a traceback
        print(f"livekit-plugins-alicloud-tts: FAILED: {type(exc).__name__}: {exc}")
        return 1
    if samples == 0:
        print("livekit-plugins-alicloud-tts: FAILED: the session completed without audio")
        return 1
    print(
        f"livekit-plugins-alicloud-tts: ok model={args.model} frames={frames} "
        f"samples={samples} seconds={seconds:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
