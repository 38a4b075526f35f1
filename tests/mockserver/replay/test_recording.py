"""Building a fixture from one session's traffic: audio moved beside the events, header as accepted."""

from __future__ import annotations

import numpy as np

from dashscope_realtime_mock.replay.format import FORMAT, VERSION, parse_audio_ref
from dashscope_realtime_mock.replay.recording import Recording
from tests.support import OMNI, b64


def _recording() -> Recording:
    """An empty recording of an Omni session."""
    return Recording(OMNI, provenance="test", date="2025-01-01", scenario="s")


def _pcm(samples: int) -> str:
    return b64(np.arange(samples, dtype=np.int16).tobytes())


def test_the_header_names_format_model_and_family() -> None:
    """The fixture's header carries the format, its version, the model and its family."""
    header = _recording().fixture().header
    assert (header["format"], header["version"]) == (FORMAT, VERSION)
    assert (header["model"], header["family"], header["scenario"]) == (OMNI, "omni", "s")


def test_appended_pcm_moves_into_the_input_audio_as_references() -> None:
    """Two appends: the events hold references in order, the input audio holds their samples."""
    recording = _recording()
    recording.add(0, "client", {"type": "input_audio_buffer.append", "audio": _pcm(160)})
    recording.add(10, "client", {"type": "input_audio_buffer.append", "audio": _pcm(320)})
    fixture = recording.fixture()
    refs = [parse_audio_ref(e["event"]["audio"]) for e in fixture.events]
    assert [ref[1:] if ref else None for ref in refs] == [(0, 160), (160, 320)]
    assert len(fixture.input_audio) == 480


def test_answer_audio_moves_into_the_output_audio_as_references() -> None:
    """A response.audio.delta is replaced by a reference into the output audio."""
    recording = _recording()
    recording.add(5, "server", {"type": "response.audio.delta", "delta": _pcm(240)})
    fixture = recording.fixture()
    assert parse_audio_ref(fixture.events[0]["event"]["delta"]) is not None
    assert fixture.output_audio.tolist() == list(range(240))


def test_the_input_rate_is_the_one_the_server_echoed() -> None:
    """session.updated echoing sample_rate 8000: the header's input rate is 8000."""
    recording = _recording()
    recording.add(0, "server", {"type": "session.updated", "session": {"sample_rate": 8000}})
    assert recording.fixture().header["input"]["sample_rate"] == 8000


def test_a_rate_the_client_asked_for_but_never_echoed_does_not_count() -> None:
    """A client's session.update alone (refused upstream, never echoed): the header keeps 16 kHz."""
    recording = _recording()
    recording.add(0, "client", {"type": "session.update", "session": {"sample_rate": 8000}})
    assert recording.fixture().header["input"]["sample_rate"] == 16000


def test_events_are_kept_in_order_with_their_time_and_direction() -> None:
    """Each event is kept with t_ms and dir, in the order added; the caller's dict is not changed."""
    recording = _recording()
    event = {"type": "session.update", "session": {}}
    recording.add(3, "client", event)
    recording.add(7, "server", {"type": "session.updated", "session": {}})
    event["type"] = "changed"
    assert [(e["t_ms"], e["dir"], e["event"]["type"]) for e in recording.fixture().events] == [
        (3, "client", "session.update"),
        (7, "server", "session.updated"),
    ]
