"""Demo CLI: `python -m dashscope_realtime_mock.client translate input.wav --from fr --to en --out out.wav`,
`transcribe`, `chat`.

Streams a WAV file to the endpoint (`--url`, else DASHSCOPE_REALTIME_URL, else the live service
of `--region`), prints the source text and the answer as they stream with a progress indicator,
and writes the spoken answer (24 kHz PCM16) as a WAV file. The progress line is redrawn in
place only on a terminal; piped, the output is the plain `[source]`/`[answer]` lines.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
import soundfile

from dashscope_realtime_mock.media.pcm import INPUT_SAMPLE_RATE, resample

from .connection import RealtimeClient
from .errors import ConnectError, RealtimeClientError
from .events import Event

MODELS = {
    "translate": "qwen3-livetranslate-flash-realtime",
    "transcribe": "qwen3-asr-flash-realtime",
    "chat": "qwen3-omni-flash-realtime",
}
CHUNK_MS = 100
FELL_BACK = (
    "No --url or DASHSCOPE_REALTIME_URL was set, so this was the live service of --region; "
    "to use the mock, run `realtime-mock serve` and pass --url ws://127.0.0.1:8765/api-ws/v1/realtime"
)
NO_AUDIO_TO_WRITE = "transcribe has no spoken answer to write; --out is for translate and chat"


def _load_16k(path: Path) -> np.ndarray:
    """The file as mono int16 at 16 kHz (linear resampling when it is at another rate)."""
    audio, rate = soundfile.read(path, dtype="float32", always_2d=True)
    mono = (np.clip(audio.mean(axis=1), -1, 1) * 32767).astype(np.int16)
    return resample(mono, rate, INPUT_SAMPLE_RATE).astype("<i2")


PROG = "python -m dashscope_realtime_mock.client"
ERASE = "\r\033[K"  # back to the start of the line and clear it: a terminal's progress line


def _show(line: str) -> None:
    """Draw the progress line in place, on a terminal only (piped, it would be noise)."""
    if sys.stdout.isatty():
        print(ERASE + line, end="", flush=True)


def _say(line: str) -> None:
    """Print a line of the transcript, over the progress line on a terminal."""
    print((ERASE if sys.stdout.isatty() else "") + line, flush=True)


def progress(sent: int, total: int) -> int:
    """The percentage of `total` samples sent once `sent` are: 100 after the last piece, never more."""
    return min(100, sent * 100 // max(1, total))


async def _connect(rt: RealtimeClient) -> None:
    """Open the connection; if it fell back to the live service and cannot reach it, say so."""
    try:
        await rt.connect()
    except ConnectError as exc:
        if not rt.endpoint.fallback:
            raise
        raise ConnectError(f"{exc}. {FELL_BACK}") from exc


async def run(args: argparse.Namespace) -> int:
    model = args.model or MODELS[args.command]
    pcm = _load_16k(args.input)
    step = 16000 * CHUNK_MS // 1000
    audio_out: list[bytes] = []

    def on_event(event: Event) -> None:
        kind = event.type
        if (
            kind.startswith("conversation.item.input_audio_transcription.")
            and kind != "conversation.item.input_audio_transcription.failed"
        ):
            if kind.endswith(".completed"):
                _say(f"[source] {event.text}")
        elif kind in ("response.audio_transcript.done", "response.text.done"):
            _say(f"[answer] {event.text}")
        elif kind == "response.audio.delta":
            audio_out.append(event.audio)
        elif kind == "response.done" and event["response"].get("status") == "cancelled":
            reason = (event["response"].get("status_details") or {}).get("reason", "cancelled")
            _say(f"[cut short] {reason}: the answer above stopped there")

    rt = RealtimeClient(model, url=args.url, api_key=args.api_key, region=args.region)
    await _connect(rt)
    try:
        rt.on_event(on_event)
        update: dict[str, Any] = {
            "modalities": ["text", "audio"]
            if args.out and args.command != "transcribe"
            else ["text"]
        }
        if args.command == "translate":
            update.update(
                translation_language=args.to, transcription_model="qwen3-asr-flash-realtime"
            )
            if args.source:
                update.update(transcription_language=args.source)
        elif args.command == "transcribe" and args.language:
            update.update(transcription_language=args.language)
        await rt.update_session(**update)
        # stream only under these settings: a refused update stops here, before any audio
        await rt.wait_for_update(timeout=args.timeout)
        for start in range(0, len(pcm), step):
            await rt.append_audio(pcm[start : start + step].tobytes())
            _show(f"sending audio {progress(start + step, len(pcm)):3d}%")
            await asyncio.sleep(0)
        # a second of silence lets server VAD close the last utterance
        await rt.append_audio(np.zeros(16000, dtype="<i2").tobytes())
        _show("waiting for the last answer…")
        await rt.end_session(timeout=args.timeout)
    finally:
        await rt.close()
    _show("")
    if args.out and audio_out:
        soundfile.write(
            args.out, np.frombuffer(b"".join(audio_out), "<i2"), 24000, subtype="PCM_16"
        )
        print(f"wrote {args.out} ({sum(map(len, audio_out)) / 48000:.1f} s of 24 kHz audio)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("translate", "live translation (LiveTranslate)"),
        ("transcribe", "speech to text (ASR)"),
        ("chat", "a spoken assistant turn (Omni)"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("input", type=Path, help="a WAV (or any soundfile-readable) file")
        command.add_argument(
            "--out",
            type=Path,
            help="write the spoken answer here (WAV, 24 kHz)"
            if name != "transcribe"
            else "refused: transcription has no spoken answer",
        )
        command.add_argument(
            "--url", help="endpoint (default: DASHSCOPE_REALTIME_URL, else the live service)"
        )
        command.add_argument("--api-key", help="default: DASHSCOPE_API_KEY")
        command.add_argument(
            "--region", choices=["cn", "intl"], help="live endpoint region (default: cn)"
        )
        command.add_argument("--model", help=f"default: {MODELS[name]}")
        command.add_argument(
            "--timeout", type=float, default=60, help="seconds to wait for the end (default 60)"
        )
        if name == "translate":
            command.add_argument("--to", default="en", help="target language (default: en)")
            command.add_argument(
                "--from",
                dest="source",
                help="source language (default: the model's; the mock assumes en, as documented)",
            )
        if name == "transcribe":
            command.add_argument("--language", help="source language (default: auto)")
    args = parser.parse_args(argv)
    if args.command == "transcribe" and args.out is not None:
        print(f"error: {NO_AUDIO_TO_WRITE}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(run(args))
    except (RealtimeClientError, aiohttp.ClientError, OSError) as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
