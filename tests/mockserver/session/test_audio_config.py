"""`session.audio`: the input and output formats and rates a model allows, and their echo."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from dashscope_realtime_mock.protocol.errors import ProtocolError
from dashscope_realtime_mock.session.audio_config import (
    AudioRates,
    apply_audio_object,
    apply_audio_settings,
    render_audio_object,
)
from tests.support import OMNI, new_session, send

RATES = AudioRates(input=(16000, 8000), output=(24000,))
FORMATS = ("pcm", "opus")


def _applied(audio: dict[str, Any], rates: AudioRates = RATES) -> dict[str, Any]:
    """A fresh config with `session.audio` applied."""
    config: dict[str, Any] = {"input_audio_format": "pcm"}
    apply_audio_object(config, audio, rates=rates, input_formats=FORMATS)
    return config


@dataclass(frozen=True)
class _Model:
    """A listening model's audio facts."""

    audio_rates: AudioRates = field(default_factory=lambda: RATES)

    def typed_formats(self) -> tuple[str, ...]:
        return FORMATS


def test_the_input_format_and_rate_are_applied() -> None:
    """audio.input.format sets the input format and sample rate the model allows."""
    config = _applied({"input": {"format": {"type": "opus", "sample_rate": 8000}}})
    assert (config["input_audio_format"], config["sample_rate"]) == ("opus", 8000)


def test_an_input_rate_the_model_lacks_is_refused_listing_its_rates() -> None:
    """A sample rate outside the model's: invalid_value on its param, listing the allowed ones."""
    with pytest.raises(ProtocolError) as refused:
        _applied({"input": {"format": {"sample_rate": 44100}}})
    assert refused.value.param == "session.audio.input.format.sample_rate"
    assert refused.value.message.endswith("Supported values are: '16000', '8000'.")


def test_an_unknown_format_key_is_refused_naming_it() -> None:
    """A key other than type and sample_rate under format: refused on that key's param."""
    with pytest.raises(ProtocolError) as refused:
        _applied({"input": {"format": {"channels": 2}}})
    assert refused.value.param == "session.audio.input.format.channels"


def test_audio_output_is_refused_for_a_model_without_audio_output() -> None:
    """audio.output on a model with no output rates: refused on session.audio.output."""
    with pytest.raises(ProtocolError) as refused:
        _applied({"output": {"voice": "Ethan"}}, AudioRates(input=(16000,)))
    assert refused.value.param == "session.audio.output"


def test_the_output_rate_and_voice_are_applied() -> None:
    """audio.output sets the output rate and the voice."""
    config = _applied({"output": {"format": {"type": "pcm", "sample_rate": 24000}, "voice": "X"}})
    assert (config["output_sample_rate"], config["voice"]) == (24000, "X")


def test_a_config_that_never_used_session_audio_echoes_none() -> None:
    """No session.audio ever sent: session.updated has no `audio` echo."""
    assert render_audio_object({"input_audio_format": "pcm"}) is None


def test_the_echo_gives_the_input_side_as_applied_with_default_rate() -> None:
    """An input-only audio object echoes the input format, the rate defaulting to 16 kHz."""
    config = _applied({"input": {"format": {"type": "pcm"}}})
    assert render_audio_object(config) == {
        "input": {"format": {"type": "pcm", "sample_rate": 16000}}
    }


def test_the_echo_gives_the_output_side_once_it_was_set() -> None:
    """With an output rate and voice set, the echo carries output.format and output.voice."""
    config = _applied({"output": {"format": {"sample_rate": 24000}, "voice": "Ethan"}})
    echoed = render_audio_object(config)
    assert echoed is not None
    assert echoed["output"] == {"format": {"type": "pcm", "sample_rate": 24000}, "voice": "Ethan"}


def test_apply_audio_settings_takes_sample_rate_and_the_audio_object() -> None:
    """A top-level sample_rate is set as given; `audio` is checked against the model's rates."""
    config: dict[str, Any] = {"input_audio_format": "pcm"}
    apply_audio_settings(_Model(), config, {"sample_rate": 8000})
    assert config["sample_rate"] == 8000 and "audio_object" not in config
    with pytest.raises(ProtocolError):
        apply_audio_settings(
            _Model(), config, {"audio": {"output": {"format": {"sample_rate": 1}}}}
        )


def test_an_input_format_named_twice_differently_is_refused():
    """input_audio_format pcm16 with audio.input type pcm: an error, not pcm16 silently dropped."""
    s = new_session(OMNI)
    update = {
        "input_audio_format": "pcm16",
        "audio": {"input": {"format": {"type": "pcm", "sample_rate": 16000}}},
    }
    [error] = send(s, type="session.update", session=update)
    assert error["error"]["param"] == "session.audio.input.format.type"


def test_a_legacy_input_format_shows_as_pcm_in_the_audio_echo():
    """input_audio_format pcm16 with an audio object: the object echoes type pcm (the only PCM
    type docs/protocol/events.md §1.10 gives it), the top-level field pcm16 as sent."""
    s = new_session(OMNI)
    update = {"input_audio_format": "pcm16", "audio": {"input": {"format": {"sample_rate": 16000}}}}
    [updated] = send(s, type="session.update", session=update)
    assert updated["session"]["audio"]["input"]["format"] == {"type": "pcm", "sample_rate": 16000}
    assert updated["session"]["input_audio_format"] == "pcm16"


def test_the_audio_echo_keeps_a_current_input_format_as_applied():
    """A current format name (opus) is echoed in the object unchanged."""
    config = _applied({"input": {"format": {"type": "opus"}}})
    echoed = render_audio_object(config)
    assert echoed is not None and echoed["input"]["format"]["type"] == "opus"
