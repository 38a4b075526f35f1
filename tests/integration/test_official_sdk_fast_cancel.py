"""The official SDKs, unmodified, in fast pace (the default): a client acts on a response it
just asked for, without waiting for its events (docs/pace.md).

A `response.cancel` sent right after `response.create` cancels it; a second `response.create`
gets the documented error. The outcome is the same on every run and with fifty sessions at once:
each test compares what the clients saw, and asserts no timing.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from dashscope import Client
from dashscope.audio.qwen_omni import MultiModality, OmniRealtimeConversation
from dashscope.v2.errors import DashScopeError

from tests.integration.sdk_support import API_KEY, SDK_WARNINGS, Recorder
from tests.support import OMNI, b64, types

pytestmark = SDK_WARNINGS

RUNS = 3
CONCURRENT = 50
Outcome = tuple


def _turn_audio(speech) -> list[bytes]:
    """The first utterance and half the pause after it, in half-second pieces."""
    return list(speech.chunks(500, end_ms=speech.gap_middle_ms))


def _outcome(events: list[dict]) -> Outcome:
    """What must never vary: the event types, and each response.done's status and reason."""
    dones = [e["response"] for e in events if e["type"] == "response.done"]
    errors = [(e["error"]["code"], e["error"]["message"]) for e in events if e["type"] == "error"]
    return (
        types(events),
        [(d["status"], (d.get("status_details") or {}).get("reason")) for d in dones],
        errors,
    )


def _legacy_turn(server, speech, then: Callable[[OmniRealtimeConversation], None]) -> Outcome:
    """Legacy SDK, manual mode: one committed turn, create_response, then `then`, each sent at
    once; every event up to the first response.done and, after end_session, the rest."""
    recorder = Recorder()
    conversation = OmniRealtimeConversation(
        model=OMNI, callback=recorder, url=server.url, api_key=API_KEY
    )
    conversation.connect()
    conversation.update_session(
        output_modalities=[MultiModality.TEXT, MultiModality.AUDIO],
        voice="Cherry",
        enable_turn_detection=False,
    )
    for chunk in _turn_audio(speech):
        conversation.append_audio(b64(chunk))
    conversation.commit()
    conversation.create_response()
    then(conversation)
    recorder.wait_for("response.done")
    conversation.end_session(timeout=20)
    conversation.close()
    return _outcome([e for e in recorder.events if not e["type"].startswith("session.")])


def _v2_turn(server, speech, then: Callable[[object], None]) -> Outcome:
    """v2 SDK, manual mode: as :func:`_legacy_turn`; an error the SDK raises is kept as the
    error event it carried."""
    client = Client(api_key=API_KEY)
    with client.audio.realtime.connect(model=OMNI, ws_url=server.url_for(OMNI)) as rt:
        rt.update_session(["text", "audio"], voice="Cherry", enable_turn_detection=False)
        for chunk in _turn_audio(speech):
            rt.append_audio(chunk)
        rt.commit()
        rt.create_response()
        then(rt)
        events = _v2_read_until(rt, "response.done")
        rt.end_session()
        events += _v2_read_until(rt, "session.finished")
    return _outcome([e for e in events if not e["type"].startswith("session.")])


def _v2_read_until(rt, kind: str) -> list[dict]:
    """v2: events up to and including the first `kind`; an error the SDK raises (it recovers
    from a request error) is kept as the error event it carried."""
    events: list[dict] = []
    while True:
        try:
            event = rt.recv_event()
        except DashScopeError:
            event = rt.last_message
        if event is None:
            raise AssertionError(f"connection ended before {kind}: {types(events)}")
        events.append(event)
        if event["type"] == kind:
            return events


def _cancel(client) -> None:
    client.cancel_response()


def _create_again(client) -> None:
    client.create_response()


def _same_every_time(run: Callable[[], Outcome]) -> Outcome:
    """`run` a few times one after another, then fifty at once: one outcome, returned."""
    outcomes = [run() for _ in range(RUNS)]
    with ThreadPoolExecutor(CONCURRENT) as pool:
        outcomes += list(pool.map(lambda _: run(), range(CONCURRENT)))
    assert all(outcome == outcomes[0] for outcome in outcomes), {o[1:] for o in outcomes}
    return outcomes[0]


def test_legacy_sdk_cancel_right_after_create_cancels(realtime_mock, speech_en):
    """Legacy SDK: cancel_response() right after create_response() → cancelled, every time."""
    _, statuses, errors = _same_every_time(lambda: _legacy_turn(realtime_mock, speech_en, _cancel))
    assert statuses == [("cancelled", "client_cancelled")] and errors == []


def test_v2_sdk_cancel_right_after_create_cancels(realtime_mock, speech_en):
    """v2 SDK: cancel_response() right after create_response() → cancelled, every time."""
    _, statuses, errors = _same_every_time(lambda: _v2_turn(realtime_mock, speech_en, _cancel))
    assert statuses == [("cancelled", "client_cancelled")] and errors == []


IN_PROGRESS = ("invalid_value", "Cannot create response while another response is in progress.")


def test_legacy_sdk_create_while_active_is_refused(realtime_mock, speech_en):
    """Legacy SDK: a second create_response() at once → the documented error; the first completes."""
    kinds, statuses, errors = _same_every_time(
        lambda: _legacy_turn(realtime_mock, speech_en, _create_again)
    )
    assert errors == [IN_PROGRESS] and statuses == [("completed", None)]
    assert kinds.count("response.created") == 1


def test_v2_sdk_create_while_active_is_refused(realtime_mock, speech_en):
    """v2 SDK: a second create_response() at once → the documented error (raised by the SDK,
    which recovers); the first response completes."""
    kinds, statuses, errors = _same_every_time(
        lambda: _v2_turn(realtime_mock, speech_en, _create_again)
    )
    assert errors == [IN_PROGRESS] and statuses == [("completed", None)]
    assert kinds.count("response.created") == 1
