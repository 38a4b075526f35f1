"""The robustness matrix, fixtures: each is checked completely when `serve` loads it; a bad one
stops the start with one line naming its file and exit 2."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from dashscope_realtime_mock.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "fixtures" / "scenarios"


def _fixture(tmp_path: Path, source: str = "omni-vad") -> Path:
    """A copy of a bundled fixture under tmp_path/broken/, to break on purpose."""
    folder = tmp_path / "broken"
    shutil.copytree(SCENARIOS / source, folder)
    return folder


def _lines(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "session.jsonl").read_text().splitlines()]


def _write(folder: Path, lines: list[dict]) -> None:
    text = "\n".join(json.dumps(line) for line in lines) + "\n"
    (folder / "session.jsonl").write_text(text)


def _serve_fails(tmp_path: Path, capsys) -> str:
    """`serve` over tmp_path exits 2; the one line it printed."""
    argv = ["serve", "--port", "0", "--slow-step-ms", "0", "--no-inspector"]
    assert main([*argv, "--fixtures", str(tmp_path)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    return line


def _first_server_line(lines: list[dict], kind: str) -> int:
    return next(
        i for i, line in enumerate(lines) if line.get("event", {}).get("type", "").startswith(kind)
    )


def test_an_event_that_is_a_string_is_refused(tmp_path, capsys):
    """An event line whose event is a string: refused at start, naming the file."""
    folder = _fixture(tmp_path)
    lines = _lines(folder)
    lines[3]["event"] = "response.done"
    _write(folder, lines)
    assert "session.jsonl:4: 'event' must be an event" in _serve_fails(tmp_path, capsys)


def test_a_line_without_dir_is_refused(tmp_path, capsys):
    """An event line without `dir`: refused at start."""
    folder = _fixture(tmp_path)
    lines = _lines(folder)
    del lines[2]["dir"]
    _write(folder, lines)
    assert "session.jsonl:3: 'dir' must be client or server" in _serve_fails(tmp_path, capsys)


def test_a_numeric_answer_text_breaks_its_schema(tmp_path, capsys):
    """A server event whose transcript is a number: refused at start, naming line and event."""
    folder = _fixture(tmp_path)
    lines = _lines(folder)
    n = _first_server_line(lines, "response.audio_transcript.done")
    lines[n]["event"]["transcript"] = 42
    _write(folder, lines)
    line = _serve_fails(tmp_path, capsys)
    assert f"session.jsonl:{n + 1}: server response.audio_transcript.done" in line


def test_a_lone_surrogate_is_refused(tmp_path, capsys):
    """A lone UTF-16 surrogate in an answer: refused at start."""
    folder = _fixture(tmp_path)
    text = (folder / "session.jsonl").read_text()
    marker = '"transcript": "'
    assert marker in text
    (folder / "session.jsonl").write_text(text.replace(marker, marker + "\\ud800", 1))
    assert "lone UTF-16 surrogate" in _serve_fails(tmp_path, capsys)


def test_a_5_mb_answer_text_is_refused(tmp_path, capsys):
    """An answer of 5 MB of text: refused at start, not replayed."""
    folder = _fixture(tmp_path)
    lines = _lines(folder)
    n = _first_server_line(lines, "response.audio_transcript.done")
    lines[n]["event"]["transcript"] = "word " * 1_000_000
    _write(folder, lines)
    assert "characters (at most 262,144)" in _serve_fails(tmp_path, capsys)


def test_a_random_bytes_wav_is_one_line(tmp_path, capsys):
    """input.wav of random bytes: one line naming it, exit 2, no traceback."""
    folder = _fixture(tmp_path)
    (folder / "input.wav").write_bytes(os.urandom(4096))
    line = _serve_fails(tmp_path, capsys)
    assert "input.wav: not a readable WAV file" in line


def test_a_transcript_linked_to_dev_zero_is_refused(tmp_path, capsys):
    """session.jsonl linked to /dev/zero: not a regular file, refused without reading it."""
    folder = _fixture(tmp_path)
    (folder / "session.jsonl").unlink()
    (folder / "session.jsonl").symlink_to("/dev/zero")
    assert "session.jsonl: not a regular file" in _serve_fails(tmp_path, capsys)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_does_not_hang_the_start(tmp_path, capsys):
    """session.jsonl as a FIFO: refused at once, not waited on."""
    folder = _fixture(tmp_path)
    (folder / "session.jsonl").unlink()
    os.mkfifo(folder / "session.jsonl")
    assert "session.jsonl: not a regular file" in _serve_fails(tmp_path, capsys)


def test_a_fifo_wav_does_not_hang_the_start(tmp_path, capsys):
    """input.wav as a FIFO: refused at once."""
    folder = _fixture(tmp_path)
    (folder / "input.wav").unlink()
    os.mkfifo(folder / "input.wav")
    assert "input.wav: not a regular file" in _serve_fails(tmp_path, capsys)


def test_an_out_of_range_fault_in_a_header_is_refused(tmp_path, capsys):
    """A fixture header whose faults carry a 400-digit delay: refused at start."""
    folder = _fixture(tmp_path)
    lines = _lines(folder)
    lines[0]["faults"] = "delay:on=first_audio,ms=" + "9" * 400
    _write(folder, lines)
    assert "ms must be in [0, 600000]" in _serve_fails(tmp_path, capsys)
