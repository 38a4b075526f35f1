"""Playback.AUDIO_TIME (fast pace): what an answer has played is decided by the client's audio."""

from __future__ import annotations

from dashscope_realtime_mock.protocol.behaviour import Behaviour
from dashscope_realtime_mock.session.base import Playback
from tests.support import OMNI, b64, new_session, send, stream, types

TWO_CHUNKINGS = (100, 40)


def _omni(**options):
    s = new_session(OMNI, playback=Playback.AUDIO_TIME, **options)
    send(s, type="session.update", session={"modalities": ["text", "audio"]})
    return s


def _first_done(events: list[dict]) -> dict:
    return next(e for e in events if e["type"] == "response.done")["response"]


def test_barge_in_is_decided_by_audio_time_whatever_the_chunking(speech_en):
    """The same audio in 100 ms or 40 ms chunks cuts the first answer at the same point."""
    outcomes = []
    for ms in TWO_CHUNKINGS:
        s = _omni()
        events = stream(s, speech_en, ms) + send(s, type="session.finish")
        done = _first_done(events)
        outcomes.append((types(events), done["status"], done["usage"]))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][1] == "cancelled"


def test_an_answer_cut_by_audio_time_keeps_what_played(speech_en):
    """The cut answer carries the text played before the second utterance began, never nothing."""
    s = _omni()
    events = stream(s, speech_en) + send(s, type="session.finish")
    done = _first_done(events)
    assert done["status_details"]["reason"] == "turn_detected"
    assert done["output"][0]["content"][0]["transcript"]
    assert done["usage"]["output_tokens"] > 0


def test_an_answer_that_played_out_before_the_next_speech_completes(speech_en):
    """Enough silence after the first utterance: the first answer completes, never cut."""
    s = _omni()
    first = stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    silence = bytes(2 * 16000 * 20)  # 20 s: longer than any answer plays
    first += send(s, type="input_audio_buffer.append", audio=b64(silence))
    rest = stream(s, speech_en, start_ms=speech_en.gap_middle_ms) + send(s, type="session.finish")
    assert _first_done(first)["status"] == "completed"
    assert "cancelled" not in [
        e["response"]["status"] for e in rest if e["type"] == "response.done"
    ]


def test_an_answer_waits_for_the_audio_that_plays_it(speech_en):
    """Without more audio the answer's tail is held; idle input then plays it out, completed."""
    s = _omni()
    events = stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    assert "response.created" in types(events) and "response.done" not in types(events)
    assert s.awaiting_audio
    s.input_idle()
    assert _first_done(s.events_to_send())["status"] == "completed"


def _manual_turn(speech, modalities=("text", "audio")):
    """A manual-mode session with one committed utterance, before its response.create."""
    s = _omni()
    send(s, type="session.update", session={"turn_detection": None, "modalities": list(modalities)})
    stream(s, speech, end_ms=speech.gap_middle_ms)
    send(s, type="input_audio_buffer.commit")
    return s


def test_a_cancel_right_after_create_cancels_in_manual_mode(speech_en):
    """Manual mode: response.create then response.cancel, nothing between → cancelled."""
    s = _manual_turn(speech_en)
    events = send(s, type="response.create") + send(s, type="response.cancel")
    done = _first_done(events)
    assert done["status"] == "cancelled" and done["status_details"]["reason"] == "client_cancelled"
    assert "error" not in types(events)


def test_a_cancel_right_after_create_cancels_a_text_answer(speech_en):
    """A text-only answer has no audio to play, yet its close waits: the cancel still cuts it."""
    s = _manual_turn(speech_en, modalities=["text"])
    events = send(s, type="response.create") + send(s, type="response.cancel")
    assert _first_done(events)["status"] == "cancelled"
    item_done = next(e for e in events if e["type"] == "response.output_item.done")
    assert item_done["item"]["status"] == "incomplete"


def test_a_second_create_right_after_the_first_is_refused(speech_en):
    """Manual mode: a second response.create meets the first in progress: the documented error."""
    s = _manual_turn(speech_en)
    events = send(s, type="response.create") + send(s, type="response.create")
    [error] = [e["error"] for e in events if e["type"] == "error"]
    assert error["code"] == "invalid_value" and error["param"] == "response.create"
    assert types(events).count("response.created") == 1


def test_a_manual_answer_completes_once_the_client_goes_quiet(speech_en):
    """Nothing more from the client: the transport reports it idle and the answer completes."""
    s = _manual_turn(speech_en)
    events = send(s, type="response.create")
    assert "response.done" not in types(events) and s.awaiting_audio
    s.input_idle()
    assert _first_done(s.events_to_send())["status"] == "completed"


def test_a_manual_answer_is_played_by_the_next_turns_audio(speech_en):
    """Audio the client streams after the create plays the answer: 20 s of it, all played."""
    s = _manual_turn(speech_en)
    events = send(s, type="response.create")
    silence = bytes(2 * 16000 * 20)
    events += send(s, type="input_audio_buffer.append", audio=b64(silence))
    assert _first_done(events)["status"] == "completed"


def _cancelled_right_after_create(speech, seed: int, **behaviour):
    s = new_session(OMNI, seed=seed, playback=Playback.AUDIO_TIME, behaviour=Behaviour(**behaviour))
    send(s, type="session.update", session={"turn_detection": None})
    stream(s, speech, end_ms=speech.gap_middle_ms)
    send(s, type="input_audio_buffer.commit")
    return send(s, type="response.create") + send(s, type="response.cancel")


def test_late_deltas_come_before_the_cancelled_done_and_are_counted_in_it(speech_en):
    """late_deltas: more deltas follow the cancel before response.done, which counts their text."""
    plain = _cancelled_right_after_create(speech_en, 7)
    late = _cancelled_right_after_create(speech_en, 7, late_deltas=True)
    done_at = types(late).index("response.done")
    deltas = [k for k in types(late)[:done_at] if k.endswith(".delta")]
    assert len(deltas) > len([k for k in types(plain) if k.endswith(".delta")])
    shown = "".join(
        e["delta"] for e in late[:done_at] if e["type"] == "response.audio_transcript.delta"
    )
    assert _first_done(late)["output"][0]["content"][0]["transcript"] == shown


def test_late_deltas_are_the_same_for_the_same_seed_and_sometimes_follow_done(speech_en):
    """late_deltas is seeded: one seed gives one outcome; over seeds, some output follows done."""
    runs = {
        seed: types(_cancelled_right_after_create(speech_en, seed, late_deltas=True))
        for seed in range(12)
    }
    assert all(
        runs[s] == types(_cancelled_right_after_create(speech_en, s, late_deltas=True))
        for s in (0, 5)
    )
    assert any(kinds[-1] != "response.done" for kinds in runs.values())
    assert any(kinds[-1] == "response.done" for kinds in runs.values())
