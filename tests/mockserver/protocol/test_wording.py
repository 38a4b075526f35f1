"""The documented error wording: ranges and allowed values."""

from __future__ import annotations

import pytest

from dashscope_realtime_mock.protocol import wording


@pytest.mark.parametrize(
    ("bounds", "text"),
    [
        ({"minimum": 0, "exclusive_maximum": 2}, "in [0, 2)"),
        ({"exclusive_minimum": 0, "maximum": 1}, "in (0, 1]"),
        ({"exclusive_minimum": 0}, "greater than 0"),
        ({"minimum": 1}, "at least 1"),
        ({"maximum": 5}, "at most 5"),
        ({"exclusive_maximum": 0.5}, "less than 0.5"),
        ({}, "a valid number"),
    ],
)
def test_interval_reads_like_the_parameter_tables(bounds, text):
    """Each combination of bounds reads as the docs write ranges."""
    assert wording.interval(**bounds) == text


def test_invalid_value_lists_values_in_the_order_given():
    """Allowed values keep the (documented) order they are given in."""
    error = wording.invalid_value("session.input_audio_format", "pcm16", ["pcm", "opus"])
    assert error.message == "Invalid value: 'pcm16'. Supported values are: 'pcm', 'opus'."
