"""Build a fixture from a session's traffic, as it happens: the recorder proxy and the library script.

Audio payloads are decoded and moved into the input/output sample arrays (PCM only; an Opus
stream stays inline), each replaced by a reference; the API key is never part of what is seen.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from ..families import lookup
from ..media.pcm import INPUT_SAMPLE_RATE, OUTPUT_SAMPLE_RATE, pcm16_from_base64
from ..protocol.wire import Event
from .format import FORMAT, VERSION, audio_ref, schemas_hash
from .store import Fixture

__all__ = ["Recording"]

INPUT_FILE, OUTPUT_FILE = "input.wav", "output.wav"


class Recording:
    """Collects one session's events in order; :meth:`fixture` turns them into a Fixture.

    The input audio's format and rate are what the upstream accepted, never what the client
    asked for: the last ones `session.created`/`session.updated` echoed (every family echoes
    `input_audio_format`, and a `sample_rate` it applied), else PCM at 16 kHz. A rate the
    upstream refused (`0`, `"x"`, one the model does not take) is answered with an `error`
    and never echoed, so it never reaches the fixture's header.
    """

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
        self.events: list[dict[str, Any]] = []
        self._output: list[np.ndarray] = []
        self._output_samples = 0
        self._accepted: dict[str, Any] = {"rate": INPUT_SAMPLE_RATE, "format": "pcm"}
        self._session: dict[str, Any] = {}
        self._output_rate = OUTPUT_SAMPLE_RATE
        self._output_pcm = True  # audio deltas are PCM16 (moved into output.wav)

    def _tts_output(self, session: dict[str, Any]) -> None:
        """TTS (docs/protocol/tts.md §4.2): `sample_rate` is the output's rate, and only `pcm`
        deltas are samples; an encoded stream (wav, mp3, opus) stays inline."""
        rate = session.get("sample_rate")
        if isinstance(rate, int) and not isinstance(rate, bool) and rate > 0:
            self._output_rate = rate
        self._output_pcm = session.get("response_format", "pcm") == "pcm"

    def add(self, t_ms: int, direction: str, event: Event) -> None:
        event = copy.deepcopy(event)
        kind = event.get("type")
        if direction == "server" and kind in ("session.created", "session.updated"):
            self._session = event.get("session") or {}
            if self.header["family"] == "tts":
                self._tts_output(self._session)
            else:
                self._accepted.update(_audio_settings(self._session))
        if direction == "server" and kind == "response.audio.delta" and self._output_pcm:
            samples = pcm16_from_base64(event.get("delta"))
            if samples is not None:
                event["delta"] = audio_ref(OUTPUT_FILE, self._output_samples, len(samples))
                self._output.append(samples)
                self._output_samples += len(samples)
        self.events.append({"t_ms": int(t_ms), "dir": direction, "event": event})

    def fixture(self) -> Fixture:
        events, input_audio = self._with_input_audio()
        header = {
            **self.header,
            "session": self._session,
            "schemas": schemas_hash(),
            "input": {"file": INPUT_FILE, "sample_rate": self._accepted["rate"]},
            "output": {"file": OUTPUT_FILE, "sample_rate": self._output_rate},
        }
        return Fixture(header, events, input_audio, _joined(self._output))

    def _with_input_audio(self) -> tuple[list[dict[str, Any]], np.ndarray]:
        """The events with each PCM append moved into the input WAV (an Opus stream stays inline).

        Decided once the session is over, by what the upstream accepted by then: a client may
        stream before the echo of its `session.update` comes back.
        """
        events, parts, count = [], [], 0
        for entry in self.events:
            event = entry["event"]
            if (
                entry["dir"] == "client"
                and event.get("type") == "input_audio_buffer.append"
                and self._accepted["format"] != "opus"
                and (samples := pcm16_from_base64(event.get("audio"))) is not None
            ):
                ref = audio_ref(INPUT_FILE, count, len(samples))
                entry = {**entry, "event": {**event, "audio": ref}}
                parts.append(samples)
                count += len(samples)
            events.append(entry)
        return events, _joined(parts)


def _audio_settings(session: object) -> dict[str, Any]:
    """The input audio format and rate an echoed session object names, where valid.

    Top-level `sample_rate`/`input_audio_format`, or the `audio.input.format` object
    (schemas/common/audio_config.json); a rate must be a positive integer to be written to a WAV.
    """
    if not isinstance(session, dict):
        return {}
    found: dict[str, Any] = {}
    audio = session.get("audio")
    nested = audio.get("input") if isinstance(audio, dict) else None
    nested = nested.get("format") if isinstance(nested, dict) else None
    for source, rate_key, format_key in (
        (nested, "sample_rate", "type"),
        (session, "sample_rate", "input_audio_format"),
    ):
        if not isinstance(source, dict):
            continue
        rate = source.get(rate_key)
        if isinstance(rate, int) and not isinstance(rate, bool) and rate > 0:
            found["rate"] = rate
        if isinstance(source.get(format_key), str):
            found["format"] = source[format_key]
    return found


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    """The recorded chunks as one signal (empty int16 if nothing was recorded)."""
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
