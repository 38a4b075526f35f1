"""Response events: the encoded audio deltas are shared only where the audio cannot change."""

from __future__ import annotations

import base64

import numpy as np

from dashscope_realtime_mock.media.speech import synthesize_speech
from dashscope_realtime_mock.responses import events


def _decoded(chunks: list[str]) -> np.ndarray:
    return np.frombuffer(b"".join(base64.b64decode(c) for c in chunks), dtype="<i2")


def test_deltas_cover_the_audio_in_200_ms_pieces():
    """Each delta holds at most 200 ms at the given rate, and together they are the audio."""
    audio = np.arange(24000, dtype=np.int16)
    chunks = events._audio_deltas(audio, 1000, 20000, 24000)
    assert [len(base64.b64decode(c)) // 2 for c in chunks] == [4800, 4800, 4800, 4600]
    assert np.array_equal(_decoded(chunks), audio[1000:20000])


def test_a_synthesized_answer_is_encoded_once():
    """Synthesized speech is cached and read-only: a second session's deltas are the same
    strings, not a second encoding of them."""
    audio = synthesize_speech("shared answer for the cache test", "Cherry")
    first = events._audio_deltas(audio, 0, len(audio), 24000)
    again = events._audio_deltas(audio, 0, len(audio), 24000)
    assert again is first
    assert np.array_equal(_decoded(first), audio)


def test_writable_audio_is_encoded_afresh_each_time():
    """Audio someone may still change is never served from the cache."""
    audio = np.zeros(4800, dtype=np.int16)
    before = events._audio_deltas(audio, 0, len(audio), 24000)
    audio[:] = 7
    after = events._audio_deltas(audio, 0, len(audio), 24000)
    assert after != before
    assert np.array_equal(_decoded(after), audio)


def test_a_read_only_view_of_writable_audio_is_not_cached():
    """A read-only view does not make the samples fixed while its base is writeable."""
    base = np.zeros(4800, dtype=np.int16)
    view = base[:]
    view.flags.writeable = False
    events._audio_deltas(view, 0, len(view), 24000)
    base[:] = 3
    assert np.array_equal(_decoded(events._audio_deltas(view, 0, len(view), 24000)), base)


def test_the_cache_is_bounded():
    """At most _ENCODED_ENTRIES stretches are kept, the least recently used going first."""
    for n in range(events._ENCODED_ENTRIES + 20):
        audio = np.full(480, n, dtype=np.int16)
        audio.flags.writeable = False
        events._audio_deltas(audio, 0, 480, 24000)
    assert len(events._ENCODED) == events._ENCODED_ENTRIES


def _plan(text: str, audio: np.ndarray | None, **fields) -> events.ResponsePlan:
    return events.ResponsePlan(
        response_id="resp_1",
        item_id="item_1",
        conversation_id="conv_1",
        previous_item_id=None,
        modalities=["text", "audio"] if audio is not None else ["text"],
        voice="Cherry",
        output_audio_format="pcm16",
        text=text,
        audio=audio,
        usage={},
        **fields,
    )


def _plans() -> list[events.ResponsePlan]:
    long_text = " ".join(f"word{n}." for n in range(200))
    return [
        _plan(long_text, synthesize_speech(long_text, "Cherry")),
        _plan(long_text, None),
        _plan("", None),
        _plan("两个字的回答，没有空格。", synthesize_speech("两个字的回答", "Cherry")),
        _plan("", None, function_call=events.FunctionCall("call_1", "f", '{"a": 1, "b": 2}')),
    ]


def _dialects():
    from dashscope_realtime_mock.families.livetranslate import DIALECT as STASHED
    from dashscope_realtime_mock.families.omni import DIALECT as DELTAS

    return [STASHED, DELTAS]


def test_a_response_stream_counts_the_events_it_makes():
    """len() of a response stream, known before any event is made, is how many it makes."""
    for dialect in _dialects():
        for plan in _plans():
            stream = events.ResponseStream(dialect, plan)
            assert len(stream) == len(list(stream))


def test_the_closing_events_are_the_structure_left_after_a_cut():
    """closing(k) is what follows the first k events of the whole response, minus every
    delta and response.done: what a cancel after k events closes."""
    for dialect in _dialects():
        for plan in _plans():
            whole = events.response_events(dialect, plan)
            stream = events.ResponseStream(dialect, plan)
            for k in range(len(whole)):
                expected = [
                    e
                    for e in whole[k:]
                    if e["type"] not in events.STREAMED_DELTAS
                    and e["type"] not in ("response.function_call_arguments.done", "response.done")
                ]
                assert stream.closing(k) == expected
