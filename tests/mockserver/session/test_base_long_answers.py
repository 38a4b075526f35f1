"""A long answer is made a chunk at a time as it is taken, with the events building it at once gives."""

from __future__ import annotations

import random

from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.protocol.behaviour import Behaviour
from dashscope_realtime_mock.session.base import MADE_PER_STEP, Playback
from tests.support import OMNI, b64, send

WORDS = 600  # an answer of about 1,800 events


def _answering(**options):
    """An Omni session (manual mode) given a long tool output to read aloud."""
    s = open_session(OMNI, rng=random.Random(7), **options)
    s.events_to_send()
    send(s, type="session.update", session={"turn_detection": None})
    output = " ".join(f"word{n % 97}." for n in range(WORDS))
    item = {"type": "function_call_output", "call_id": "call_1", "output": output}
    send(s, type="conversation.item.create", item=item)
    s.receive_event({"type": "response.create", "event_id": "event_create"})
    return s


def _one_at_a_time(s) -> list[dict]:
    out = []
    while s.peek_event() is not None:
        out.append(s.next_event())
    return out


def test_a_long_answer_taken_event_by_event_is_the_answer_made_at_once():
    """Made in chunks as the transport pulls it, the answer is the one strict mode makes whole."""
    lazy = _answering(strict=False)
    assert lazy.unsent_events == 1  # not built yet: counts as one
    lazy.peek_event()
    assert lazy.unsent_events == MADE_PER_STEP + 1  # one chunk made, and the rest
    assert _one_at_a_time(lazy) == _answering(strict=True).events_to_send()


def test_a_fast_pace_answer_released_whole_is_the_answer_made_at_once():
    """Fast pace: an answer that plays out at once (input idle) is made as it is taken, and is
    the same answer, ids included."""
    s = _answering(strict=False, playback=Playback.AUDIO_TIME)
    s.input_idle()
    assert _one_at_a_time(s) == _answering(strict=True).events_to_send()


def test_a_cancel_half_way_closes_as_the_answer_made_at_once_does():
    """A cancel after half the events closes the answer with the same events, made lazily or
    at once."""
    outcomes = []
    for strict in (False, True):
        s = _answering(strict=strict)
        sent = _one_at_a_time_upto(s, 900)
        s.receive_event({"type": "response.cancel", "event_id": "event_cancel"})
        outcomes.append((sent, s.events_to_send()))
    assert outcomes[0] == outcomes[1]
    closing = [e["type"] for e in outcomes[0][1]]
    assert closing[-1] == "response.done"
    assert outcomes[0][1][-1]["response"]["status"] == "cancelled"


def _one_at_a_time_upto(s, count: int) -> list[dict]:
    return [s.next_event() for _ in range(count)]


def test_a_long_answer_made_in_chunks_says_its_transcript_in_its_audio():
    """The audio deltas, made a chunk at a time, are the transcript's whole synthesized speech."""
    import base64

    import numpy as np

    from dashscope_realtime_mock.media.speech import synthesize_speech

    s = _answering(strict=False)
    events = _one_at_a_time(s)
    audio = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.audio.delta"
    )
    [done] = [e for e in events if e["type"] == "response.audio_transcript.done"]
    spoken = synthesize_speech(done["transcript"], s.config["voice"])
    assert np.array_equal(np.frombuffer(audio, dtype="<i2"), spoken)


def test_a_fast_pace_text_answer_is_not_all_due_when_it_starts():
    """Fast pace: a long text-only answer plays Behaviour.text_delta_ms of audio time per delta, so
    the step that starts it makes its first events, not all of them; the client's audio plays
    the rest, a few events for each 100 ms it sends."""
    s = open_session(OMNI, rng=random.Random(7), playback=Playback.AUDIO_TIME)
    s.events_to_send()
    send(s, type="session.update", session={"turn_detection": None, "modalities": ["text"]})
    output = " ".join(f"word{n % 97}." for n in range(WORDS))
    item = {"type": "function_call_output", "call_id": "call_1", "output": output}
    send(s, type="conversation.item.create", item=item)
    s.receive_event({"type": "response.create", "event_id": "event_create"})
    assert s.unsent_events <= 2 * MADE_PER_STEP
    released = len(s.events_to_send())
    played = send(s, type="input_audio_buffer.append", audio=b64(bytes(3200)))  # 100 ms
    assert 0 < len(played) <= 100 // Behaviour().text_delta_ms + 1
    s.input_idle()  # the client went quiet: the rest plays at once, made as it is taken
    rest = _one_at_a_time(s)
    assert released + len(played) + len(rest) == WORDS // 3 + 8  # every text step, and the rest
    assert rest[-1]["type"] == "response.done"
