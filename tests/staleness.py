"""Replays a committed fixture's own client side through the current core and diffs the result.

The client events come from session.jsonl, their audio from input.wav; the server events are
pulled in the same numbers between client events as the recording shows (that is how
scripts/make_fixtures.py drove the core), answered from the fixture itself, so no espeak-ng is
needed. Compared: event types and order, every field but ids and audio payloads (audio by its
length), and `t_ms` by make_fixtures' clock (audio time, advanced by each audio delta played).
Version-1 headers do not record the id seed, so ids are left out of the comparison.
"""

from __future__ import annotations

import base64
import json

from dashscope_realtime_mock.answers.corpus import CorpusResponder, load_corpus
from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.replay.format import parse_audio_ref
from dashscope_realtime_mock.replay.responders import ScriptedResponder
from dashscope_realtime_mock.replay.store import Fixture
from tests.support import SPEECH_DIR

__all__ = ["stale_report"]

CORPUS = load_corpus(SPEECH_DIR.parent / "corpus.json")
IDS = {"event_id", "item_id", "response_id", "previous_item_id", "call_id", "id", "obfuscation"}
IDS |= {"conversation_id"}


def _comparable(value, fixture: Fixture | None = None):
    """`value` without ids; an audio payload (inline or a reference) as its sample count."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in IDS:
                continue
            if (
                key in ("delta", "audio")
                and isinstance(item, str)
                and value.get("type")
                in (
                    "response.audio.delta",
                    "input_audio_buffer.append",
                )
            ):
                ref = parse_audio_ref(item)
                item = ref[2] if ref else len(base64.b64decode(item)) // 2
            out[key] = _comparable(item)
        return out
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def _client_event(fixture: Fixture, event: dict) -> dict:
    event = dict(event)
    ref = parse_audio_ref(event.get("audio"))
    if event.get("type") == "input_audio_buffer.append" and ref:
        pcm = fixture.audio(*ref).astype("<i2").tobytes()
        event["audio"] = base64.b64encode(pcm).decode("ascii")
    return event


def stale_report(fixture: Fixture) -> str | None:
    """None when the current core reproduces the fixture; else what differs first, and the fix."""
    session = open_session(
        fixture.model,
        responder=ScriptedResponder.from_fixture(fixture, CorpusResponder(CORPUS)),
        strict=True,
    )
    produced: list[tuple[int, dict]] = []
    server_clock = 0
    t_ms = 0

    def pull(count: int) -> None:
        nonlocal server_clock
        for _ in range(count):
            event = session.next_event()
            if event is None:
                return
            server_clock = max(server_clock, t_ms)
            produced.append((server_clock, event))
            if event["type"] == "response.audio.delta":
                server_clock += len(base64.b64decode(event["delta"])) * 1000 // 48000

    lines = fixture.events
    index = 0
    while index < len(lines) and lines[index]["dir"] == "server":
        index += 1
    pull(index)
    while index < len(lines):
        line = lines[index]
        t_ms = line["t_ms"]
        session.receive_event(_client_event(fixture, line["event"]))
        index += 1
        start = index
        while index < len(lines) and lines[index]["dir"] == "server":
            index += 1
        pull(index - start)
    pull(1_000_000)  # anything more the current core makes is a difference too
    recorded = [(e["t_ms"], e["event"]) for e in lines if e["dir"] == "server"]
    cut = _cut_responses(recorded)
    for number, (want, got) in enumerate(zip(recorded, produced, strict=False), 1):
        if _response_id(want[1]) in cut:
            # A cut response's recording holds only what played, so its whole answer (and the
            # sizes of its audio deltas) cannot be rebuilt from it: its event types must agree.
            if want[1]["type"] != got[1]["type"]:
                return _report(fixture, number, want, got)
        elif (want[0], _comparable(want[1])) != (got[0], _comparable(got[1])):
            return _report(fixture, number, want, got)
    if len(recorded) != len(produced):
        return (
            f"fixture {fixture.name!r} is stale: the recording has {len(recorded)} server events, "
            f"the current core makes {len(produced)}. Run `make fixtures` to regenerate the library."
        )
    return None


def _response_id(event: dict) -> str | None:
    return event.get("response_id") or (event.get("response") or {}).get("id")


def _cut_responses(recorded: list[tuple[int, dict]]) -> set[str]:
    """The ids of the responses the recording shows cut short (cancel or barge-in)."""
    return {
        event["response"]["id"]
        for _, event in recorded
        if event["type"] == "response.done" and event["response"]["status"] != "completed"
    }


def _report(fixture: Fixture, number: int, want: tuple, got: tuple) -> str:
    def shown(pair: tuple) -> str:
        return f"t_ms={pair[0]} {json.dumps(_comparable(pair[1]), ensure_ascii=False)[:400]}"

    return (
        f"fixture {fixture.name!r} is stale at server event #{number}:\n"
        f"  recorded: {shown(want)}\n  current:  {shown(got)}\n"
        "Run `make fixtures` to regenerate the library (needs espeak-ng and sox)."
    )
