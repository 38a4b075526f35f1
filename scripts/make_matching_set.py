"""Regenerate the speech of the replay-matching test set (needs espeak-ng and sox).

Audio no fixture was recorded from, laid out as the fixtures' input is (0.5 s of silence, one
utterance, 1.2 s of silence), in four kinds: other sentences in the fixtures' voices, the
fixtures' sentences in other voices, in other languages, and re-read at another speed. Written
as 8 kHz FLAC (the fingerprint looks only below 3.6 kHz) to
tests/mockserver/replay/matching_set/, with `set.json` naming what each file holds. The noise,
silence and synthetic speech of the set are made at test time (tests/.../matching_trials.py).

Run: `python scripts/make_matching_set.py`. Deterministic for one espeak-ng and sox version.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
# ruff: noqa: E402
from make_fixtures import SENTENCES, VOICES, silence

from dashscope_realtime_mock.media.pcm import resample

OUT = ROOT / "tests" / "mockserver" / "replay" / "matching_set"
RATE = 8000
CORPUS = json.loads((ROOT / "mockserver" / "data" / "corpus.json").read_text(encoding="utf-8"))
# Sentences of the built-in corpus that no fixture speaks.
OTHER = [s for s in CORPUS["sentences"] if s["en"] not in {t["en"] for t in SENTENCES}]


def _items() -> list[tuple[str, str, str, str, int]]:
    """(name, kind, espeak voice, text, words per minute) of every file of the set."""
    items = []
    for number, sentence in enumerate(OTHER[:2]):
        for language in ("en", "zh", "fr", "de", "es"):
            voice = VOICES[language]
            items.append(
                (f"other-{language}-{number}", "other sentence", voice, sentence[language], 150)
            )
    for number, voice in enumerate(("en-us+f3", "en-gb", "en-us+m7", "en-us+klatt")):
        text = SENTENCES[number % 2]["en"] if number < 2 else SENTENCES[(number + 1) % 4]["en"]
        items.append((f"voice-{number}", "other voice", voice, text, 150))
    for language in ("it", "pt", "ru", "ja"):
        for number in (0, 1):
            items.append(
                (
                    f"language-{language}-{number}",
                    "other language",
                    language,
                    SENTENCES[number][language],
                    150,
                )
            )
    fixture_first = [
        ("en", SENTENCES[0]["en"]),
        ("en", SENTENCES[1]["en"]),
        ("zh", SENTENCES[2]["zh"]),
        ("fr", SENTENCES[0]["fr"]),
        ("de", SENTENCES[3]["de"]),
        ("en", "What can you help me with today?"),
        ("en", "Tell me about the weather."),
        ("en", "What is the weather like in Beijing?"),
    ]
    for number, (language, text) in enumerate(fixture_first):
        for speed in (130, 175):
            items.append((f"speed-{speed}-{number}", "other speed", VOICES[language], text, speed))
    return items


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = []
    with tempfile.TemporaryDirectory() as work:
        for name, kind, voice, text, speed in _items():
            pcm = _speak(voice, text, speed, Path(work))
            audio = np.concatenate([silence(500, 16000), pcm, silence(1200, 16000)])
            soundfile.write(
                OUT / f"{name}.flac", resample(audio, 16000, RATE), RATE, subtype="PCM_16"
            )
            manifest.append(
                {"file": f"{name}.flac", "kind": kind, "voice": voice, "text": text, "wpm": speed}
            )
    (OUT / "set.json").write_text(
        json.dumps({"sample_rate": RATE, "items": manifest}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )


# trim leading and trailing silence as make_fixtures.py does
_TRIM = ("silence", "1", "0.005", "0.3%", "reverse", "silence", "1", "0.005", "0.3%", "reverse")


def _speak(voice: str, text: str, speed: int, work: Path) -> np.ndarray:
    """`text` spoken by espeak-ng `voice` at `speed` words per minute, 16 kHz, silence trimmed
    as make_fixtures.py trims it."""
    raw, out = work / "raw.wav", work / "out.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True)
    subprocess.run(
        ["sox", "-D", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out), *_TRIM],
        check=True,
    )
    samples: np.ndarray = soundfile.read(out, dtype="int16")[0]
    return samples


if __name__ == "__main__":
    main()
