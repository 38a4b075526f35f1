"""The fixture encoding: audio references and the hash of the schemas a fixture was recorded against."""

from __future__ import annotations

import pytest

from dashscope_realtime_mock.replay.format import audio_ref, parse_audio_ref, schemas_hash


def test_an_audio_reference_reads_back_as_written() -> None:
    """audio_ref then parse_audio_ref gives back the file, first sample and count."""
    assert parse_audio_ref(audio_ref("input.wav", 1600, 3200)) == ("input.wav", 1600, 3200)


def test_an_audio_reference_names_the_file_and_its_samples() -> None:
    """The reference is `@file#start+count`, as it appears in a fixture's JSONL."""
    assert audio_ref("output.wav", 0, 480) == "@output.wav#0+480"


@pytest.mark.parametrize(
    "value",
    ["AAAA", "@input.wav#1", "@input.wav#-1+2", "@../x.wav#0+1", "input.wav#0+1", 7, None],
    ids=repr,
)
def test_anything_else_is_not_an_audio_reference(value: object) -> None:
    """base64 audio, a malformed or path-escaping reference, or a non-string: None."""
    assert parse_audio_ref(value) is None


def test_the_schemas_hash_is_a_stable_sha256() -> None:
    """The same schemas give the same `sha256:<64 hex>` on every call."""
    first = schemas_hash()
    assert first == schemas_hash()
    assert first.startswith("sha256:") and len(first) == len("sha256:") + 64
