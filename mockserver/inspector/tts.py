"""A TTS session as the inspector shows it: per response, the text that went in and the
waveform of the speech that came out (docs/protocol/tts.md §6).

The text of each response is found by cutting the client's text as the session does
(:class:`~dashscope_realtime_mock.families.tts.segments.TextBuffer`, with the default
segmentation): the client's events alone decide it, whatever order the server's events were
sent in. The mode is the one the client asked for before its first append. The speech is the response's `response.audio.delta`s, decoded as the session
encoded them (PCM16 at the session's rate; WAV, MP3 or Ogg Opus through libsndfile).
"""

from __future__ import annotations

import base64
import binascii
import io
from typing import Any

import numpy as np
import soundfile

from ..families.tts.segments import TextBuffer
from .audio import peaks
from .store import SessionRecord

__all__ = ["spoken_texts", "tts_responses"]


def _decoded(chunks: list[bytes], response_format: str) -> np.ndarray:
    """The samples of one response's audio (empty if it cannot be decoded)."""
    data = b"".join(chunks)
    if response_format == "pcm":
        return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2")
    try:
        samples, _ = soundfile.read(io.BytesIO(data), dtype="int16")
    except (RuntimeError, soundfile.LibsndfileError):
        return np.zeros(0, np.int16)
    return np.asarray(samples, dtype=np.int16)


def spoken_texts(record: SessionRecord) -> list[str]:
    """The text of each response the client's events lead to, in order."""
    buffer, mode, appended = TextBuffer(), "server_commit", False
    spoken: list[str] = []
    for _, direction, event in list(record.events):
        kind = event.get("type")
        if direction != "client":
            continue
        if kind == "session.update" and not appended:
            mode = (event.get("session") or {}).get("mode", mode)
        elif kind == "input_text_buffer.append" and isinstance(event.get("text"), str):
            appended = True
            spoken += buffer.append(event["text"], mode == "server_commit")
        elif kind == "input_text_buffer.clear" and mode == "commit":
            buffer.flush()
        elif kind in ("input_text_buffer.commit", "session.finish"):
            spoken.append(buffer.flush())
    return [text for text in spoken if text.strip()]


def tts_responses(record: SessionRecord, buckets: int = 120) -> list[dict[str, Any]]:
    """Each response of a TTS session: its id, status, the text that went in, the duration and
    the waveform (`buckets` low/high peaks, ±1000) of what came out."""
    response_format, rate = "pcm", 24000
    responses: list[dict[str, Any]] = []
    audio: dict[str, list[bytes]] = {}
    for _, direction, event in list(record.events):
        kind = event.get("type")
        if direction == "client":
            continue
        if kind in ("session.created", "session.updated"):
            session = event.get("session") or {}
            response_format = session.get("response_format", response_format)
            rate = session.get("sample_rate", rate)
        elif kind == "response.created":
            response_id = (event.get("response") or {}).get("id", "")
            responses.append({"response_id": response_id, "text": "", "status": "in_progress"})
            audio[response_id] = []
        elif kind == "response.audio.delta" and event.get("response_id") in audio:
            try:
                audio[event["response_id"]].append(base64.b64decode(event.get("delta", "")))
            except (binascii.Error, TypeError, ValueError):
                continue
        elif kind == "response.done":
            done = event.get("response") or {}
            for entry in responses:
                if entry["response_id"] == done.get("id"):
                    entry["status"] = done.get("status", "")
    for entry, text in zip(responses, spoken_texts(record), strict=False):
        entry["text"] = text
    for entry in responses:
        samples = _decoded(audio[entry["response_id"]], response_format)
        entry["duration_ms"] = len(samples) * 1000 // max(int(rate), 1)
        entry["low"], entry["high"] = peaks(samples, buckets)
        entry["response_format"], entry["sample_rate"] = response_format, rate
    return responses
