"""Reusable protocol invariants over a recorded session: what every server run must satisfy.

A :class:`Trace` records, in order, what the client did (with the audio it had sent by then) and
the server events it received. Each ``check_*`` function raises AssertionError when its rule is
broken; :func:`check_all` runs them all. The state machines call it after every step, and the
socket tests on what came over the wire. No check swallows an exception.
"""

from __future__ import annotations

import base64
import bisect
import math
from dataclasses import dataclass, field

from dashscope_realtime_mock import families as registry
from dashscope_realtime_mock import schemas
from dashscope_realtime_mock.families.livetranslate.models import LiveTranslateModel
from dashscope_realtime_mock.families.omni.models import OmniModel
from tests.dialects import assert_dialect

__all__ = ["ALLOWED_ERRORS", "Trace", "check_all"]

# Which error codes each client event may provoke (docs/protocol/events.md §1.7 and the mock's documented
# choices). Any other code, or a server_error, is a bug.
_SCHEMA = {"invalid_value", "invalid_type", "missing_required_parameter"}
ALLOWED_ERRORS: dict[str | None, set[str]] = {
    # cannot_update_voice: qwen3.5/3.8 Omni once the session has spoken (docs/protocol/events.md §1.6)
    "session.update": _SCHEMA | {"cannot_update_voice"},
    "input_audio_buffer.append": _SCHEMA,
    "input_audio_buffer.commit": _SCHEMA | {"invalid_state", "input_audio_buffer_commit_empty"},
    "input_audio_buffer.clear": _SCHEMA,
    "input_image_buffer.append": _SCHEMA | {"invalid_state", "rate_limit_exceeded"},
    # invalid_value: a response in progress (docs/protocol/qwen-audio.md §6); InvalidParameter:
    # qwen3.5/3.8 Omni, an empty conversation or a voice the model lacks (docs/protocol/omni-next.md §6.2, §4).
    "response.create": _SCHEMA | {"InvalidParameter"},
    "response.cancel": _SCHEMA | {"response_cancel_not_active"},
    "conversation.item.create": _SCHEMA | {"duplicate_item_id"},
    "session.finish": _SCHEMA,
    None: {
        "invalid_json",
        "invalid_event",
        "invalid_frame",
        "missing_required_parameter",
        "invalid_value",
    },
}


@dataclass
class Trace:
    """What a client saw of one session: its own events and the server's, in order."""

    model: str
    # Behaviour.cancel_sends_response_done=False: a cancelled response ends without response.done.
    cancel_sends_response_done: bool = True
    # Behaviour.updated_on_connect: a session.updated follows session.created unasked.
    updated_on_connect: bool = True
    client: list[tuple[int, dict | None, int]] = field(
        default_factory=list
    )  # (server count, event, audio ms)
    server: list[dict] = field(default_factory=list)
    _validated: int = 0

    @property
    def family(self) -> str:
        model = registry.lookup(self.model)
        assert model is not None, f"unknown model {self.model}"
        return model.family.name

    def sent(self, event: dict | None, audio_ms: int) -> None:
        """The client sent `event` (None: a frame that is not an event); `audio_ms` sent so far."""
        self.client.append((len(self.server), event, audio_ms))

    def received(self, events: list[dict]) -> None:
        self.server.extend(events)


def check_schemas(trace: Trace) -> None:
    """Every server event validates against its family's schema (each event checked once)."""
    for event in trace.server[trace._validated :]:
        violations = schemas.errors("server", event, trace.family)
        assert not violations, f"{event['type']} breaks its schema: {violations[0].message}"
    trace._validated = len(trace.server)


def check_dialect(trace: Trace) -> None:
    """Every server event has the names and fields of the family's dialect (docs/protocol/events.md §5)."""
    assert_dialect(trace.family, trace.server)


def check_starts_with_session_created(trace: Trace) -> None:
    if trace.server:
        assert trace.server[0]["type"] == "session.created", trace.server[0]["type"]
        assert all(e["type"] != "session.created" for e in trace.server[1:]), (
            "a second session.created"
        )


def check_nothing_after_finished(trace: Trace) -> None:
    kinds = [e["type"] for e in trace.server]
    if "session.finished" in kinds:
        assert kinds.index("session.finished") == len(kinds) - 1, "events after session.finished"


_PART_STREAM = {
    "response.text.text",
    "response.audio_transcript.text",
    "response.text.delta",
    "response.audio_transcript.delta",
    "response.audio.delta",
    "response.text.done",
    "response.audio_transcript.done",
    "response.audio.done",
}


def check_responses_nested(trace: Trace) -> None:
    """response.created … response.done are balanced, one at a time; items and parts open before
    their deltas and close in order; ids agree throughout."""
    response = item = part = None
    seen: set[str] = set()
    for event in trace.server:
        kind = event["type"]
        if kind == "response.created":
            if response is not None and not trace.cancel_sends_response_done:
                # a cancelled response may end at its last .done (docs/protocol/events.md §7.5)
                assert item is None and part is None, "a response started inside an open item"
                response = None
            assert response is None, "a response started inside another"
            response = event["response"]["id"]
            assert response not in seen, f"response id {response} reused"
            seen.add(response)
            item = part = None
        elif kind == "response.done":
            assert event["response"]["id"] == response, (
                "response.done for a response that is not open"
            )
            assert item is None and part is None, "response.done with an item or part still open"
            response = None
        elif kind == "response.output_item.added":
            assert response == event["response_id"] and item is None, (
                "output item outside its response"
            )
            assert event["output_index"] == 0
            item = event["item"]["id"]
        elif kind == "response.output_item.done":
            assert item == event["item"]["id"] and part is None, "output_item.done out of order"
            item = None
        elif kind == "response.content_part.added":
            assert (response, item) == (event["response_id"], event["item_id"]) and part is None
            part = event["content_index"]
        elif kind == "response.content_part.done":
            assert part == event["content_index"] and item == event["item_id"], (
                "content_part.done out of order"
            )
            part = None
        elif kind in _PART_STREAM:
            assert part is not None, f"{kind} outside an open content part"
            assert (response, item, part) == (
                event["response_id"],
                event["item_id"],
                event["content_index"],
            )
        elif kind.startswith("response.function_call_arguments."):
            assert item is not None and part is None, f"{kind} outside an open function_call item"
            assert (response, item) == (event["response_id"], event["item_id"])


def _audio_when_received(trace: Trace) -> list[int]:
    """For each server event: the audio (ms) the client had sent when that event reached it."""
    counts = [count for count, _, _ in trace.client]
    return [
        trace.client[bisect.bisect_right(counts, index) - 1][2]
        if counts and counts[0] <= index
        else 0
        for index in range(len(trace.server))
    ]


MAX_SILENCE_MS = (
    6000  # the largest silence_duration_ms: audio_end_ms may run this far past the audio
)


def check_speech_events(trace: Trace) -> None:
    """speech_started/stopped alternate (a clear also ends a speech span), share item ids, move
    forward, and stay within the audio sent."""
    audio_at = _audio_when_received(trace)
    open_item, last_ms = None, 0
    for index, event in enumerate(trace.server):
        kind = event["type"]
        if kind == "input_audio_buffer.cleared":
            open_item = (
                None  # clear drops the utterance in progress, without speech_stopped (README)
            )
            continue
        if kind == "input_audio_buffer.speech_started":
            assert open_item is None, "speech_started twice without speech_stopped"
            ms = event["audio_start_ms"]
            open_item = event.get("item_id", "")
        elif kind == "input_audio_buffer.speech_stopped":
            assert open_item is not None, "speech_stopped without speech_started"
            assert event.get("item_id", "") == open_item, "speech_stopped for another item"
            ms = event["audio_end_ms"]
            open_item = None
        else:
            continue
        assert ms >= last_ms, f"{kind} at {ms} ms goes back before {last_ms} ms"
        assert ms <= audio_at[index] + MAX_SILENCE_MS, (
            f"{kind} at {ms} ms, beyond the {audio_at[index]} ms sent"
        )
        last_ms = ms


def check_committed_needs_audio(trace: Trace) -> None:
    """Each input_audio_buffer.committed needs audio the client appended before it arrived."""
    counts = [count for count, _, _ in trace.client]
    committed = 0
    for index, event in enumerate(trace.server):
        if event["type"] != "input_audio_buffer.committed":
            continue
        committed += 1
        sent = trace.client[: bisect.bisect_right(counts, index)]
        appends = sum(
            1
            for k, (_, e, ms) in enumerate(sent)
            if e
            and e.get("type") == "input_audio_buffer.append"
            and ms > (sent[k - 1][2] if k else 0)
        )
        assert committed <= appends, (
            f"committed #{committed} with only {appends} audio appends sent"
        )


def check_errors_allowed(trace: Trace) -> None:
    """Every error is an invalid_request_error of a code the docs allow for the event that caused it."""
    by_id = {e.get("event_id"): e.get("type") for _, e, _ in trace.client if isinstance(e, dict)}
    for event in trace.server:
        if event["type"] != "error":
            continue
        error = event["error"]
        assert error["type"] == "invalid_request_error", f"server_error: {error}"
        cause = by_id.get(error.get("event_id")) if error.get("event_id") else None
        if cause is None:  # LiveTranslate errors do not name their event: any documented code
            allowed = set().union(*ALLOWED_ERRORS.values())
        else:
            allowed = ALLOWED_ERRORS.get(cause, set()) | ALLOWED_ERRORS[None]
        assert error["code"] in allowed, (
            f"error {error['code']} is not one {cause or 'any event'} may cause"
        )


def check_usage_matches_audio(trace: Trace) -> None:
    """response.done's output audio tokens are what the audio deltas of that response are worth."""
    model = registry.lookup(trace.model)
    assert model is not None, f"unknown model {trace.model}"
    spec = model.spec
    samples: dict[str, int] = {}
    for event in trace.server:
        if event["type"] == "response.audio.delta":
            samples[event["response_id"]] = (
                samples.get(event["response_id"], 0) + len(base64.b64decode(event["delta"])) // 2
            )
        elif event["type"] == "response.done":
            response = event["response"]
            details = response.get("usage", {}).get("output_tokens_details", {})
            sent = samples.get(response["id"], 0)
            assert isinstance(spec, (OmniModel, LiveTranslateModel)), f"{trace.model} has no audio"
            expected = math.ceil(sent / 24000 * spec.output_audio_tokens_per_second)
            assert details.get("audio_tokens", 0) == expected, (
                f"usage says {details.get('audio_tokens')} audio tokens, the deltas are worth {expected}"
            )


# ---- ordering facts stated in the schemas' descriptions ------------------------------------
# Each check below names the schema file(s) whose `description` states the fact it enforces.


def _client_count(trace: Trace, kind: str, before: int) -> int:
    """How many `kind` client events were sent before server event number `before` arrived."""
    return sum(1 for count, e, _ in trace.client if count <= before and e and e.get("type") == kind)


def check_part_order(trace: Trace) -> None:
    """Inside a response, in the documented order (server/*.json descriptions):
    response.output_item.added → its conversation.item.created next (output_item.added,
    conversation.item.created); streamed text until its .done (response.text.delta/.text,
    response.audio_transcript.text/.delta); response.audio_transcript.done precedes
    response.audio.done, and no audio after it; content_part.done after the part's text/audio
    .done events (response.audio.done, response.content_part.done); tool-call arguments after the
    item's conversation.item.created and until .done, and a completed function_call item ends
    after function_call_arguments.done (response.function_call_arguments.*, output_item.done)."""
    last: tuple[str, str | None] | None = None  # the last response.* event: (type, item id)
    added: set[str | None] = set()  # items a response added
    done: dict[str, set[str]] = {}  # item id → .done types seen for it
    part_type: dict[str | None, str] = {}
    for event in trace.server:
        kind = event["type"]
        item = event.get("item_id") or (event.get("item") or {}).get("id")
        if kind == "conversation.item.created" and item in added:
            assert last == ("response.output_item.added", item), (
                f"conversation.item.created of {item} after {last and last[0]}, "
                "not right after its output_item.added"
            )
            continue
        if not kind.startswith("response."):
            continue
        last = (kind, item)
        seen = done.setdefault(item, set()) if item else set()
        if kind == "response.output_item.added":
            added.add(item)
        elif kind == "response.content_part.added":
            part_type[item] = event["part"]["type"]
        elif kind in ("response.text.delta", "response.text.text"):
            assert "response.text.done" not in seen, f"{kind} after response.text.done"
        elif kind in ("response.audio_transcript.delta", "response.audio_transcript.text"):
            assert "response.audio_transcript.done" not in seen, (
                f"{kind} after response.audio_transcript.done"
            )
        elif kind == "response.audio.delta":
            assert "response.audio.done" not in seen, (
                "response.audio.delta after response.audio.done"
            )
        elif kind == "response.audio.done":
            assert "response.audio_transcript.done" in seen, (
                "response.audio.done before response.audio_transcript.done"
            )
        elif kind == "response.content_part.done":
            needed = (
                {"response.audio_transcript.done", "response.audio.done"}
                if part_type.get(item) == "audio"
                else {"response.text.done"}
            )
            assert needed <= seen, f"content_part.done before {sorted(needed - seen)}"
        elif kind == "response.function_call_arguments.delta":
            assert "response.function_call_arguments.done" not in seen, (
                "function_call_arguments.delta after function_call_arguments.done"
            )
        elif (
            kind == "response.output_item.done"
            and event["item"]["type"] == "function_call"
            and event["item"]["status"] == "completed"
        ):
            assert "response.function_call_arguments.done" in seen, (
                "a completed function_call item done before function_call_arguments.done"
            )
        if item and kind.endswith(".done"):
            seen.add(kind)


def _is_user_audio_item(event: dict) -> bool:
    item = event.get("item") or {}
    return item.get("role") == "user" and any(
        part.get("type") == "input_audio" for part in item.get("content", [])
    )


def check_user_turn_order(trace: Trace) -> None:
    """The user side, in the documented order: input_audio_buffer.committed comes after a
    speech_stopped (VAD), a commit or session.finish, and after its own speech_stopped
    (input_audio_buffer.committed.*, speech_stopped); the user item's conversation.item.created
    follows its committed (committed.*, conversation.item.created); every .text/.delta of a
    transcript precedes its .completed, which comes after the item was committed
    (…transcription.text, …transcription.completed)."""
    causes = committed = user_items = 0
    spoken: set[str] = set()  # item ids of utterances that began (speech_started)
    stopped: set[str] = set()
    committed_ids: set[str] = set()
    finals: set[str | None] = set()  # items whose transcript is final (.completed or .failed)
    for index, event in enumerate(trace.server):
        kind = event["type"]
        item = event.get("item_id")
        if kind == "input_audio_buffer.speech_started" and item:
            spoken.add(item)
        elif kind == "input_audio_buffer.speech_stopped":
            causes += 1
            stopped.add(item or "")
        elif kind == "input_audio_buffer.committed":
            committed += 1
            sent = _client_count(trace, "input_audio_buffer.commit", index)
            sent += _client_count(trace, "session.finish", index)
            assert committed <= causes + sent, (
                f"committed #{committed} without a speech_stopped, commit or session.finish before it"
            )
            if item:
                assert item not in spoken or item in stopped, (
                    f"committed {item} before its speech_stopped"
                )
                committed_ids.add(item)
        elif kind == "conversation.item.created" and _is_user_audio_item(event):
            user_items += 1
            assert user_items <= committed, "a user audio item created before its committed"
            if committed_ids or trace.family != "livetranslate":
                assert event["item"]["id"] in committed_ids, (
                    f"user item {event['item']['id']} created before its committed"
                )
        elif kind.startswith("conversation.item.input_audio_transcription."):
            assert item not in finals, f"{kind} after the transcript of {item} was final"
            if kind.endswith((".completed", ".failed")):
                finals.add(item)
                if trace.family != "livetranslate":
                    assert item in committed_ids, f"{kind} for {item} before its committed"


def check_answers_follow_requests(trace: Trace) -> None:
    """What answers a client event comes only after it (client/*.json descriptions): cleared after
    input_audio_buffer.clear; session.updated after session.update (or once at connect, by
    Behaviour.updated_on_connect); a client item's conversation.item.created after
    conversation.item.create; a response cancelled by the client after response.cancel (or
    session.finish, for an MCP call awaiting approval), one cut by
    turn detection after a speech_started; an Omni response after response.create, a
    speech_stopped (VAD) or a tool result, never by itself after a manual commit
    (committed.omni); session.finished after session.finish, with no response left open."""
    counts: dict[str, int] = {}
    open_responses: set[str] = set()
    answered_by: dict[str, tuple[str, ...]] = {
        "input_audio_buffer.cleared": ("input_audio_buffer.clear",),
        "session.updated": ("session.update",),
        "session.finished": ("session.finish",),
    }
    for index, event in enumerate(trace.server):
        kind = event["type"]
        key = kind
        if kind == "conversation.item.created" and not _is_user_audio_item(event):
            item = event["item"]
            if item["type"] == "function_call_output" or item.get("role") == "user":
                key = "client item"
                answered_by["client item"] = ("conversation.item.create",)
        elif kind == "response.created":
            open_responses.add(event["response"]["id"])
            if trace.family == "omni":
                key = "omni response"
                answered_by[key] = ("response.create", "conversation.item.create")
        elif kind == "response.done":
            open_responses.discard(event["response"]["id"])
            reason = (event["response"].get("status_details") or {}).get("reason")
            if reason in ("client_cancelled", "turn_detected"):
                key = reason
                # session.finish ends an MCP call still awaiting its approval as a cancel does
                answered_by["client_cancelled"] = ("response.cancel", "session.finish")
                answered_by["turn_detected"] = ()
        counts[key] = counts.get(key, 0) + 1
        if key not in answered_by:
            continue
        allowed = sum(_client_count(trace, cause, index) for cause in answered_by[key])
        if key == "session.updated" and trace.updated_on_connect:
            allowed += 1
        if key in ("turn_detected", "omni response"):
            allowed += sum(
                1
                for e in trace.server[:index]
                if e["type"]
                == (
                    "input_audio_buffer.speech_started"
                    if key == "turn_detected"
                    else "input_audio_buffer.speech_stopped"
                )
            )
        assert counts[key] <= allowed, f"{kind} #{counts[key]} with no client event asking for it"
        if kind == "session.finished" and trace.cancel_sends_response_done:
            assert not open_responses, "session.finished while a response is still open"


CHECKS = (
    check_schemas,
    check_dialect,
    check_starts_with_session_created,
    check_nothing_after_finished,
    check_responses_nested,
    check_speech_events,
    check_committed_needs_audio,
    check_errors_allowed,
    check_usage_matches_audio,
    check_part_order,
    check_user_turn_order,
    check_answers_follow_requests,
)


def check_all(trace: Trace) -> None:
    """Run every invariant on the trace."""
    for check in CHECKS:
        check(trace)
