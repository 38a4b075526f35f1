"""The checks a schema cannot make: per-model sets, legacy format strings, the turn_detection merge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from dashscope_realtime_mock.protocol.behaviour import Behaviour, Scoped
from dashscope_realtime_mock.protocol.errors import ProtocolError
from dashscope_realtime_mock.protocol.rules import (
    apply_formats,
    check_input_format,
    check_member,
    copy_json,
    merge_turn_detection,
)

LEGACY_TAKEN = Behaviour(legacy_format_strings=Scoped(True))
LEGACY_REFUSED = Behaviour(legacy_format_strings=Scoped(False))
VAD_DEFAULTS = {"type": "server_vad", "threshold": 0.5, "silence_duration_ms": 800}


@dataclass(frozen=True)
class _Model:
    """A model with the formats a family's ModelSpec names."""

    input_audio_formats: tuple[str, ...] = ("pcm", "pcm16")
    output_audio_formats: tuple[str, ...] = ("pcm", "pcm24")
    legacy_format_strings: tuple[str, ...] = ("pcm16", "pcm24")


def test_a_member_of_the_set_is_returned() -> None:
    """check_member gives back a value the model allows."""
    assert check_member("Ethan", "session.voice", ("Cherry", "Ethan")) == "Ethan"


def test_a_value_outside_the_set_is_refused_listing_the_set_in_order() -> None:
    """Anything else: invalid_value naming the param and every allowed value, in documented order."""
    with pytest.raises(ProtocolError) as refused:
        check_member("Nobody", "session.voice", ("Cherry", "Ethan"))
    assert (refused.value.code, refused.value.param) == ("invalid_value", "session.voice")
    assert refused.value.message == (
        "Invalid value: 'Nobody'. Supported values are: 'Cherry', 'Ethan'."
    )


def test_a_legacy_format_string_is_taken_when_the_behaviour_says_so() -> None:
    """legacy_format_strings on: 'pcm16' passes as an input format."""
    assert check_input_format(_Model(), LEGACY_TAKEN, "pcm16") == "pcm16"


def test_a_legacy_format_string_is_refused_and_left_out_of_the_list_otherwise() -> None:
    """legacy_format_strings off: 'pcm16' is refused, and the error lists only 'pcm'."""
    with pytest.raises(ProtocolError) as refused:
        check_input_format(_Model(), LEGACY_REFUSED, "pcm16")
    assert refused.value.param == "session.input_audio_format"
    assert refused.value.message.endswith("Supported values are: 'pcm'.")


def test_apply_formats_sets_only_the_formats_the_update_names() -> None:
    """An update naming output_audio_format changes it and leaves input_audio_format alone."""
    config: dict[str, Any] = {"input_audio_format": "pcm", "output_audio_format": "pcm"}
    apply_formats(_Model(), LEGACY_TAKEN, config, {"output_audio_format": "pcm24"})
    assert config == {"input_audio_format": "pcm", "output_audio_format": "pcm24"}


def test_apply_formats_refuses_an_output_format_the_model_lacks() -> None:
    """An output format outside the model's set: invalid_value on session.output_audio_format."""
    with pytest.raises(ProtocolError) as refused:
        apply_formats(_Model(), LEGACY_TAKEN, {}, {"output_audio_format": "mp3"})
    assert refused.value.param == "session.output_audio_format"


def test_turn_detection_null_means_manual_mode() -> None:
    """turn_detection: null → None (no VAD), whatever was set."""
    assert merge_turn_detection(VAD_DEFAULTS, None, VAD_DEFAULTS) is None


def test_turn_detection_is_merged_over_what_was_set() -> None:
    """An object updates the settings it names and keeps the others as they were."""
    current = {**VAD_DEFAULTS, "threshold": 0.2}
    merged = merge_turn_detection(current, {"silence_duration_ms": 400}, VAD_DEFAULTS)
    assert merged == {"type": "server_vad", "threshold": 0.2, "silence_duration_ms": 400}


def test_turn_detection_from_manual_mode_starts_from_the_defaults() -> None:
    """No VAD set before: the object is merged over the model's defaults."""
    merged = merge_turn_detection(None, {"threshold": 0.9}, VAD_DEFAULTS)
    assert merged == {**VAD_DEFAULTS, "threshold": 0.9}


def test_a_turn_detection_type_other_than_server_vad_is_refused() -> None:
    """semantic_vad (which the schema names) is refused: the mock detects speech by energy."""
    with pytest.raises(ProtocolError) as refused:
        merge_turn_detection(None, {"type": "semantic_vad"}, VAD_DEFAULTS)
    assert refused.value.param == "session.turn_detection.type"


def test_copy_json_is_deep() -> None:
    """Changing the copy's nested values leaves the original as it was."""
    original = {"tools": [{"name": "a", "parameters": {}}]}
    copied = copy_json(original)
    copied["tools"][0]["name"] = "b"
    assert copied == {"tools": [{"name": "b", "parameters": {}}]}
    assert original == {"tools": [{"name": "a", "parameters": {}}]}
