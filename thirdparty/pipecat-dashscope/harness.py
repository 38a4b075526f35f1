"""Run pipecat-dashscope's realtime TTS service in a Pipecat pipeline against a DashScope endpoint.

    python harness.py --url ws://127.0.0.1:PORT/api-ws/v1/realtime --api-key KEY [--model ID]

`DashScopeQwenRealtimeTTSService` is the package's one client of the realtime endpoint (its STT
and LLM services use other DashScope APIs). It builds the DashScope SDK's `QwenTtsRealtime` with
no `url`, so the SDK's Beijing host is hard-wired; the harness points the module's
`QwenTtsRealtime` at --url (and taps the server events the service does not surface) and changes
nothing else. The service has no default model; the package README's `realtime` preset uses
`qwen-tts-realtime` with the voice `Cherry`, taken here as its default.

Two pipelines, as a voice bot runs the service. First an LLM's reply of two sentences streams in
as text tokens; Pipecat's text aggregator cuts it into sentences, and each sentence is one
`run_tts` call and one WebSocket session (connect, `session.update`, one
`input_text_buffer.append`, `session.finish`, then the socket is closed at the first
`response.done`). Every session must answer a completed response with no `error` event, and
Pipecat must receive every byte of audio the server sent. Then a greeting in one `TTSSpeakFrame`
(spoken whole, one session), a sentence followed by words without an end mark: the mock speaks
the sentence as soon as it is appended and the rest on `session.finish`, two responses
(docs/protocol/tts.md §12.3).

What the service relies on beyond the docs: it sends `volume`, `speech_rate` and `pitch_rate` to
every model, which docs/protocol/tts.md §1 marks "not supported" on qwen-tts-realtime (the mock
accepts and ignores them, as §4.1 suggests). Its fault, named in the summary line: it takes the
first `response.done` as the end of all audio and closes the socket, while a `server_commit`
session may produce several responses and only `session.finished` ends it (§6.2, §6.5). The
harness checks that the greeting's session stopped at its first `response.done`, before
`session.finished`; how much of the second response reached Pipecat before the close depends on
timing, so it is reported, not checked. Exit 0 with one summary line, else exit 1 with the reason.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import base64
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any


def _offline_punkt() -> None:
    """Give NLTK an English `punkt_tab` model before Pipecat imports it.

    Pipecat's sentence aggregator calls NLTK's `sent_tokenize`, and Pipecat downloads the
    `punkt_tab` data at import time; this machine reaches no host but the package registries, so
    the harness supplies an untrained Punkt model (its four parameter files empty), which ends a
    sentence at `.`, `!` or `?` followed by a space, as the trained one does for plain text.
    """
    root = Path(tempfile.mkdtemp(prefix="nltk-data-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    english = root / "tokenizers" / "punkt_tab" / "english"
    english.mkdir(parents=True)
    for name in ("collocations.tab", "sent_starters.txt", "abbrev_types.txt", "ortho_context.tab"):
        (english / name).write_text("", encoding="utf-8")
    os.environ["NLTK_DATA"] = str(root)


_offline_punkt()
# ruff: noqa: E402

import pipecat_dashscope.tts as service_module
from dashscope.audio.qwen_tts_realtime import QwenTtsRealtime
from pipecat.frames.frames import (
    EndFrame,
    ErrorFrame,
    Frame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
    TTSAudioRawFrame,
    TTSSpeakFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.runner import PipelineRunner
from pipecat.pipeline.task import PipelineTask
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat_dashscope import DashScopeQwenRealtimeTTSService

DEFAULT_MODEL = "qwen-tts-realtime"  # the README's `realtime` preset
DEFAULT_VOICE = "Cherry"
REPLY = ["Sure", ", the mock", " can do that.", " It speaks", " every sentence", " you send", "."]
# A sentence, then one without an end mark: the mock speaks the first when it is appended and
# the rest on session.finish, two responses (docs/protocol/tts.md §12.3)
GREETING = "Hello there. Ask me anything"
TIMEOUT_S = 60.0


class _Session:
    """What the server sent on one of the service's WebSocket sessions, as the SDK received it."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.stopped_at: int | None = None  # the event after which the service stopped waiting

    def kinds(self) -> list[str]:
        return [str(e.get("type")) for e in self.events]

    def audio_bytes(self, until: int | None = None) -> int:
        """PCM bytes in the response.audio.delta events received (before event `until`)."""
        return sum(
            len(base64.b64decode(e["delta"]))
            for e in self.events[:until]
            if e.get("type") == "response.audio.delta"
        )


def _tapped(url: str, sessions: list[_Session]) -> type[QwenTtsRealtime]:
    """The SDK's QwenTtsRealtime, connecting to `url` and noting what each session received."""

    class Tapped(QwenTtsRealtime):
        def __init__(self, model: str, callback: Any = None, **kwargs: Any) -> None:
            super().__init__(model=model, callback=callback, url=url, **kwargs)
            self.tap = _Session()
            sessions.append(self.tap)

        def on_message(self, ws: Any, message: Any) -> None:
            if isinstance(message, str):
                self.tap.events.append(json.loads(message))
            super().on_message(ws, message)
            # the service's collector sets `done` when it considers the audio complete
            if self.tap.stopped_at is None and self.callback.done.is_set():
                self.tap.stopped_at = len(self.tap.events)

    return Tapped


class _Tap(FrameProcessor):
    """Counts the audio that passes and keeps every ErrorFrame, in either direction."""

    def __init__(self) -> None:
        super().__init__()
        self.audio = 0
        self.errors: list[str] = []

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, TTSAudioRawFrame):
            self.audio += len(frame.audio)
        elif isinstance(frame, ErrorFrame):
            self.errors.append(frame.error)
        await self.push_frame(frame, direction)


async def _speak(api_key: str, model: str, frames: list[Frame]) -> tuple[int, list[str]]:
    """Run the service over `frames` in a pipeline: (PCM bytes out, every ErrorFrame)."""
    tts = DashScopeQwenRealtimeTTSService(api_key=api_key, model=model, voice=DEFAULT_VOICE)
    head, tail = _Tap(), _Tap()  # head sees the errors pushed upstream, tail the audio
    task = PipelineTask(Pipeline([head, tts, tail]), enable_rtvi=False, idle_timeout_secs=None)
    await task.queue_frames([*frames, EndFrame()])
    await asyncio.wait_for(PipelineRunner(handle_sigint=False).run(task), TIMEOUT_S)
    return tail.audio, head.errors + tail.errors


def _errors(sessions: list[_Session]) -> list[str]:
    return [str(e.get("error")) for s in sessions for e in s.events if e.get("type") == "error"]


async def _reply(api_key: str, model: str, sessions: list[_Session]) -> str:
    """An LLM reply streamed as tokens: one session per sentence, all its audio to Pipecat."""
    frames = [LLMFullResponseStartFrame(), *map(LLMTextFrame, REPLY), LLMFullResponseEndFrame()]
    audio, errors = await _speak(api_key, model, frames)
    if errors or _errors(sessions):
        raise RuntimeError(f"LLM reply: errors {errors + _errors(sessions)}")
    for n, session in enumerate(sessions):
        done = [e for e in session.events if e.get("type") == "response.done"]
        if not done or done[0]["response"].get("status") != "completed":
            raise RuntimeError(
                f"LLM reply: session {n} had no completed response: {session.kinds()}"
            )
    sent = sum(s.audio_bytes() for s in sessions)
    if len(sessions) != 2 or audio == 0 or audio != sent:
        raise RuntimeError(
            f"LLM reply: {len(sessions)} sessions (2 sentences), Pipecat got {audio} bytes of "
            f"the {sent} the server sent"
        )
    return f"LLM reply: {len(sessions)} sentences, {len(sessions)} sessions, {audio} bytes"


async def _greeting(api_key: str, model: str, sessions: list[_Session]) -> str:
    """GREETING in a TTSSpeakFrame: one session of two responses; the service stops at the first.

    The fault this shows: the service's collector takes the first `response.done` as the end
    of all audio and closes the socket, but a `server_commit` session may produce several
    responses and only `session.finished` ends it (docs/protocol/tts.md §6.2, §6.5); the mock
    speaks the greeting's sentence when it is appended and the words after it on
    session.finish (§12.3). The second response's audio reaches Pipecat only as far as it
    arrived before the close.
    """
    audio, errors = await _speak(api_key, model, [TTSSpeakFrame(GREETING)])
    if errors or _errors(sessions):
        raise RuntimeError(f"greeting: errors {errors + _errors(sessions)}")
    if len(sessions) != 1 or sessions[0].stopped_at is None:
        raise RuntimeError(f"greeting: {len(sessions)} sessions, expected one that ended")
    session = sessions[0]
    stop_event = session.kinds()[session.stopped_at - 1]
    before = session.kinds()[: session.stopped_at]
    if stop_event != "response.done" or before.count("response.done") != 1:
        raise RuntimeError(f"greeting: the service stopped waiting after {before}")
    if "session.finished" in before:
        raise RuntimeError("greeting: session.finished came before the first response.done")
    first = session.audio_bytes(session.stopped_at)
    if audio < first:
        raise RuntimeError(f"greeting: Pipecat got {audio} bytes, the first response had {first}")
    return (
        f"client fault (docs/protocol/tts.md §6.2): the greeting's session (two responses) "
        f"stopped at the first response.done, before session.finished ({first} bytes in that "
        f"response, {audio} reached Pipecat before the close)"
    )


async def run(url: str, api_key: str, model: str) -> str:
    """The LLM reply, then the greeting; the summary line, or RuntimeError with the reason."""
    reply_sessions: list[_Session] = []
    greeting_sessions: list[_Session] = []
    service_module.QwenTtsRealtime = _tapped(url, reply_sessions)  # where it connects
    reply = await _reply(api_key, model, reply_sessions)
    service_module.QwenTtsRealtime = _tapped(url, greeting_sessions)
    greeting = await _greeting(api_key, model, greeting_sessions)
    return f"pipecat-dashscope ok: model={model} voice={DEFAULT_VOICE}; {reply}; {greeting}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="ws://HOST:PORT/api-ws/v1/realtime")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()
    try:
        print(asyncio.run(run(args.url, args.api_key, args.model)))
    except Exception as exc:  # the harness's one answer: the reason, exit 1
        print(f"pipecat-dashscope failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
