"""`python -m dashscope_realtime_mock validate FILE.jsonl`: a captured session checked against the schemas."""

from __future__ import annotations

import json

from dashscope_realtime_mock.cli import main
from tests.support import OMNI, new_session, send, stream


def _capture(speech) -> list[dict]:
    """A whole Omni session as a client would capture it: both directions, in order."""
    s = new_session(OMNI)
    events = [
        {
            "type": "session.created",
            "event_id": "event_0",
            "session": {
                "id": s.id,
                "object": "realtime.session",
                "model": OMNI,
                "modalities": ["text", "audio"],
                "voice": "Cherry",
                "input_audio_format": "pcm",
                "output_audio_format": "pcm",
            },
        }
    ]
    update = {"type": "session.update", "session": {"turn_detection": None}}
    events += [update, *send(s, **update)]
    events += stream(s, speech, end_ms=speech.gap_middle_ms)
    events += [{"type": "input_audio_buffer.commit"}, *send(s, type="input_audio_buffer.commit")]
    events += [{"type": "response.create"}, *send(s, type="response.create")]
    return events


def _write(tmp_path, lines: list) -> str:
    path = tmp_path / "capture.jsonl"
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
        encoding="utf-8",
    )
    return str(path)


def test_a_valid_capture_passes(tmp_path, speech_en, capsys):
    """A capture of a real session: exit 0, and the count of events checked."""
    events = _capture(speech_en)
    assert main(["validate", _write(tmp_path, events)]) == 0
    assert f"{len(events)} events checked (omni family), 0 violations" in capsys.readouterr().out


def test_each_violation_is_printed_with_its_line(tmp_path, speech_en, capsys):
    """A broken event is reported as FILE:LINE with the offending field; exit 1."""
    events = _capture(speech_en)
    events[2] = {**events[2], "session": {**events[2]["session"], "temperature": 5}}
    path = _write(tmp_path, [*events[:3], "not json", *events[3:]])
    assert main(["validate", path]) == 1
    out = capsys.readouterr().out
    assert f"{path}:3: server session.updated:" in out and "(at session.temperature)" in out
    assert f"{path}:4: line: not JSON" in out


def test_fixture_format_is_read_with_its_header(tmp_path, capsys):
    """Header line + {t_ms, dir, event} lines: the header names the model, dir the direction."""
    lines = [
        {"format": "dashscope-realtime-mock/fixture", "version": 1, "model": OMNI},
        {"t_ms": 0, "dir": "client", "event": {"type": "response.cancel"}},
        {
            "t_ms": 5,
            "dir": "server",
            "event": {"event_id": "e", "type": "input_audio_buffer.cleared"},
        },
        {"t_ms": 9, "dir": "client", "event": {"type": "input_audio_buffer.append"}},
    ]
    assert main(["validate", _write(tmp_path, lines)]) == 1
    out = capsys.readouterr().out
    assert ":4: client input_audio_buffer.append: 'audio' is a required property" in out
    assert "3 events checked (omni family), 1 violations" in out


def test_the_family_must_be_known(tmp_path, capsys):
    """No header and no session.created: exit 1 asking for --model; --model settles it."""
    path = _write(tmp_path, [{"type": "input_audio_buffer.commit"}])
    assert main(["validate", path]) == 1
    assert "pass --model or --family" in capsys.readouterr().out
    assert (
        main(["validate", path, "--model", "qwen3-asr-flash-realtime"]) == 1
    )  # ASR requires event_id
    assert "'event_id' is a required property" in capsys.readouterr().out
    assert main(["validate", path, "--family", "omni"]) == 0
