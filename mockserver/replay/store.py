"""Where fixtures live: a directory per scenario, a library of such directories."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile

from ..media.pcm import OUTPUT_SAMPLE_RATE
from .format import FORMAT, VERSION

__all__ = ["Fixture", "load", "load_library", "save"]

TRANSCRIPT = "session.jsonl"


@dataclass
class Fixture:
    """One recorded (or synthesized) session."""

    header: dict
    events: list[dict]  # {"t_ms", "dir", "event"} with audio references
    input_audio: np.ndarray  # int16, at header["input"]["sample_rate"]
    output_audio: np.ndarray = field(
        default_factory=lambda: np.zeros(0, dtype=np.int16)
    )  # int16, 24 kHz

    @property
    def name(self) -> str:
        return self.header.get("scenario", "")

    @property
    def model(self) -> str:
        return self.header["model"]

    @property
    def input_rate(self) -> int:
        return self.header["input"]["sample_rate"]

    def audio(self, file: str, start: int, count: int) -> np.ndarray:
        source = self.input_audio if file == self.header["input"]["file"] else self.output_audio
        return source[start : start + count]


def save(fixture: Fixture, directory: Path) -> None:
    """Write `session.jsonl` and the two WAVs (deterministically: same fixture, same bytes)."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(fixture.header, ensure_ascii=False, sort_keys=True)]
    lines += [json.dumps(e, ensure_ascii=False, sort_keys=True) for e in fixture.events]
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


def load(directory: Path) -> Fixture:
    """Read a fixture directory; ValueError naming the file when it is not one."""
    path = directory / TRANSCRIPT
    lines = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    if not lines or lines[0].get("format") != FORMAT:
        raise ValueError(f"{path}: not a fixture (the first line must have format {FORMAT!r})")
    header = lines[0]
    if header.get("version") != VERSION:
        raise ValueError(
            f"{path}: fixture version {header.get('version')} (this mock reads {VERSION})"
        )
    input_audio, _ = soundfile.read(directory / header["input"]["file"], dtype="int16")
    output_file = directory / header["output"]["file"]
    output_audio = (
        soundfile.read(output_file, dtype="int16")[0]
        if output_file.exists()
        else np.zeros(0, np.int16)
    )
    return Fixture(header, lines[1:], input_audio, output_audio)


def load_library(root: Path) -> dict[str, Fixture]:
    """Every fixture under `root` (one directory level down), by scenario name."""
    library = {}
    for transcript in sorted(root.glob(f"*/{TRANSCRIPT}")):
        fixture = load(transcript.parent)
        library[fixture.name or transcript.parent.name] = fixture
    return library
