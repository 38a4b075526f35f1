"""families/tts/segments.py: how a TTS session cuts its text into responses."""

from __future__ import annotations

from dashscope_realtime_mock.families.tts.segments import SEGMENT_CHARS, TextBuffer


def test_sentence_mode_speaks_up_to_the_last_sentence_end():
    """Every completed sentence is spoken at once; the unfinished one waits."""
    buffer = TextBuffer()
    assert buffer.append("One. Two! Thr", by_sentence=True) == ["One. Two!"]
    assert buffer.text == " Thr"


def test_without_sentence_segmentation_nothing_is_spoken_until_the_flush():
    """commit mode (or flush segmentation): appends are kept whole until flush()."""
    buffer = TextBuffer()
    assert buffer.append("One. Two.", by_sentence=False) == []
    assert buffer.flush() == "One. Two." and buffer.text == ""


def test_overlong_text_is_cut_at_a_space():
    """Text past SEGMENT_CHARS without a sentence end is spoken in pieces cut at spaces."""
    buffer = TextBuffer()
    spoken = buffer.append("word " * SEGMENT_CHARS, by_sentence=True)
    assert spoken and all(len(p) <= SEGMENT_CHARS and p.endswith(" ") for p in spoken)
    assert "".join(spoken) + buffer.text == "word " * SEGMENT_CHARS


def test_long_sentences_are_spoken_in_bounded_pieces():
    """Many sentences arriving at once are spoken in pieces of at most SEGMENT_CHARS."""
    text = "A sentence of a few words. " * 40
    spoken = TextBuffer().append(text, by_sentence=True)
    assert all(len(p) <= SEGMENT_CHARS for p in spoken) and "".join(spoken) == text.rstrip(" ")
