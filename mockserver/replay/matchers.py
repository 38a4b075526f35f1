"""Strict replay: does the client do what the recorded client did? Small named matchers decide.

The recorded client events become steps: every event but `input_audio_buffer.append`, and one
"audio" step for each run of consecutive appends. The live client's events are compared step by
step: `type` (the same event type), `config` (a session.update's `session` equals the recorded
one), `audio` (the run's fingerprint matches the recorded run's). `event_id` and the raw
audio bytes (chunking, encoding) never matter. The first departure yields a report naming the
matcher that failed and the closest recorded event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from ..media.pcm import pcm16_from_base64, resample_to_16k
from ..protocol.errors import RealtimeMockError
from ..protocol.wire import Event
from .fingerprint import THRESHOLD, fingerprint, similarity
from .format import parse_audio_ref
from .store import Fixture

__all__ = ["ReplayMismatch", "ReplayReferee"]


class ReplayMismatch(RealtimeMockError, AssertionError):
    """Strict replay: the client departed from the recording (the report says where and how)."""


@dataclass
class _Step:
    kind: str  # an event type, or "audio"
    event: Event | None = None
    samples: list[np.ndarray] = field(default_factory=list)

    def audio(self) -> np.ndarray:
        return np.concatenate(self.samples) if self.samples else np.zeros(0, dtype=np.int16)


def _recorded_steps(fixture: Fixture) -> list[_Step]:
    steps: list[_Step] = []
    for line in fixture.events:
        if line["dir"] != "client":
            continue
        event = line["event"]
        if event.get("type") == "input_audio_buffer.append":
            ref = parse_audio_ref(event.get("audio"))
            if not steps or steps[-1].kind != "audio":
                steps.append(_Step("audio"))
            if ref:
                steps[-1].samples.append(resample_to_16k(fixture.audio(*ref), fixture.input_rate))
        else:
            steps.append(_Step(event.get("type", ""), event))
    return steps


def _match_type(live: _Step, recorded: _Step) -> str | None:
    return None if live.kind == recorded.kind else f"expected {recorded.kind!r}, got {live.kind!r}"


def _match_config(live: _Step, recorded: _Step) -> str | None:
    if live.kind != "session.update":
        return None
    got, want = (live.event or {}).get("session"), (recorded.event or {}).get("session")
    differences = _differences(got, want, "session")
    return "; ".join(differences) if differences else None


MISSING = object()  # a field one side of a comparison does not have


def _differences(got: object, want: object, path: str) -> list[str]:
    """Each field where `got` departs from the recorded `want`, by its dotted path:
    ``session.translation.language: 'de' != recorded 'en'`` (recorded fields first, in order)."""
    if isinstance(got, dict) and isinstance(want, dict):
        keys = [*want, *(k for k in got if k not in want)]
        return [
            line
            for key in keys
            for line in _differences(got.get(key, MISSING), want.get(key, MISSING), f"{path}.{key}")
        ]
    if got == want:
        return []
    return [f"{path}: {_shown(got)} != recorded {_shown(want)}"]


def _shown(value: object) -> str:
    """A value in a departure report: JSON, cut at 80 characters; ``absent`` for a missing field."""
    if value is MISSING:
        return "absent"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def _match_audio(live: _Step, recorded: _Step) -> str | None:
    if live.kind != "audio":
        return None
    got, want = live.audio(), recorded.audio()
    if abs(len(got) - len(want)) > max(LENGTH_SLACK_MS * 16, len(want) // 10):
        # half the recording, or the recording sent twice, is another session
        return f"{len(got) / 16:.0f} ms of audio, recorded {len(want) / 16:.0f} ms"
    score = similarity(fingerprint(got), fingerprint(want))
    if score is None:  # too little sound to fingerprint: compare lengths
        return (
            None
            if abs(len(got) - len(want)) <= 16000 * 0.2
            else (f"{len(got) / 16:.0f} ms of audio, recorded {len(want) / 16:.0f} ms")
        )
    return (
        None
        if score >= THRESHOLD
        else f"the audio does not match the recording (similarity {score:.2f})"
    )


LENGTH_SLACK_MS = 200  # a run of appends may differ from the recorded one by this (or 10 %)

MATCHERS = {"type": _match_type, "config": _match_config, "audio": _match_audio}


class ReplayReferee:
    """Follows one live session against a fixture's client steps; `check` returns a report on departure."""

    def __init__(self, fixture: Fixture) -> None:
        self.name = fixture.name
        self._recorded = _recorded_steps(fixture)
        self._position = 0
        self._run: _Step | None = None
        self._rate = fixture.input_rate
        self._count = 0

    def check(self, event: Event) -> str | None:
        """Take one client event; None while it matches, else the report of the first departure."""
        self._count += 1
        kind = event.get("type") if isinstance(event, dict) else None
        if kind == "session.update" and isinstance(event.get("session"), dict):
            self._rate = event["session"].get("sample_rate", self._rate)
        if kind == "input_audio_buffer.append":
            if self._run is None:
                self._run = _Step("audio")
            self._run.samples.append(self._decode(event.get("audio")))
            return None
        if self._run is not None:
            run, self._run = self._run, None
            if report := self._judge(run, "(the audio appended before it)"):
                return report
        return self._judge(_Step(kind or "?", event), f"#{self._count} ({kind})")

    def at_close(self) -> str | None:
        """The client closed: a report if it left recorded steps undone (e.g. session.finish)."""
        if self._run is not None:
            run, self._run = self._run, None
            if report := self._judge(run, "(the audio appended before the close)"):
                return report
        if self._position >= len(self._recorded):
            return None
        missing = self._recorded[self._position]
        return (
            f"strict replay of {self.name!r}: the client closed the connection at step "
            f"{self._position + 1} of {len(self._recorded)}; the recording goes on with "
            f"{missing.kind!r}"
            + (
                " (the recorded session.finish was never sent)"
                if any(s.kind == "session.finish" for s in self._recorded[self._position :])
                else ""
            )
        )

    def _decode(self, payload: object) -> np.ndarray:
        samples = pcm16_from_base64(payload)
        return resample_to_16k(np.zeros(0, np.int16) if samples is None else samples, self._rate)

    def _judge(self, live: _Step, what: str) -> str | None:
        if self._position >= len(self._recorded):
            return (
                f"strict replay of {self.name!r}: client event {what} comes after the recording ended "
                f"({len(self._recorded)} recorded steps)"
            )
        recorded = self._recorded[self._position]
        for name, matcher in MATCHERS.items():
            problem = matcher(live, recorded)
            if problem:
                report = (
                    f"strict replay of {self.name!r}: client event {what} departs from the recording at step "
                    f"{self._position + 1}: matcher '{name}' failed: {problem}"
                )
                if name == "config":  # the fields that differ say it all
                    return report
                closest = (
                    recorded.event
                    if recorded.event is not None
                    else {"type": "input_audio_buffer.append …"}
                )
                return (
                    f"{report}. Closest recorded event: "
                    f"{json.dumps(closest, ensure_ascii=False)[:300]}"
                )
        self._position += 1
        return None
