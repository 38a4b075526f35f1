"""Replays a committed fixture's own client side through the current core and diffs the result.

The client events come from session.jsonl, their audio from input.wav; the server events are
pulled in the same numbers between client events as the recording shows (that is how
scripts/make_fixtures.py drove the core), answered from the fixture itself, so no espeak-ng is
needed. Compared: event types and order, every field but ids and audio payloads (audio by its
length), and `t_ms` by make_fixtures' clock (audio time, advanced by each audio delta played).
Version-1 headers do not record the id seed, so ids are left out of the comparison.

A response cut short (cancel, barge-in) is compared by what was sent: its recording holds only the
text and audio that played, so the replay rebuilds that much, in its own chunking. The streamed
events of such a response are pulled until the same text and audio have been sent by the point
the recording shows, and compared as the text shown and the samples sent; every other event of
it (the closing `.done` events, `response.done` with its usage) is compared in full.
"""

from __future__ import annotations

import base64
import json

from dashscope_realtime_mock.answers.corpus import CorpusResponder, load_corpus
from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.protocol.streams import TEXT_STREAM_EVENTS
from dashscope_realtime_mock.replay.format import parse_audio_ref
from dashscope_realtime_mock.replay.responders import ScriptedResponder
from dashscope_realtime_mock.replay.store import Fixture
from tests.support import SPEECH_DIR

__all__ = ["stale_report"]

CORPUS = load_corpus(SPEECH_DIR.parent / "corpus.json")
IDS = {"event_id", "item_id", "response_id", "previous_item_id", "call_id", "id", "obfuscation"}
IDS |= {"conversation_id"}
STREAMED = TEXT_STREAM_EVENTS | {"response.audio.delta", "response.function_call_arguments.delta"}


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
    lines = fixture.events
    recorded = [(e["t_ms"], e["event"]) for e in lines if e["dir"] == "server"]
    cut = _cut_responses(recorded)
    produced: list[tuple[int, dict]] = []
    replayed: list[
        str
    ] = []  # the replay's response ids, in order (the n-th is the recording's n-th)
    recorded_ids = [e["response"]["id"] for _, e in recorded if e["type"] == "response.created"]
    sent: dict[str, tuple[str, int]] = {}  # cut response (recorded id) → text, samples sent
    server_clock = 0
    t_ms = 0

    def cut_stream(event: dict) -> str | None:
        """The recorded id of the cut response whose streamed event `event` is, if it is one."""
        if event["type"] not in STREAMED or event["response_id"] not in replayed:
            return None
        original = recorded_ids[replayed.index(event["response_id"])]
        return original if original in cut else None

    def pull(group: list[dict], everything: bool = False) -> None:
        """Take as many events as the recording shows in `group` (cut streams by content)."""
        nonlocal server_clock
        budget = sum(1 for e in group if _recorded_cut(e, cut) is None)
        budget = len(lines) + 1_000_000 if everything else budget
        target = dict(sent)
        for recorded_event in group:
            if (response := _recorded_cut(recorded_event, cut)) is not None:
                target[response] = _shown(target.get(response, ("", 0)), recorded_event)
        while (event := session.peek_event()) is not None:
            response = cut_stream(event)
            if response is not None:
                if sent.get(response, ("", 0)) == target.get(response, ("", 0)):
                    return
                sent[response] = _shown(sent.get(response, ("", 0)), event)
            elif budget == 0:
                return
            else:
                budget -= 1
            session.next_event()
            if event["type"] == "response.created":
                replayed.append(event["response"]["id"])
            server_clock = max(server_clock, t_ms)
            produced.append((server_clock, event))
            if event["type"] == "response.audio.delta":
                server_clock += len(base64.b64decode(event["delta"])) * 1000 // 48000

    index = 0
    while index < len(lines) and lines[index]["dir"] == "server":
        index += 1
    pull([e["event"] for e in lines[:index]])
    while index < len(lines):
        line = lines[index]
        t_ms = line["t_ms"]
        session.receive_event(_client_event(fixture, line["event"]))
        index += 1
        start = index
        while index < len(lines) and lines[index]["dir"] == "server":
            index += 1
        pull([e["event"] for e in lines[start:index]])
    pull([], everything=True)  # anything more the current core makes is a difference too
    return _differences(fixture, recorded, produced, cut, replayed, recorded_ids)


def _recorded_cut(event: dict, cut: set[str]) -> str | None:
    """The id of the cut response a recorded streamed event belongs to, if it does."""
    if event["type"] in STREAMED and event.get("response_id") in cut:
        return event["response_id"]
    return None


def _shown(so_far: tuple[str, int], event: dict) -> tuple[str, int]:
    """(text shown, audio samples sent) of a response after `event`, its streamed event."""
    text, samples = so_far
    kind = event["type"]
    if kind == "response.audio.delta":
        ref = parse_audio_ref(event["delta"])
        return text, samples + (ref[2] if ref else len(base64.b64decode(event["delta"])) // 2)
    if "stash" in event:  # LiveTranslate re-sends the whole text so far
        return event["text"] + event["stash"], samples
    return text + event.get("delta", ""), samples


def _differences(fixture, recorded, produced, cut, replayed, recorded_ids) -> str | None:
    """The first difference between the recording and the replay (cut streams by what they showed)."""
    renamed = dict(zip(replayed, recorded_ids, strict=False))
    want = [(t, e) for t, e in recorded if _recorded_cut(e, cut) is None]
    got = [
        (t, e)
        for t, e in produced
        if not (e["type"] in STREAMED and renamed.get(e.get("response_id")) in cut)
    ]
    for number, (w, g) in enumerate(zip(want, got, strict=False), 1):
        if (w[0], _comparable(w[1])) != (g[0], _comparable(g[1])):
            return _report(fixture, number, w, g)
    for response in sorted(cut):
        shown_then = [_shown_by(recorded, response, lambda r: r)]
        shown_now = [_shown_by(produced, response, renamed.get)]
        if shown_then != shown_now:
            return (
                f"fixture {fixture.name!r} is stale: cut response {response} showed "
                f"{shown_then[0]} (text, samples) when recorded, {shown_now[0]} now. "
                "Run `make fixtures` to regenerate the library."
            )
    if len(recorded) != len(produced):
        return (
            f"fixture {fixture.name!r} is stale: the recording has {len(recorded)} server events, "
            f"the current core makes {len(produced)}. Run `make fixtures` to regenerate the library."
        )
    return None


def _shown_by(events, response: str, original) -> tuple[str, int]:
    shown: tuple[str, int] = ("", 0)
    for _, event in events:
        if event["type"] in STREAMED and original(event.get("response_id")) == response:
            shown = _shown(shown, event)
    return shown


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
