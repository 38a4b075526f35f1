"""Where fixtures live: a directory per scenario, a library of such directories."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from ..media.pcm import OUTPUT_SAMPLE_RATE
from .format import FORMAT, VERSION

__all__ = ["Fixture", "library_root", "load", "load_library", "save"]

TRANSCRIPT = "session.jsonl"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a pair is one character in a Python str


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
    """Read a fixture directory; ValueError naming the file when it is not one."""
    path = directory / TRANSCRIPT
    lines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            parsed = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: not valid JSON ({exc})") from None
        if not isinstance(parsed, dict):
            raise ValueError(f"{path}:{number}: a line must be a JSON object")
        lines.append(parsed)
    if not lines or lines[0].get("format") != FORMAT:
        raise ValueError(f"{path}: not a fixture (the first line must have format {FORMAT!r})")
    header = lines[0]
    if header.get("version") != VERSION:
        raise ValueError(
            f"{path}: fixture version {header.get('version')} (this mock reads {VERSION})"
        )
    input_file = _inside(directory, header, "input", path)
    if not input_file.is_file():
        raise ValueError(f"{path}: its input audio {input_file} is missing")
    input_audio, _ = soundfile.read(input_file, dtype="int16")
    output_file = _inside(directory, header, "output", path)
    output_audio = (
        soundfile.read(output_file, dtype="int16")[0]
        if output_file.exists()
        else np.zeros(0, np.int16)
    )
    return Fixture(header, lines[1:], input_audio, output_audio)


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
