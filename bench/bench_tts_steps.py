"""How long one TTS pull holds the event loop: CPU time of each client event and each
`next_event` of a TTS session speaking a long text (19,000 characters, committed at once).

A response is made in bounded steps (mockserver/families/tts/building.py): a few words
synthesized, or one 200 ms delta, per pull. The goal is no step over 5 ms (STYLE.md). Voices are
cold (a voice not spoken before in this process), the worst case. WAV, sent as PCM is after a
header of unknown length (Behaviour tts_wav_stream "streamed", the default), is printed for one
sentence and for 2,000 characters at 24 and 48 kHz; MP3 and Opus, encoded 60 ms a step
(media/streaming.py), for one sentence at 24 kHz and for the long text at 8 and 48 kHz. Last,
the 2,000 characters as one complete WAV ("whole"), made in one step.

Run: `python bench/bench_tts_steps.py`.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.protocol.behaviour import Behaviour, TtsWavStream
from dashscope_realtime_mock.session.base import Playback

LONG = ("The quick brown fox jumps over the lazy dog near the river bank. " * 300)[:19000]
SHORT = "Hello there, this is one ordinary sentence of speech."
MODEL = "qwen3-tts-flash-realtime"


def pulls(
    text: str, voice: str, behaviour: Behaviour | None = None, **session: object
) -> list[float]:
    """CPU seconds of the append, the commit and every pull until nothing is left."""
    core = open_session(
        MODEL,
        rng=random.Random(1),
        playback=Playback.AUDIO_TIME,
        behaviour=behaviour or Behaviour(),
    )
    core.receive_event(
        {"type": "session.update", "session": {"mode": "commit", "voice": voice, **session}}
    )
    core.events_to_send()
    spent = []
    for event in (
        {"type": "input_text_buffer.append", "text": text},
        {"type": "input_text_buffer.commit"},
    ):
        started = time.process_time()
        core.receive_event(event)
        spent.append(time.process_time() - started)
    while True:
        started = time.process_time()
        taken = core.next_event()
        spent.append(time.process_time() - started)
        if taken is None:
            return spent


def report(label: str, spent: list[float]) -> None:
    ms = sorted(s * 1000 for s in spent)
    print(
        f"{label:<38} {len(ms):>6} steps  p50 {ms[len(ms) // 2]:6.3f}  p99 {ms[len(ms) * 99 // 100]:6.3f}  max {ms[-1]:6.2f} ms"
    )


def main() -> None:
    gc.disable()  # a serve process runs its collections between sessions (transport/collector.py)
    for voice, rate in (("Vivian", 24000), ("Maia", 48000), ("Kai", 8000)):
        report(f"pcm {rate} Hz, 19,000 characters", pulls(LONG, voice, sample_rate=rate))
    for fmt, voice in (("wav", "Moon"), ("mp3", "Mia"), ("opus", "Mochi")):
        report(f"{fmt} 24000 Hz, one sentence", pulls(SHORT, voice, response_format=fmt))
    for voice, rate in (("Serena", 24000), ("Nofish", 48000)):
        spent = pulls(LONG[:2000], voice, response_format="wav", sample_rate=rate)
        report(f"wav {rate} Hz, 2,000 characters", spent)
    whole = Behaviour(tts_wav_stream=TtsWavStream.WHOLE)  # the complete file in one step
    for voice, rate in (("Ethan", 24000), ("Chelsie", 48000)):
        spent = pulls(LONG[:2000], voice, whole, response_format="wav", sample_rate=rate)
        report(f"wav whole {rate} Hz, 2,000 characters", spent)
    for fmt, voice, rate in (
        ("mp3", "Ryan", 48000),
        ("opus", "Jennifer", 48000),
        ("mp3", "Katerina", 8000),
        ("opus", "Elias", 8000),
    ):
        spent = pulls(LONG, voice, response_format=fmt, sample_rate=rate)
        report(f"{fmt} {rate} Hz, 19,000 characters", spent)


if __name__ == "__main__":
    main()
