"""families/tts/building.py: a response made a step at a time, each step small."""

from __future__ import annotations

import base64
import io
import random
import struct
import wave
import zlib

import numpy as np
import pytest
import soundfile

from dashscope_realtime_mock.families.tts import building
from dashscope_realtime_mock.families.tts.building import (
    DELTA_MS,
    ENCODED_DELTA_MS,
    WORDS_PER_STEP,
    ResponseBuild,
    word_pieces,
)
from dashscope_realtime_mock.families.tts.events import TtsResponse
from dashscope_realtime_mock.media.synthesis import SpeechSettings, encode, speak
from dashscope_realtime_mock.protocol.behaviour import TtsWavStream
from dashscope_realtime_mock.protocol.ids import IdFactory

TEXT = "One two three four five six seven. 您好我是千问今天天气很好我们出去走走吧。"


def _build(
    text: str = TEXT, wav: TtsWavStream = TtsWavStream.STREAMED, **settings
) -> ResponseBuild:
    plan = TtsResponse("resp_1", "item_1", "Cherry")
    return ResponseBuild(
        plan,
        text,
        SpeechSettings("Cherry", **settings),
        lambda ms: {"characters": ms},
        IdFactory(random.Random(1)),
        wav=wav,
    )


def _deltas(build: ResponseBuild) -> list[bytes]:
    """The decoded audio deltas of `build`, stepped until done."""
    deltas = []
    while not build.done:
        deltas += [base64.b64decode(e["delta"]) for e in build.step() if "delta" in e]
    return deltas


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


def test_streamed_wav_is_a_header_then_the_pcm_of_the_same_text():
    """A streamed WAV's deltas join to a mono 16-bit header at the session's rate, then exactly
    the bytes the pcm format sends for the text; wave and libsndfile read the samples back."""
    data = b"".join(_deltas(_build(response_format="wav", sample_rate=16000)))
    pcm = b"".join(_deltas(_build(sample_rate=16000)))
    assert data[44:] == pcm
    with wave.open(io.BytesIO(data)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (
            1,
            2,
            16000,
        )
        assert reader.readframes(len(pcm)) == pcm
    samples, rate = soundfile.read(io.BytesIO(data), dtype="int16")
    assert rate == 16000
    assert samples.tobytes() == pcm


def test_streamed_wav_header_gives_unknown_sizes():
    """The RIFF and data chunk sizes of a streamed WAV are 0xFFFFFFFF (its length is not known
    when the header is sent)."""
    data = b"".join(_deltas(_build(response_format="wav")))
    assert data[:4] == b"RIFF" and data[36:40] == b"data"
    assert struct.unpack_from("<I", data, 4)[0] == 0xFFFFFFFF
    assert struct.unpack_from("<I", data, 40)[0] == 0xFFFFFFFF


def test_a_streamed_wav_step_synthesizes_one_piece_and_sends_one_delta_at_most(monkeypatch):
    """Each step of a streamed WAV synthesizes at most one piece and sends at most one delta of
    DELTA_MS (the first also carries the 44-byte header)."""
    spoken: list[str] = []

    def counted_speak(text: str, settings: SpeechSettings) -> np.ndarray:
        spoken.append(text)
        return speak(text, settings)

    monkeypatch.setattr(building, "speak", counted_speak)
    build = _build(response_format="wav")
    steps = []
    while not build.done:
        before = len(spoken)
        deltas = [base64.b64decode(e["delta"]) for e in build.step() if "delta" in e]
        steps.append((len(spoken) - before, deltas))
    assert all(pieces <= 1 for pieces, _ in steps)
    assert sum(pieces for pieces, _ in steps) == len(list(word_pieces(TEXT)))
    sizes = [len(d) for _, deltas in steps for d in deltas]
    assert all(len(deltas) <= 1 for _, deltas in steps)
    assert sizes[0] <= 44 + 24000 * DELTA_MS // 1000 * 2
    assert max(sizes[1:]) <= 24000 * DELTA_MS // 1000 * 2


def test_a_streamed_wav_without_speech_is_the_header_alone():
    """Text that makes no samples still gives a WAV: the header, in one delta."""
    assert _deltas(_build(" ", response_format="wav")) == [
        _deltas(_build(response_format="wav"))[0][:44]
    ]


def test_whole_wav_is_the_complete_file_of_the_speech():
    """tts_wav_stream "whole": the deltas join to libsndfile's WAV of the whole speech, with
    exact sizes."""
    data = b"".join(_deltas(_build(response_format="wav", wav=TtsWavStream.WHOLE)))
    settings = SpeechSettings("Cherry", response_format="wav")
    speech = np.concatenate([speak(p, settings) for p in word_pieces(TEXT)])
    assert data == encode(speech, settings)
    assert struct.unpack_from("<I", data, 4)[0] == len(data) - 8
    assert struct.unpack_from("<I", data, 40)[0] == len(speech) * 2


def test_streamed_and_whole_wav_differ_only_in_the_sizes():
    """The streamed WAV is the whole one with its two sizes unknown: same header, same samples."""
    streamed = bytearray(b"".join(_deltas(_build(response_format="wav"))))
    whole = b"".join(_deltas(_build(response_format="wav", wav=TtsWavStream.WHOLE)))
    struct.pack_into("<I", streamed, 4, len(whole) - 8)
    struct.pack_into("<I", streamed, 40, len(whole) - 44)
    assert bytes(streamed) == whole


def test_streamed_wav_is_the_same_bytes_twice():
    """The same text gives the same streamed WAV bytes."""
    assert _deltas(_build(response_format="wav")) == _deltas(_build(response_format="wav"))
