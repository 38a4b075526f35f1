"""What the pages show, as JSON, and the two exports (a fixture, the raw traffic), from a record.

Pure functions of a :class:`~.store.SessionRecord` (and its :class:`~.audio.AudioIndex`); the
web layer runs the heavy ones off the event loop.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from ..answers.responder import Responder
from ..answers.scripted import ScriptedAnswers
from ..protocol.wire import Event
from ..replay.fingerprint import THRESHOLD
from ..replay.recording import Recording
from ..replay.responders import MatchingResponder, ScriptedResponder
from ..replay.store import save
from .audio import APPEND, AUDIO_DELTA, AudioIndex
from .store import EVENT_NOT_KEPT, SessionRecord

__all__ = [
    "audio_time",
    "conversation",
    "event_json",
    "fixture_name",
    "fixture_zip",
    "replay_details",
    "summary",
    "timeline",
    "traffic_jsonl",
]

_SPEECH = ("input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped")
_USER_TEXT = "conversation.item.input_audio_transcription.completed"
_ANSWER_TEXT = {"response.audio_transcript.done": "transcript", "response.text.done": "text"}


def summary(record: SessionRecord) -> dict[str, Any]:
    """One row of the session list."""
    return {
        "id": record.id,
        "model": record.model,
        "family": record.family,
        "started": int(record.started_wall * 1000),
        "duration_ms": record.duration_ms,
        "outcome": record.outcome,
        "close_code": record.close_code,
        "events": len(record.events) + record.dropped_events,
        "errors": record.errors,
        "failures": len(record.failures),
    }


def replay_details(record: SessionRecord) -> dict[str, Any]:
    """Who answered: which fixture and why, or the built-in responder; and under `rules`, each
    turn a scripted answer decided, with the rule that did (docs/answers.md)."""
    responder = record.responder
    if isinstance(responder, ScriptedAnswers):
        rules = [{"turn": turn, "rule": rule.describe()} for turn, rule in responder.answered]
        return {**_usual_details(record, responder.inner), "rules": rules}
    return {**_usual_details(record, responder), "rules": []}


def _usual_details(record: SessionRecord, responder: Responder) -> dict[str, Any]:
    """Who answered besides the scripted answers: a fixture (and why) or the built-in responder."""
    if isinstance(responder, MatchingResponder):
        if responder.chosen is None and not record.live:
            return {"fixture": None, "text": "Nothing replayed", "why": "no answer was needed"}
        if responder.chosen is None:
            return {
                "fixture": None,
                "text": "Not decided yet: a fixture is matched once enough audio has been heard",
                "why": record.why,
            }
        if responder.scenario:
            return {
                "fixture": responder.scenario,
                "text": f"Replayed fixture {responder.scenario}",
                "why": f"its input audio matched the audio streamed (similarity {responder.similarity:.2f})",
            }
        closest = (
            f" (closest: {responder.closest[0]}, similarity {responder.closest[1]:.2f}, "
            f"needs {THRESHOLD:.2f})"
            if responder.closest
            else ""
        )
        return {
            "fixture": None,
            "text": "Built-in responder",
            "why": f"no fixture's input audio matched the audio streamed{closest}",
        }
    if isinstance(responder, ScriptedResponder):
        return {
            "fixture": responder.name,
            "text": f"Replayed fixture {responder.name}",
            "why": record.why,
        }
    return {"fixture": None, "text": "Built-in responder", "why": record.why}


def _level(direction: str, event: Event) -> str | None:
    return "error" if direction == "server" and event.get("type") == "error" else None


def audio_time(event: Event, input_ms_after: int) -> int:
    """Where an event sits on the session's audio-time axis (the axis the waveform and the
    transcripts share): a speech event at the audio_start_ms/audio_end_ms it names, any other at
    the input audio the client had sent when it went over the wire."""
    kind = event.get("type")
    field_name = (
        "audio_start_ms"
        if kind == "input_audio_buffer.speech_started"
        else "audio_end_ms"
        if kind == "input_audio_buffer.speech_stopped"
        else None
    )
    at = event.get(field_name) if field_name else None
    return at if isinstance(at, int) and 0 <= at <= input_ms_after else input_ms_after


def timeline(record: SessionRecord, index: AudioIndex, since: int = 0) -> list[dict[str, Any]]:
    """The events from number `since` on: time since the session opened (`t`), audio time
    (`a`, see :func:`audio_time`), lane, type, and the audio each one carries."""
    out = []
    for i in range(since, min(len(record.events), index.processed)):
        t_ms, direction, event = record.events[i]
        kind = event.get("type")
        entry: dict[str, Any] = {
            "i": i,
            "t": t_ms,
            "a": audio_time(event, index.input_ms_after[i]),
            "dir": direction,
            "type": kind if isinstance(kind, str) else "(no type)",
        }
        if level := _level(direction, event):
            entry["level"] = level
            entry["message"] = (event.get("error") or {}).get("message", "")
        if EVENT_NOT_KEPT in event:
            entry["not_kept"] = True  # kept as its type alone (a content bound)
        if i in index.in_ms:
            entry["in"] = index.in_ms[i]
        if i in index.out_ms:
            entry["out"] = index.out_ms[i]
        out.append(entry)
    return out


def _is_mcp_call(item: object) -> bool:
    return isinstance(item, dict) and item.get("type") == "mcp_call"


def conversation(record: SessionRecord, index: AudioIndex) -> dict[str, Any]:
    """What to draw over and under the waveform, in input-audio milliseconds: the VAD's speech
    spans, each commit, each user item, and the transcript and answer of each item."""
    spans: dict[str, dict[str, Any]] = {}
    commits: list[dict[str, Any]] = []
    items: dict[str, dict[str, Any]] = {}
    texts: list[dict[str, Any]] = []
    buffer_start = 0
    client_commit_at: int | None = None
    last_item: str | None = None
    answering: str | None = None
    open_span: str | None = None  # the utterance a speech_started without item_id opened
    answer_kind = "translation" if record.family == "livetranslate" else "answer"
    languages: list[str] = []  # the source language of each transcript
    named: str | None = None  # the source language the session's configuration names
    for i in range(min(len(record.events), index.processed)):
        _, direction, event = record.events[i]
        kind, now = event.get("type"), index.input_ms_after[i]
        if direction == "client":
            if kind == "input_audio_buffer.commit":
                client_commit_at = now
            elif kind == "input_audio_buffer.clear":
                buffer_start, client_commit_at = now, None
            continue
        item_id = event.get("item_id")
        if kind in _SPEECH and not isinstance(item_id, str):
            # LiveTranslate's speech events carry no item_id (the G1 shape, and the G2
            # examples): they pair up in order.
            if kind == "input_audio_buffer.speech_started":
                open_span = f"utterance-{len(spans) + 1}"
            item_id = open_span
        if kind == "input_audio_buffer.speech_started" and isinstance(item_id, str):
            spans[item_id] = {"item": item_id, "start": event.get("audio_start_ms"), "end": None}
        elif kind == "input_audio_buffer.speech_stopped" and isinstance(item_id, str):
            span = spans.setdefault(item_id, {"item": item_id, "start": buffer_start})
            span["end"] = event.get("audio_end_ms")
            # the utterance is the user's turn (LiveTranslate sends no `committed` for it)
            items[item_id] = {"item": item_id, "start": span["start"], "end": span["end"]}
            last_item = item_id
        elif kind == "input_audio_buffer.committed" and isinstance(item_id, str):
            heard = spans.get(item_id)
            at = heard["end"] if heard and heard["end"] is not None else client_commit_at
            at = now if at is None else at
            start = heard["start"] if heard else buffer_start
            commits.append({"item": item_id, "at": at})
            items[item_id] = {"item": item_id, "start": start, "end": at}
            buffer_start, client_commit_at, last_item = at, None, item_id
        elif kind == "conversation.item.created":
            item = event.get("item") or {}
            if item.get("role") == "user" and item.get("id") not in items:
                items[item["id"]] = {"item": item["id"], "start": now, "end": now}
                last_item = item["id"]
        elif kind == _USER_TEXT:
            # LiveTranslate names its transcript's item, which its speech events did not: it is
            # the utterance that just ended
            heard_in = item_id if item_id in items else last_item
            texts.append(
                {"item": heard_in, "kind": "transcript", "text": event.get("transcript", "")}
            )
            if isinstance(event.get("language"), str):
                languages.append(event["language"])
        elif kind == "session.updated":
            transcription = (event.get("session") or {}).get("input_audio_transcription")
            named = (
                (transcription or {}).get("language") if isinstance(transcription, dict) else None
            )
        elif kind == "response.created":
            answering = last_item
        elif kind in _ANSWER_TEXT:
            text = event.get(_ANSWER_TEXT[kind], "")
            texts.append({"item": answering, "kind": answer_kind, "text": text})
        elif kind == "response.function_call_arguments.done":
            call = f"{event.get('name', '')}({event.get('arguments', '')})"
            texts.append({"item": answering, "kind": "tool call", "text": call})
        elif kind == "response.output_item.done" and _is_mcp_call(event.get("item")):
            # qwen3.8 MCP (docs/protocol/omni-next.md §9): the final call, with how it ended
            item = event["item"]
            call = f"{item.get('server_label', '')}.{item.get('name', '')}({item.get('arguments', '')})"
            text = f"{call} → {item.get('status', '')}"
            texts.append({"item": answering, "kind": "MCP call", "text": text})
    return {
        "spans": list(spans.values()),
        "commits": commits,
        "items": list(items.values()),
        "texts": texts,
        "source_language": _source_language(record.family, named, languages),
    }


def _source_language(family: str, named: str | None, heard: list[str]) -> str | None:
    """What the page says of the source language: named by the session, or assumed by the mock
    (which cannot listen: LiveTranslate's documented default, the `assumed_language` behaviour).
    None for a family that translates nothing and a session that transcribed nothing."""
    if named:
        return f"{named} (named by the session)"
    if heard:
        return (
            f"{heard[-1]} (assumed: the session named none; set input_audio_transcription.language)"
        )
    if family == "livetranslate":
        return "not named: the mock assumes the assumed_language behaviour (en unless changed)"
    return None


def event_json(record: SessionRecord, i: int) -> Event:
    """Event number `i` as it went over the wire, with a long audio payload abbreviated."""
    t_ms, direction, event = record.events[i]
    kind = event.get("type")
    field_name = "audio" if kind == APPEND else "delta" if kind == AUDIO_DELTA else None
    payload = event.get(field_name) if field_name else None
    if field_name and isinstance(payload, str) and len(payload) > 48:
        event = {**event, field_name: f"{payload[:32]}… ({len(payload):,} base64 characters)"}
    return {"i": i, "t_ms": t_ms, "dir": direction, "event": event}


def fixture_name(record: SessionRecord) -> str:
    """The scenario name an exported fixture gets."""
    return re.sub(r"[^\w.-]", "_", f"inspected-{record.id}")


def fixture_zip(record: SessionRecord) -> bytes:
    """The session as a fixture (the project's format), zipped as ``scenarios/NAME/…``: unzip it
    into a directory and `realtime-mock serve --fixtures DIRECTORY` replays it."""
    name = fixture_name(record)
    recording = Recording(
        record.model,
        provenance="inspector",
        date=datetime.date.fromtimestamp(record.started_wall).isoformat(),
        scenario=name,
        description=f"session {record.id}, exported from the inspector",
    )
    for t_ms, direction, event in list(record.events):
        recording.add(t_ms, direction, event)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "scenarios" / name
        save(recording.fixture(), directory)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(directory.iterdir()):
                archive.write(path, f"scenarios/{name}/{path.name}")
    return buffer.getvalue()


def traffic_jsonl(record: SessionRecord) -> bytes:
    """The raw traffic, one ``{"t_ms", "dir", "event"}`` line per event, audio included."""
    lines = [
        json.dumps({"t_ms": t_ms, "dir": direction, "event": event}, ensure_ascii=False)
        for t_ms, direction, event in list(record.events)
    ]
    return ("\n".join(lines) + "\n").encode() if lines else b""
