"""The replay-matching test set, and one trial of it: a session core fed audio, asked what it replays.

Positives: each bundled fixture's own client audio, chunked two ways, and resent at the other
rate (8 kHz with the spectrum above 4 kHz removed, as a telephone capture has it, and by taking
every other sample, which folds that spectrum in; the 8 kHz fixture upsampled to 16 kHz). Each must replay a fixture recorded from the same audio.
Negatives: audio no fixture was made from, streamed to one model of each family: the espeak-ng
speech of matching_set/ (other sentences, voices, languages, speeds:
scripts/make_matching_set.py), the mock's own synthetic speech of the fixtures' sentences, noise
and silence. Each must be answered by the built-in responder.

Run as a script to print the rates and the closest calls (docs/replay-matching.md quotes them):
``.venv/bin/python -m tests.mockserver.replay.matching_trials``.
"""

from __future__ import annotations

import base64
import itertools
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from dashscope_realtime_mock.answers.corpus import CorpusResponder
from dashscope_realtime_mock.families import lookup, open_session
from dashscope_realtime_mock.media.pcm import resample
from dashscope_realtime_mock.media.speech import synthesize_speech
from dashscope_realtime_mock.replay.responders import MatchingResponder
from dashscope_realtime_mock.replay.store import Fixture, load_library

ROOT = Path(__file__).resolve().parents[3]
SET = Path(__file__).resolve().parent / "matching_set"
FAMILY_MODELS = {
    "livetranslate": "qwen3-livetranslate-flash-realtime",
    "asr": "qwen3-asr-flash-realtime",
    "omni": "qwen3-omni-flash-realtime",
}
CHUNKS_MS = (20, 100, 333)


@dataclass(frozen=True)
class Trial:
    """Audio streamed to one model, and the fixtures it may replay (empty: none may)."""

    name: str
    model: str
    update: dict[str, Any]
    audio: np.ndarray
    rate: int
    chunk_ms: int
    allowed: frozenset[str]


@dataclass(frozen=True)
class Outcome:
    trial: Trial
    replayed: str | None
    similarity: float  # of the fixture replayed, else of the closest one

    @property
    def right(self) -> bool:
        return self.replayed in self.trial.allowed if self.trial.allowed else self.replayed is None


@cache
def library() -> dict[str, Fixture]:
    return load_library(ROOT / "fixtures" / "scenarios")


def _client_update(fixture: Fixture) -> dict[str, Any]:
    update: dict[str, Any] = next(
        line["event"]["session"]
        for line in fixture.events
        if line["dir"] == "client" and line["event"]["type"] == "session.update"
    )
    return update


def to_8k(pcm: np.ndarray) -> np.ndarray:
    """16 kHz → 8 kHz with the spectrum above 4 kHz removed (no aliasing)."""
    spectrum = np.fft.rfft(pcm.astype(np.float64))
    half = np.fft.irfft(spectrum[: len(pcm) // 4 + 1], len(pcm) // 2) / 2
    return np.clip(np.round(half), -32768, 32767).astype(np.int16)


def _same_audio(name: str) -> frozenset[str]:
    """The fixtures whose input audio is the same samples as `name`'s (the tie-break picks one)."""
    lib, mine = library(), library()[name]
    return frozenset(
        other
        for other, fixture in lib.items()
        if fixture.header.get("family") == mine.header.get("family")
        and fixture.input_rate == mine.input_rate
        and np.array_equal(fixture.input_audio, mine.input_audio)
    )


def positives() -> list[Trial]:
    trials = []
    heard = {name: f for name, f in library().items() if f.input_audio is not None}
    for number, (name, fixture) in enumerate(sorted(heard.items())):
        if not len(fixture.input_audio):
            continue  # a text-in fixture (TTS) is matched on its text, not here
        update = _client_update(fixture)
        allowed = _same_audio(name)
        pcm, rate = fixture.input_audio, fixture.input_rate
        chunk = CHUNKS_MS[number % len(CHUNKS_MS)]
        trials.append(Trial(f"{name}", fixture.header["model"], update, pcm, rate, chunk, allowed))
        other_chunk = CHUNKS_MS[(number + 1) % len(CHUNKS_MS)]
        trials.append(
            Trial(f"{name}", fixture.header["model"], update, pcm, rate, other_chunk, allowed)
        )
        other_rate = 8000 if rate == 16000 else 16000
        resent = _at_rate(fixture, update, other_rate)
        if not _takes(fixture.header["model"], resent, other_rate):
            continue  # the model takes one input rate only (docs/protocol/events.md §4.2)
        if rate == 16000:
            resampled = {"8k": to_8k(pcm), "8k-decimated": pcm[::2].copy()}
        else:
            resampled = {"16k": resample(pcm, 8000, 16000)}
        for how, other_pcm in resampled.items():
            trials.append(
                Trial(
                    f"{name}@{how}",
                    fixture.header["model"],
                    resent,
                    other_pcm,
                    other_rate,
                    chunk,
                    allowed,
                )
            )
    return trials


def _takes(model_id: str, update: dict[str, Any], rate: int) -> bool:
    """Whether `model_id` takes `update` without an error and then hears audio at `rate` (a model
    with one input rate, Qwen-Audio's 16 kHz, ignores a rate it has no field for)."""
    model = lookup(model_id)
    assert model is not None
    session = open_session(model)
    session.receive_event({"event_id": "event_0", "type": "session.update", "session": update})
    refused = any(e["type"] == "error" for e in session.events_to_send())
    return not refused and session.config.get("sample_rate", 16000) == rate


def _at_rate(fixture: Fixture, update: dict[str, Any], rate: int) -> dict[str, Any]:
    """`update` with the input rate set to `rate` the way the fixture's family takes it."""
    model = lookup(fixture.header["model"])
    assert model is not None
    if model.family.name == "omni":  # docs/protocol/events.md §1.10: the `audio` object
        return {**update, "audio": {"input": {"format": {"type": "pcm", "sample_rate": rate}}}}
    return {**update, "sample_rate": rate}


def _negative_audio() -> list[tuple[str, np.ndarray]]:
    """(name, 16 kHz audio) of everything no fixture was made from."""
    manifest = json.loads((SET / "set.json").read_text(encoding="utf-8"))
    items = []
    for item in manifest["items"]:
        pcm, rate = soundfile.read(SET / item["file"], dtype="int16")
        items.append((f"{item['kind']}: {item['file']}", resample(pcm, rate, 16000)))
    for wav in sorted((ROOT / "fixtures" / "speech").glob("*.wav")):
        # the bundled speech: the fixtures' sentences, but recorded apart from them (another
        # lead-in, pause and noise floor); the README promises the built-in responder for it
        pcm, rate = soundfile.read(wav, dtype="int16")
        items.append((f"bundled speech: {wav.name}", resample(pcm, rate, 16000)))
    rng = np.random.default_rng(27)
    lead, tail = np.zeros(8000, np.int16), np.zeros(19200, np.int16)
    for number, text in enumerate(
        ("Artificial intelligence is changing how we work.", "What can you help me with today?")
    ):
        spoken = resample(np.asarray(synthesize_speech(text, "Cherry")), 24000, 16000)
        items.append((f"synthetic speech {number}", np.concatenate([lead, spoken, tail])))
    white = (rng.normal(0, 3000, 16000 * 4)).astype(np.int16)
    brown = np.cumsum(rng.normal(0, 300, 16000 * 4))
    brown = (brown - np.convolve(brown, np.ones(801) / 801, "same")).clip(-20000, 20000)
    hum = (4000 * np.sin(2 * np.pi * 120 * np.arange(16000 * 4) / 16000)).astype(np.int16)
    items += [
        ("white noise", np.concatenate([lead, white, tail])),
        ("brown noise", np.concatenate([lead, brown.astype(np.int16), tail])),
        ("hum", np.concatenate([lead, hum, tail])),
        ("silence", np.zeros(16000 * 5, np.int16)),
        ("noise floor", rng.normal(0, 50, 16000 * 5).astype(np.int16)),
    ]
    return items


def negatives() -> list[Trial]:
    trials = []
    for number, (name, pcm) in enumerate(_negative_audio()):
        for family, model in FAMILY_MODELS.items():
            chunk = CHUNKS_MS[number % len(CHUNKS_MS)]
            trials.append(Trial(f"{name} → {family}", model, {}, pcm, 16000, chunk, frozenset()))
    return trials


def run(trial: Trial) -> Outcome:
    """Stream `trial`'s audio through a session core whose responder matches over the library."""
    model = lookup(trial.model)
    assert model is not None
    matching = MatchingResponder(library(), CorpusResponder(), model.family.name)
    session = open_session(model, responder=matching)
    ids = (f"event_{n}" for n in itertools.count())
    session.receive_event(
        {"event_id": next(ids), "type": "session.update", "session": trial.update}
    )
    step = trial.rate * trial.chunk_ms // 1000
    for start in range(0, len(trial.audio), step):
        chunk = base64.b64encode(trial.audio[start : start + step].astype("<i2").tobytes())
        session.receive_event(
            {"event_id": next(ids), "type": "input_audio_buffer.append", "audio": chunk.decode()}
        )
    if "turn_detection" in trial.update and trial.update["turn_detection"] is None:
        session.receive_event({"event_id": next(ids), "type": "input_audio_buffer.commit"})
    errors = [e for e in session.events_to_send() if e["type"] == "error"]
    assert not errors, f"{trial.name}: {errors[0]['error']['message']}"
    matching.decide()  # what the first answer would have decided (silence never asks)
    score = matching.similarity if matching.scenario else (matching.closest or ("", 0.0))[1]
    return Outcome(trial, matching.scenario, score)


def rates(outcomes: list[Outcome]) -> tuple[float, float]:
    """(false-match rate over the negatives, missed-match rate over the positives)."""
    negative = [o for o in outcomes if not o.trial.allowed]
    positive = [o for o in outcomes if o.trial.allowed]
    false = sum(not o.right for o in negative) / len(negative)
    missed = sum(not o.right for o in positive) / len(positive)
    return false, missed


def main() -> None:
    outcomes = [run(t) for t in positives() + negatives()]
    false, missed = rates(outcomes)
    negative = [o for o in outcomes if not o.trial.allowed]
    positive = [o for o in outcomes if o.trial.allowed]
    print(
        f"positives {len(positive)}, missed {missed:.1%}; negatives {len(negative)}, false {false:.1%}"
    )
    print("lowest positives:")
    for o in sorted(positive, key=lambda o: o.similarity)[:5]:
        print(f"  {o.similarity:.2f} {o.trial.name} ({o.trial.chunk_ms} ms) -> {o.replayed}")
    print("highest negatives:")
    for o in sorted(negative, key=lambda o: -o.similarity)[:8]:
        print(f"  {o.similarity:.2f} {o.trial.name} -> {o.replayed}")
    for o in outcomes:
        if not o.right:
            print("WRONG", o.trial.name, o.replayed, f"{o.similarity:.2f}")


if __name__ == "__main__":
    main()
