"""A long answer is made a chunk at a time as it is taken, with the events building it at once gives."""

from __future__ import annotations

import random

from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.session.base import MADE_PER_STEP, Playback
from tests.support import OMNI, send

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
