"""Build a fixture from a session's traffic, as it happens: the recorder proxy and the library script.

Audio payloads are decoded and moved into the input/output sample arrays (PCM only; an Opus
stream stays inline), each replaced by a reference; the API key is never part of what is seen.
"""

from __future__ import annotations

import copy

import numpy as np

from ..families import lookup
from ..media.pcm import OUTPUT_SAMPLE_RATE, pcm16_from_base64
from .format import FORMAT, VERSION, audio_ref, schemas_hash
from .store import Fixture

__all__ = ["Recording"]

INPUT_FILE, OUTPUT_FILE = "input.wav", "output.wav"


class Recording:
    """Collects one session's events in order; :meth:`fixture` turns them into a Fixture."""

    def __init__(
        self, model: str, *, provenance: str, date: str, scenario: str = "", description: str = ""
    ) -> None:
        spec = lookup(model)
        self.model = model
        self.header = {
            "format": FORMAT,
            "version": VERSION,
            "model": model,
            "family": spec.family.name if spec else None,
            "provenance": provenance,
            "date": date,
            "scenario": scenario,
            "description": description,
        }
        self.events: list[dict] = []
        self._input: list[np.ndarray] = []
        self._output: list[np.ndarray] = []
        self._input_samples = self._output_samples = 0
        self._input_rate = 16000
        self._input_format = "pcm"
        self._session: dict = {}

    def add(self, t_ms: int, direction: str, event: dict) -> None:
        event = copy.deepcopy(event)
        kind = event.get("type")
        if (
            direction == "client"
            and kind == "session.update"
            and isinstance(event.get("session"), dict)
        ):
            update = event["session"]
            self._input_rate = (
                update.get("sample_rate", self._input_rate) if not self._input else self._input_rate
            )
            self._input_format = update.get("input_audio_format", self._input_format)
        if (
            direction == "client"
            and kind == "input_audio_buffer.append"
            and self._input_format != "opus"
        ):
            samples = pcm16_from_base64(event.get("audio"))
            if samples is not None:
                event["audio"] = audio_ref(INPUT_FILE, self._input_samples, len(samples))
                self._input.append(samples)
                self._input_samples += len(samples)
        if direction == "server" and kind == "response.audio.delta":
            samples = pcm16_from_base64(event.get("delta"))
            if samples is not None:
                event["delta"] = audio_ref(OUTPUT_FILE, self._output_samples, len(samples))
                self._output.append(samples)
                self._output_samples += len(samples)
        if direction == "server" and kind in ("session.created", "session.updated"):
            self._session = event.get("session") or {}
        self.events.append({"t_ms": int(t_ms), "dir": direction, "event": event})

    def fixture(self) -> Fixture:
        header = {
            **self.header,
            "session": self._session,
            "schemas": schemas_hash(),
            "input": {"file": INPUT_FILE, "sample_rate": self._input_rate},
            "output": {"file": OUTPUT_FILE, "sample_rate": OUTPUT_SAMPLE_RATE},
        }
        return Fixture(header, self.events, _joined(self._input), _joined(self._output))


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    """The recorded chunks as one signal (empty int16 if nothing was recorded)."""
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
