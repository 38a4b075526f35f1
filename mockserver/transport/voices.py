"""Warm the speech synthesizer for each voice the sessions speak in, off the event loop.

The built-in answers are synthesized burst by burst (:mod:`..media.speech`), each burst cached by
the voice's pitch and its syllable position. A burst costs about 0.45 ms of numpy, so the first
answer in a voice not heard before held the event loop for 5-15 ms (the aim: no step over 5 ms).
When a session opens, and each time its configuration changes, the transport hands its voice to
:func:`warm`: a worker thread computes that voice's bursts (numpy releases the GIL) long before
its first answer, which waits for the speaker to finish. An answer that comes first computes
what it needs itself, as before; either way the samples are the same.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from ..media.speech import voice_pitch, warm_voice

__all__ = ["warm"]

log = logging.getLogger("mockserver")

_warming = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voice-warmer")
_pitches: set[float] = set()  # at most 120 (voice_pitch is a whole number in 110-229 Hz)


def warm(voice: object) -> Future[None] | None:
    """Start warming `voice` unless a voice of its pitch was (None then, or for no voice)."""
    if not isinstance(voice, str):
        return None
    pitch = voice_pitch(voice)
    if pitch in _pitches:
        return None
    _pitches.add(pitch)
    job = _warming.submit(warm_voice, voice)
    job.add_done_callback(_report_failure)
    return job


def _report_failure(job: Future[None]) -> None:
    """Never silent: a warm-up that fails is logged (the answer then synthesizes on the loop)."""
    if not job.cancelled() and (error := job.exception()) is not None:
        log.error("warming a voice for speech synthesis failed: %r", error)
