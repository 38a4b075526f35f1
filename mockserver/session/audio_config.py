"""The new-style `session.audio` object: what the SDKs send for `AudioFormatConfig`.

Both official SDKs send ``session.audio = {"input": {"format": {"type": "pcm", "sample_rate":
8000}}, "output": {"format": {...}}}`` instead of the top-level format fields when a user passes
``input_audio_config`` / ``output_audio_config``. docs/protocol/events.md §1.10 documents it for qwen3.5 Omni:
type ``pcm``/``wav``, rates 8000/16000/24000/48000. Each model applies what it can take (the input
format and rate, the output rate of its audio deltas, the output voice) and refuses the rest with
the documented error wording, so nothing it accepts is silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..media.pcm import INPUT_SAMPLE_RATE, OUTPUT_SAMPLE_RATE
from ..protocol import wording
from ..protocol.rules import check_member

__all__ = [
    "QWEN35_AUDIO_RATES",
    "AudioRates",
    "apply_audio_object",
    "apply_audio_settings",
    "render_audio_object",
]

_FORMAT_KEYS = ("type", "sample_rate")
# docs/protocol/events.md §1.10: the `audio` object's types are `pcm`/`wav`; the older revisions'
# `pcm16` / `pcm24` (accepted as `input_audio_format` where `legacy_format_strings` allows) name
# the same 16-bit PCM, which the object calls `pcm`.
_OBJECT_TYPE = {"pcm16": "pcm", "pcm24": "pcm"}


@dataclass(frozen=True, kw_only=True)
class AudioRates:
    """The rates a model takes through `session.audio`, in documented order."""

    input: tuple[int, ...] = (INPUT_SAMPLE_RATE,)
    output: tuple[int, ...] = ()  # empty: the model has no audio output


# docs/protocol/events.md §1.10, the qwen3.5 `audio` object: 8000/16000/24000/48000 Hz each way
QWEN35_AUDIO_RATES = AudioRates(
    input=(8000, 16000, 24000, 48000), output=(8000, 16000, 24000, 48000)
)


def _format(side: dict[str, Any], param: str) -> dict[str, Any]:
    fmt = side.get("format") or {}
    for key in fmt:
        if key not in _FORMAT_KEYS:
            raise wording.not_allowed(
                f"{param}.format.{key}",
                f"Invalid value for '{param}.format': '{key}' is not supported by this model; "
                f"supported keys are: {wording.quoted(_FORMAT_KEYS)}.",
            )
    return fmt


def apply_audio_object(
    config: dict[str, Any],
    audio: dict[str, Any],
    *,
    rates: AudioRates,
    input_formats: tuple[str, ...],
) -> None:
    """Apply `session.audio` to `config` (input format and rate, output rate, output voice)."""
    if "input" in audio:
        fmt = _format(audio["input"], "session.audio.input")
        if "type" in fmt:
            config["input_audio_format"] = check_member(
                fmt["type"], "session.audio.input.format.type", input_formats
            )
        if "sample_rate" in fmt:
            config["sample_rate"] = check_member(
                fmt["sample_rate"], "session.audio.input.format.sample_rate", rates.input
            )
    if "output" in audio:
        if not rates.output:
            raise wording.not_allowed(
                "session.audio.output",
                "This model has no audio output: 'audio.output' is not supported.",
            )
        fmt = _format(audio["output"], "session.audio.output")
        if "type" in fmt:
            check_member(fmt["type"], "session.audio.output.format.type", ["pcm"])
        if "sample_rate" in fmt:
            config["output_sample_rate"] = check_member(
                fmt["sample_rate"], "session.audio.output.format.sample_rate", rates.output
            )
        if "voice" in audio["output"]:
            config["voice"] = audio["output"]["voice"]
    config["audio_object"] = True


class AudioModel(Protocol):
    """What the audio settings of a model are checked against (a ListeningModel)."""

    @property
    def audio_rates(self) -> AudioRates: ...

    def typed_formats(self) -> tuple[str, ...]: ...


def apply_audio_settings(
    model: AudioModel,
    config: dict[str, Any],
    update: dict[str, Any],
    rates: AudioRates | None = None,
) -> None:
    """The input rate (`sample_rate`, checked by the schema) and the `session.audio` object,
    at the model's rates unless `rates` replaces them (Behaviour.omni_audio_rates)."""
    if "sample_rate" in update:
        config["sample_rate"] = update["sample_rate"]
    _check_one_input_format(update)
    if "audio" in update:
        apply_audio_object(
            config,
            update["audio"],
            rates=rates or model.audio_rates,
            input_formats=model.typed_formats(),
        )


def _check_one_input_format(update: dict[str, Any]) -> None:
    """An update naming the input format twice, top-level and in `audio.input`, differently is
    refused rather than one silently winning (the SDKs send one or the other, never both)."""
    fmt = ((update.get("audio") or {}).get("input") or {}).get("format") or {}
    top = update.get("input_audio_format")
    if top is not None and "type" in fmt and fmt["type"] != top:
        raise wording.not_allowed(
            "session.audio.input.format.type",
            f"Invalid value for 'session.audio.input.format.type': '{wording.shortened(str(fmt['type']))}' "
            f"differs from session.input_audio_format '{wording.shortened(str(top))}'; "
            "send the input format once.",
        )


def render_audio_object(config: dict[str, Any]) -> dict[str, Any] | None:
    """The `audio` echo of session.updated, as applied; None when the client never used it.
    A legacy input format (`input_audio_format: "pcm16"`) shows in the object as `pcm`, the only
    PCM type the object documents; the top-level field echoes it as sent."""
    if not config.get("audio_object"):
        return None
    fmt = config["input_audio_format"]
    echoed: dict[str, Any] = {
        "input": {
            "format": {
                "type": _OBJECT_TYPE.get(fmt, fmt),
                "sample_rate": config.get("sample_rate", INPUT_SAMPLE_RATE),
            }
        }
    }
    if "output_sample_rate" in config or "output_audio_format" in config:
        echoed["output"] = {
            "format": {
                "type": "pcm",
                "sample_rate": config.get("output_sample_rate", OUTPUT_SAMPLE_RATE),
            }
        }
        if "voice" in config:
            echoed["output"]["voice"] = config["voice"]
    return echoed
