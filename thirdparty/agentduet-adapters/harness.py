"""Run agentduet-adapters' QwenVoice (its own WebSocket code) through one session with the mock.

    python harness.py --url ws://127.0.0.1:PORT/api-ws/v1/realtime --api-key KEY [--model ID]

QwenVoice reads its endpoint from the module constant WS_ENDPOINT; the harness points that at
--url and changes nothing else. The session, as the client runs a call: QwenVoice's greeting
(a seeded user text item, then response.create), then the caller speaks one sentence at the
call rate (24 kHz, which the client resamples to 16 kHz) followed by silence, and the server's
VAD turn answers it. Done when the greeting and the answer were both spoken and transcribed and
the user's words came back as a transcript. Exit 0 with one summary line, else exit 1 with the
reason (including any `error` event the server sent: QwenVoice itself drops them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import wave
from pathlib import Path

import agentduet_adapters.qwen as qwen
import numpy as np
from agentduet import AudioOut, TranscriptDelta, Usage
from agentduet_adapters.qwen import DEFAULT_MODEL, QwenVoice

SPEECH = Path(__file__).resolve().parents[2] / "fixtures" / "speech" / "en_two_utterances.wav"
CALL_RATE = 24000  # QwenVoice's call audio rate (its SAMPLE_RATE)
CHUNK_MS = 100
TIMEOUT_S = 60.0


class _Tap:
    """The client's WebSocket, with every frame it receives noted (QwenVoice ignores `error`)."""

    def __init__(self, ws: object) -> None:
        self._ws = ws
        self.errors: list[dict] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self._ws, name)

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        async for raw in self._ws:  # type: ignore[attr-defined]
            message = json.loads(raw)
            if message.get("type") == "error":
                self.errors.append(message["error"])
            yield raw


def _caller_audio() -> list[bytes]:
    """The first utterance of the bundled English recording at 24 kHz, then 1.5 s of silence."""
    with wave.open(str(SPEECH)) as recording:
        rate, frames = recording.getframerate(), recording.readframes(recording.getnframes())
    samples = np.frombuffer(frames, dtype="<i2")[: rate * 3]  # the first utterance ends by 3 s
    at_call_rate = np.interp(
        np.arange(len(samples) * CALL_RATE // rate) * rate / CALL_RATE,
        np.arange(len(samples)),
        samples,
    ).astype("<i2")
    pcm = at_call_rate.tobytes() + bytes(2 * CALL_RATE * 3 // 2)
    step = 2 * CALL_RATE * CHUNK_MS // 1000
    return [pcm[i : i + step] for i in range(0, len(pcm), step)]


async def _session(url: str, api_key: str, model: str) -> str:
    qwen.WS_ENDPOINT = url  # the only change: where the client connects
    voice = QwenVoice(api_key=api_key, model=model)
    session = await voice.open()
    tap = _Tap(session._ws)  # to see the error events the client drops
    session._ws = tap
    agent: list[str] = []
    user: list[str] = []
    audio_bytes = 0
    usage: Usage | None = None
    spoke = False
    try:
        async with asyncio.timeout(TIMEOUT_S):
            async for event in session.events():
                if tap.errors:
                    raise RuntimeError(f"the server sent an error: {tap.errors[0]}")
                if isinstance(event, AudioOut):
                    audio_bytes += len(event.pcm)
                elif isinstance(event, TranscriptDelta):
                    (agent if event.role == "agent" else user).append(event.text)
                elif isinstance(event, Usage):
                    usage = event
                    if not spoke:  # the greeting is done: the caller speaks
                        spoke = True
                        for chunk in _caller_audio():
                            await session.push_audio(chunk)
                    elif user and len(agent) >= 2:
                        break
    except TimeoutError:
        raise RuntimeError(
            f"no complete turn within {TIMEOUT_S:g} s: agent {agent}, user {user}, "
            f"errors {tap.errors}"
        ) from None
    finally:
        await session.close()
    if audio_bytes == 0 or usage is None:
        raise RuntimeError(f"no audio or usage: {audio_bytes} bytes, usage {usage}")
    return (
        f"agentduet-adapters QwenVoice {model}: greeting {agent[0]!r}, heard {user[0]!r}, "
        f"answer {agent[1]!r}, {audio_bytes} bytes of audio, {usage.total} tokens"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()
    try:
        print(asyncio.run(_session(args.url, args.api_key, args.model)))
    except Exception as exc:  # every failure is reported in one line
        print(f"agentduet-adapters: FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
