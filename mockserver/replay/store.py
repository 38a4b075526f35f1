"""Where fixtures live: a directory per scenario, a library of such directories.

A fixture is checked completely when it is loaded, so that a bad one stops the server at start
with one line naming its file (and `serve` exits 2), never a session later: its files are
regular files of bounded size (not a FIFO, not a link to /dev/zero), every line is a JSON
object of the fixture's shape, every server event meets its schema, no string is longer than
a client frame's (:data:`~..protocol.inbound.MAX_TEXT_CHARS`) or holds a lone surrogate, and
both WAVs are mono PCM at the header's rates. Client events are what the recorded client sent
(perhaps a mistake the server answered with an `error`): they need only be events.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from ..media.pcm import OUTPUT_SAMPLE_RATE
from ..protocol.inbound import MAX_TEXT_CHARS
from .capture import validate_lines
from .format import FORMAT, VERSION

__all__ = ["Fixture", "library_root", "load", "load_library", "save"]

TRANSCRIPT = "session.jsonl"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a pair is one character in a Python str
MAX_TRANSCRIPT_BYTES = 256 * 2**20  # session.jsonl
MAX_WAV_BYTES = 2**30  # each WAV: about 9 h of 16 kHz input


@dataclass
class Fixture:
    """One recorded (or synthesized) session."""

    header: dict[str, Any]
    events: list[dict[str, Any]]  # {"t_ms", "dir", "event"} with audio references
    input_audio: np.ndarray  # int16, at header["input"]["sample_rate"]
    output_audio: np.ndarray = field(
        default_factory=lambda: np.zeros(0, dtype=np.int16)
    )  # int16, 24 kHz

    @property
    def name(self) -> str:
        scenario: str = self.header.get("scenario", "")
        return scenario

    @property
    def model(self) -> str:
        model: str = self.header["model"]
        return model

    @property
    def input_rate(self) -> int:
        rate: int = self.header["input"]["sample_rate"]
        return rate

    def audio(self, file: str, start: int, count: int) -> np.ndarray:
        source = self.input_audio if file == self.header["input"]["file"] else self.output_audio
        return source[start : start + count]


def save(fixture: Fixture, directory: Path) -> None:
    """Write `session.jsonl` and the two WAVs (deterministically: same fixture, same bytes)."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [_line(fixture.header)] + [_line(e) for e in fixture.events]
    (directory / TRANSCRIPT).write_text("\n".join(lines) + "\n", encoding="utf-8")
    soundfile.write(
        directory / fixture.header["input"]["file"],
        fixture.input_audio,
        fixture.input_rate,
        subtype="PCM_16",
        format="WAV",
    )
    soundfile.write(
        directory / fixture.header["output"]["file"],
        fixture.output_audio,
        OUTPUT_SAMPLE_RATE,
        subtype="PCM_16",
        format="WAV",
    )


def _line(value: dict[str, Any]) -> str:
    """One JSONL line, readable as UTF-8: a lone surrogate a client sent (valid JSON)
    stays the escape it came as, so the recording keeps it instead of failing to encode."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def load(directory: Path) -> Fixture:
    """Read a fixture directory; ValueError naming the file when it is not one (module doc)."""
    path = directory / TRANSCRIPT
    text = _read_regular(path, MAX_TRANSCRIPT_BYTES).decode("utf-8", errors="replace")
    lines: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            parsed = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: not valid JSON ({exc})") from None
        if not isinstance(parsed, dict):
            raise ValueError(f"{path}:{number}: a line must be a JSON object")
        if lines and (problem := _line_problem(parsed)):
            raise ValueError(f"{path}:{number}: {problem}")
        if parsed.get("dir") != "client" and (problem := _text_problem(parsed)):
            raise ValueError(f"{path}:{number}: {problem}")
        lines.append(parsed)
    if not lines or lines[0].get("format") != FORMAT:
        raise ValueError(f"{path}: not a fixture (the first line must have format {FORMAT!r})")
    header = lines[0]
    if header.get("version") != VERSION:
        raise ValueError(
            f"{path}: fixture version {header.get('version')} (this mock reads {VERSION})"
        )
    _check_header(header, path)
    _check_server_events(text, path)
    input_file = _inside(directory, header, "input", path)
    if not input_file.exists():
        raise ValueError(f"{path}: its input audio {input_file} is missing")
    input_audio = _read_wav(input_file, header["input"]["sample_rate"])
    output_file = _inside(directory, header, "output", path)
    output_audio = (
        _read_wav(output_file, OUTPUT_SAMPLE_RATE)
        if output_file.exists()
        else np.zeros(0, np.int16)
    )
    return Fixture(header, lines[1:], input_audio, output_audio)


def _read_regular(path: Path, most: int) -> bytes:
    """The bytes of `path`, a regular file of at most `most` bytes (ValueError otherwise)."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{path}: not a regular file")
        if info.st_size > most:
            raise ValueError(f"{path}: {info.st_size:,} bytes, more than the {most:,} allowed")
        return file.read(most + 1)


def _text_problem(value: object) -> str | None:
    """What makes a line unusable as text: a string too long, or a lone surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) > MAX_TEXT_CHARS:
                return f"a string of {len(item):,} characters (at most {MAX_TEXT_CHARS:,})"
            if _LONE_SURROGATE.search(item):
                return "a string holds a lone UTF-16 surrogate (not text)"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _line_problem(line: dict[str, Any]) -> str | None:
    """What is wrong with an event line's shape ({"t_ms", "dir", "event"}), or None."""
    if line.get("dir") not in ("client", "server"):
        return f"'dir' must be client or server, not {line.get('dir')!r}"
    event = line.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return "'event' must be an event: an object with a string 'type'"
    t_ms = line.get("t_ms", 0)
    if isinstance(t_ms, bool) or not isinstance(t_ms, int) or t_ms < 0:
        return f"'t_ms' must be an integer >= 0, not {t_ms!r}"
    return None


def _check_header(header: dict[str, Any], path: Path) -> None:
    if not isinstance(header.get("model"), str):
        raise ValueError(f"{path}: the header has no model")
    rate = (header.get("input") or {}).get("sample_rate")
    if isinstance(rate, bool) or not isinstance(rate, int) or not 8000 <= rate <= 48000:
        raise ValueError(f"{path}: input.sample_rate must be an integer in [8000, 48000]")
    if "scenario" in header and not isinstance(header["scenario"], str):
        raise ValueError(f"{path}: scenario must be a string")


def _check_server_events(text: str, path: Path) -> None:
    """Every server event meets its schema (the events a replay sends)."""
    violations, _, _ = validate_lines(text.splitlines())
    for violation in violations:
        if not violation.where.startswith("client "):
            raise ValueError(f"{path}:{violation}")


def _read_wav(file: Path, rate: int) -> np.ndarray:
    """A fixture's WAV: a regular file of mono PCM at `rate`, as int16 (ValueError otherwise)."""
    _read_regular_head(file)
    try:
        info = soundfile.info(str(file))
        audio: np.ndarray = soundfile.read(file, dtype="int16")[0]
    except (RuntimeError, ValueError, TypeError) as exc:  # LibsndfileError is a RuntimeError
        raise ValueError(f"{file}: not a readable WAV file ({_first_line(exc)})") from None
    if info.channels != 1:
        raise ValueError(f"{file}: {info.channels} channels (a fixture's audio is mono)")
    if info.samplerate != rate:
        raise ValueError(f"{file}: {info.samplerate} Hz, but the header says {rate} Hz")
    return audio


def _read_regular_head(file: Path) -> None:
    """`file` is a regular file of at most MAX_WAV_BYTES (ValueError otherwise)."""
    info = file.stat()
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{file}: not a regular file")
    if info.st_size > MAX_WAV_BYTES:
        raise ValueError(f"{file}: {info.st_size:,} bytes, more than the {MAX_WAV_BYTES:,} allowed")


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def _inside(directory: Path, header: dict[str, Any], which: str, path: Path) -> Path:
    """The header's `which` ("input"/"output") file, which must lie in the fixture's folder."""
    name = (header.get(which) or {}).get("file")
    if not isinstance(name, str):
        raise ValueError(f"{path}: the header has no {which}.file")
    file = (directory / name).resolve()
    if not file.is_relative_to(directory.resolve()):
        raise ValueError(f"{path}: {which}.file {name!r} points outside its fixture folder")
    return file


def library_root(folder: Path) -> Path:
    """Where a folder keeps its fixtures: `folder/scenarios/` (the bundled layout, beside a
    corpus.json), else the folder itself (what `record --out` writes: one folder per fixture)."""
    return folder / "scenarios" if (folder / "scenarios").is_dir() else folder


def load_library(root: Path) -> dict[str, Fixture]:
    """Every fixture under `root` (one directory level down), by scenario name.

    ValueError naming the file for a fixture that cannot be read, and for two with one name.
    """
    library: dict[str, Fixture] = {}
    where: dict[str, Path] = {}
    for transcript in sorted(root.glob(f"*/{TRANSCRIPT}")):
        fixture = load(transcript.parent)
        name = fixture.name or transcript.parent.name
        if name in library:
            raise ValueError(
                f"{transcript}: scenario {name!r} is also the name of {where[name]}; "
                "fixture names must be unique"
            )
        library[name], where[name] = fixture, transcript
    return library
