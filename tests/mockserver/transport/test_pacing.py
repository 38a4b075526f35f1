"""The pure pacing policy: how long the transport waits before each event."""

from __future__ import annotations

import base64

import pytest

from dashscope_realtime_mock.transport.pacing import Pace, Pacer

AUDIO_100MS = {"type": "response.audio.delta", "delta": base64.b64encode(bytes(4800)).decode()}


def test_fast_pace_never_waits():
    """fast: every event goes out at once."""
    pacer = Pacer(Pace.FAST)
    assert [
        pacer.delay_before(e) for e in ({"type": "response.created"}, AUDIO_100MS, AUDIO_100MS)
    ] == [0, 0, 0]


def test_realtime_first_text_waits_its_latency():
    """realtime: the first text event waits first_text_latency_ms after response.created."""
    pacer = Pacer(Pace.REALTIME, first_text_latency_ms=300, first_audio_latency_ms=500)
    assert pacer.delay_before({"type": "response.created"}) == 0
    assert pacer.delay_before({"type": "response.text.text"}) == pytest.approx(0.3)
    assert pacer.delay_before({"type": "response.text.text"}) == 0


def test_realtime_first_audio_counts_the_text_wait():
    """The first audio waits only what is left of first_audio_latency_ms after the text wait."""
    pacer = Pacer(Pace.REALTIME, first_text_latency_ms=300, first_audio_latency_ms=500)
    pacer.delay_before({"type": "response.created"})
    pacer.delay_before({"type": "response.audio_transcript.text"})
    assert pacer.delay_before(AUDIO_100MS) == pytest.approx(0.2)


def test_realtime_audio_deltas_play_at_playback_rate():
    """Each later audio delta waits for the previous one's duration (24 kHz PCM16)."""
    pacer = Pacer(Pace.REALTIME, first_text_latency_ms=0, first_audio_latency_ms=0)
    pacer.delay_before({"type": "response.created"})
    assert pacer.delay_before(AUDIO_100MS) == 0
    assert pacer.delay_before(AUDIO_100MS) == pytest.approx(0.1)


def test_unknown_pace_is_refused():
    """A pace that does not exist is a configuration error."""
    with pytest.raises(ValueError):
        Pacer("slow")  # type: ignore[arg-type]  # deliberately not a Pace: the refusal is under test


def test_speed_divides_every_delay():
    """speed=4: the same schedule, four times faster."""
    slow, fast = Pacer(Pace.REALTIME, 300, 500), Pacer(Pace.REALTIME, 300, 500, speed=4)
    events = [
        {"type": "response.created"},
        {"type": "response.audio.delta", "delta": "AAAA" * 1200},
        {"type": "response.audio.delta", "delta": "AAAA" * 1200},
    ]
    assert [fast.delay_before(e) * 4 for e in events] == [slow.delay_before(e) for e in events]


def test_recorded_pace_follows_the_recorded_gaps():
    """recorded: each event of a response waits until its recorded time after response.created."""
    pacer = Pacer(Pace.RECORDED, speed=2, recorded_gaps=lambda: [0, 100, 400, 400])
    events = [
        {"type": "response.created"},
        {"type": "response.output_item.added", "response_id": "r"},
        {"type": "conversation.item.created"},
        {"type": "response.text.delta", "response_id": "r"},
        {"type": "response.text.done", "response_id": "r"},
    ]
    assert [pacer.delay_before(e) for e in events] == [0.0, 0.05, 0.0, 0.15, 0.0]


def test_recorded_pace_without_a_recording_is_realtime():
    """recorded with nothing recorded for this response: realtime pacing applies."""
    recorded, realtime = (
        Pacer(Pace.RECORDED, 300, 500, recorded_gaps=lambda: None),
        Pacer(Pace.REALTIME, 300, 500),
    )
    events = [
        {"type": "response.created"},
        {"type": "response.text.delta", "delta": "x", "response_id": "r"},
    ]
    assert [recorded.delay_before(e) for e in events] == [realtime.delay_before(e) for e in events]


def test_audio_is_due_on_an_absolute_timeline():
    """realtime: each delta is due at the first one's due time plus the audio before it, however
    late the sends before it went out (no drift)."""
    pacer = Pacer(Pace.REALTIME, first_text_latency_ms=300, first_audio_latency_ms=500)
    assert pacer.due({"type": "response.created"}, now=10.0) == 10.0
    assert pacer.due({"type": "response.text.text"}, now=10.0) == pytest.approx(10.3)
    assert pacer.due(AUDIO_100MS, now=10.9) == pytest.approx(10.5)  # the transport was late
    assert pacer.due({"type": "response.text.text"}, now=11.0) == 11.0  # unpaced: at once
    assert pacer.due(AUDIO_100MS, now=11.2) == pytest.approx(10.6)
    assert pacer.due(AUDIO_100MS, now=11.2) == pytest.approx(10.7)
    assert pacer.due({"type": "response.created"}, now=20.0) == 20.0  # a new timeline
    assert pacer.due(AUDIO_100MS, now=20.0) == pytest.approx(20.5)
