"""families/tts/building.py: a response made a step at a time, each step small."""

from __future__ import annotations

import base64
import random
import zlib

import numpy as np
import pytest

from dashscope_realtime_mock.families.tts.building import (
    DELTA_MS,
    ENCODED_DELTA_MS,
    WORDS_PER_STEP,
    ResponseBuild,
    word_pieces,
)
from dashscope_realtime_mock.families.tts.events import TtsResponse
from dashscope_realtime_mock.media.synthesis import SpeechSettings, encode, speak
from dashscope_realtime_mock.protocol.ids import IdFactory

TEXT = "One two three four five six seven. 您好我是千问今天天气很好我们出去走走吧。"


def _build(text: str = TEXT, **settings) -> ResponseBuild:
    plan = TtsResponse("resp_1", "item_1", "Cherry")
    return ResponseBuild(
        plan,
        text,
        SpeechSettings("Cherry", **settings),
        lambda ms: {"characters": ms},
        IdFactory(random.Random(1)),
    )


def test_word_pieces_give_the_text_back_in_small_pieces():
    """Pieces hold at most WORDS_PER_STEP words, a long CJK run is cut, and they join to the text."""
    pieces = list(word_pieces(TEXT))
    assert "".join(pieces) == TEXT
    assert all(len(p.split()) <= WORDS_PER_STEP for p in pieces)
    assert not any("您好我是千问今天天气很好我们" in p for p in pieces)  # the CJK run is cut


def test_steps_make_the_head_then_one_delta_each_then_the_tail():
    """Step one is the head; each later step one delta of at most DELTA_MS; the last the tail."""
    build = _build(sample_rate=16000)
    steps = []
    while not build.done:
        steps.append([e["type"] for e in build.step()])
    assert steps[0] == [
        "response.created",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert all(s == ["response.audio.delta"] for s in steps[1:-1])
    assert steps[-1][-1] == "response.done"


def test_pcm_deltas_add_up_to_the_speech_of_each_piece():
    """The deltas are the speech of the pieces, in order, 200 ms at most each."""
    build = _build()
    deltas = []
    while not build.done:
        deltas += [base64.b64decode(e["delta"]) for e in build.step() if "delta" in e]
    assert max(len(d) for d in deltas) <= 24000 * DELTA_MS // 1000 * 2
    expected = b"".join(speak(p, SpeechSettings("Cherry")).tobytes() for p in word_pieces(TEXT))
    assert b"".join(deltas) == expected


def test_usage_is_counted_on_the_audio_made():
    """response.done's usage is computed from the whole response's duration."""
    build = _build()
    events = []
    while not build.done:
        events += build.step()
    assert events[-1]["response"]["usage"] == {"characters": build.duration_ms}
    assert build.duration_ms > 1000


@pytest.mark.parametrize("fmt", ["mp3", "opus"])
def test_encoded_deltas_join_to_the_stream_of_the_whole_speech(fmt):
    """MP3 / Opus deltas, made a step at a time, join to the stream of the whole speech."""
    build = _build(response_format=fmt)
    deltas = []
    while not build.done:
        deltas += [base64.b64decode(e["delta"]) for e in build.step() if "delta" in e]
    settings = SpeechSettings("Cherry", response_format=fmt)
    speech = np.concatenate([speak(p, settings) for p in word_pieces(TEXT)])
    assert b"".join(deltas) == encode(
        speech, settings, serial=zlib.crc32(f"Cherry\n{TEXT}".encode())
    )
    assert build.duration_ms == len(speech) * 1000 // 24000


def test_an_encoded_step_either_synthesizes_or_encodes():
    """For an MP3 stream the head's step synthesizes the first piece, so the next encodes at
    once; a later step that synthesizes the next piece makes no event."""
    build = _build(response_format="mp3")
    build.step()  # the head, and the first piece ("One two three ")
    steps = []
    while not build.done:
        steps.append([e["type"] for e in build.step()])
    assert steps[0] == ["response.audio.delta"] * 2
    assert [] in steps
    assert all(s in ([], ["response.audio.delta"] * 2) for s in steps[:-2])


def test_encoded_deltas_carry_the_bytes_of_encoding_delta_ms_of_audio():
    """Each MP3 delta pair holds what encoding ENCODED_DELTA_MS of speech gave."""
    build = _build(response_format="mp3")
    pairs = []
    while not build.done:
        pairs.append([e for e in build.step() if "delta" in e])
    pairs = [pair for pair in pairs if pair]
    sizes = [sum(len(base64.b64decode(e["delta"])) for e in pair) for pair in pairs[1:-1]]
    expected = 128_000 // 8 * ENCODED_DELTA_MS / 1000
    assert sum(sizes) / len(sizes) == pytest.approx(expected, rel=0.1)
