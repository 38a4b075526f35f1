"""Response events: the encoded audio deltas are shared only where the audio cannot change."""

from __future__ import annotations

import base64
import dataclasses
import gc
import itertools
import weakref
from typing import Any

import numpy as np

from dashscope_realtime_mock.media.speech import Speech, synthesize_speech
from dashscope_realtime_mock.protocol.text import text_tokens
from dashscope_realtime_mock.responses import events
from dashscope_realtime_mock.responses.walk import Budget


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
    answers = []  # alive (the cache holds them weakly, and a dead one's id may be reused)
    for n in range(events._ENCODED_ENTRIES + 20):
        audio = np.full(480, n, dtype=np.int16)
        audio.flags.writeable = False
        answers.append(audio)
        events._audio_deltas(audio, 0, 480, 24000)
    assert len(events._ENCODED) == events._ENCODED_ENTRIES


def _plan(text: str, audio: np.ndarray | Speech | None, **fields: Any) -> events.ResponsePlan:
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
        _plan(long_text, Speech(long_text, "Cherry")),
        _plan(long_text, Speech(long_text, "Cherry"), budget=Budget(300, 12.5)),
        _plan(
            "两个字的回答两个字的回答",
            Speech("两个字的回答两个字的回答", "Cherry"),
            budget=Budget(30, 12.5),
        ),
        _plan(long_text, None),
        _plan("", None),
        _plan("两个字的回答，没有空格。", synthesize_speech("两个字的回答", "Cherry")),
        _plan("", None, function_call=events.FunctionCall("call_1", "f", '{"a": 1, "b": 2}')),
    ]


def _dialects():
    from dashscope_realtime_mock.families.livetranslate import DIALECT as STASHED
    from dashscope_realtime_mock.families.omni import DIALECT as DELTAS

    return [STASHED, DELTAS]


def test_a_walked_answer_is_read_only_as_far_as_its_events_are_made():
    """Making the first events of a long synthesized answer reads a few of its units, not all."""
    text = "word. " * 20_000
    stream = events.ResponseStream(_dialects()[1], _plan(text, Speech(text, "Cherry")))
    made = list(itertools.islice(stream, 10))
    assert [e["type"] for e in made][:4] == [
        "response.created",
        "response.output_item.added",
        "conversation.item.created",
        "response.content_part.added",
    ]
    assert stream._walk is not None and stream._walk._end < 100


def test_a_walked_answer_speaks_each_step_of_text_with_its_words():
    """The audio deltas after a text delta are the speech of that delta's words."""
    text = "one two three four five six seven"
    stream = events.ResponseStream(_dialects()[1], _plan(text, Speech(text, "Cherry")))
    steps: list[tuple[str, bytes]] = []
    for event in stream:
        if event["type"] == "response.audio_transcript.delta":
            steps.append((event["delta"], b""))
        elif event["type"] == "response.audio.delta":
            said, heard = steps[-1]
            steps[-1] = (said, heard + base64.b64decode(event["delta"]))
    assert [said for said, _ in steps] == ["one two three ", "four five six ", "seven"]
    spoken = ""
    for said, heard in steps:
        before = len(synthesize_speech(spoken, "Cherry")) if spoken else 0
        spoken += said
        expected = synthesize_speech(spoken, "Cherry")[before:]
        assert np.array_equal(np.frombuffer(heard, dtype="<i2"), expected)


def test_a_cut_answer_ends_incomplete_billing_what_was_said():
    """An answer past its budget stops at the last unit that fits, `incomplete`, and its
    usage is that of the text and audio sent."""
    text = " ".join(f"word{n}." for n in range(200))
    billed = []

    def usage(tokens: int, samples: int) -> dict:
        billed.append((tokens, samples))
        return {"tokens": tokens, "samples": samples}

    plan = _plan(text, Speech(text, "Cherry"), budget=Budget(100, 12.5), partial_usage=usage)
    plan = dataclasses.replace(plan, usage=None)
    whole = events.response_events(_dialects()[1], plan)
    done = whole[-1]["response"]
    sent = "".join(e["delta"] for e in whole if e["type"] == "response.audio_transcript.delta")
    samples = sum(
        len(base64.b64decode(e["delta"])) // 2 for e in whole if e["type"] == "response.audio.delta"
    )
    assert done["status"] == "incomplete"
    assert done["status_details"] == {"type": "incomplete", "reason": "max_output_tokens"}
    assert done["usage"] == {"tokens": text_tokens(sent), "samples": samples}
    assert text.startswith(sent) and sent != text and not sent.endswith(" ")


def test_the_closing_events_are_the_structure_left_after_a_cut():
    """closing(k), once k events were taken, is what follows them in the whole response, minus
    every delta and response.done (text left to the cancel to fill in): what a cancel after k
    events closes."""
    for dialect in _dialects():
        for plan in _plans():
            whole = events.response_events(dialect, plan)
            for k in range(len(whole)):
                stream = events.ResponseStream(dialect, plan)
                list(itertools.islice(stream, k))
                expected = [
                    e
                    for e in whole[k:]
                    if e["type"] not in events.STREAMED_DELTAS
                    and e["type"] not in ("response.function_call_arguments.done", "response.done")
                ]
                assert [_textless(e) for e in stream.closing(k)] == [_textless(e) for e in expected]


def _textless(event: Any) -> Any:
    """`event` without the said text and item status a cancel rewrites (_with_partial)."""
    blank = {"text", "transcript", "status"}
    if isinstance(event, dict):
        return {k: ("…" if k in blank else _textless(v)) for k, v in event.items()}
    if isinstance(event, list):
        return [_textless(v) for v in event]
    return event


class _CountedSpeech(Speech):
    """A Speech that counts the slices made of it (each is one delta's samples)."""

    sliced = 0

    def __getitem__(self, where: slice) -> np.ndarray:
        self.sliced += 1
        return super().__getitem__(where)


def test_a_step_of_many_deltas_is_encoded_as_its_deltas_are_taken():
    """Three long words of many syllables are one text step of about twenty seconds of audio:
    taking its first delta encodes a few deltas, not all of them."""
    text = ("ba" * 32 + " ") * 6
    speech = _CountedSpeech(text, "Cherry")
    stream = iter(events.ResponseStream(_dialects()[1], _plan(text, speech)))
    for event in stream:
        if event["type"] == "response.audio.delta":
            break
    assert speech.sliced <= events.DELTAS_AT_ONCE
    rest = [e for e in stream if e["type"] == "response.audio.delta"]
    assert len(rest) + 1 > 2 * 3 * 32  # two steps of 96 syllables, a delta each


def test_the_encoded_deltas_do_not_keep_an_answers_speech_alive():
    """Once nothing else holds an answer's Speech, the cache of its encoded deltas does not
    either (a long answer's layout is megabytes)."""
    text = "word " * 100
    speech = Speech(text, "Cherry")
    events._audio_deltas(speech, 0, 24_000, 24_000)
    held = weakref.ref(speech)
    del speech
    gc.collect()
    assert held() is None
