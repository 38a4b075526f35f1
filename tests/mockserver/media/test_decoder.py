"""The uncommitted audio buffer, kept as appended pieces, reads like one array in session time."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dashscope_realtime_mock.media.decoder import AudioBuffer
from dashscope_realtime_mock.media.pcm import SAMPLES_PER_MS

_ms = st.one_of(st.none(), st.integers(min_value=0, max_value=400))


@given(
    pieces=st.lists(st.integers(min_value=0, max_value=3000), max_size=8),
    dropped_ms=st.integers(min_value=0, max_value=300),
    start_ms=_ms,
    end_ms=_ms,
)
def test_pieces_read_like_one_array(pieces, dropped_ms, start_ms, end_ms):
    """Whatever the piece sizes and what was dropped, a range reads (and counts) as the same
    range of the whole audio would."""
    whole = np.arange(sum(pieces), dtype=np.int16)
    buffer = AudioBuffer()
    offset = 0
    for size in pieces:
        buffer.append(whole[offset : offset + size])
        offset += size
    buffer.drop_until(dropped_ms)
    kept = whole[min(len(whole), dropped_ms * SAMPLES_PER_MS) :]
    kept_start = len(whole) - len(kept)  # session sample of the first kept sample
    first = 0 if start_ms is None else max(0, start_ms * SAMPLES_PER_MS - kept_start)
    last = len(kept) if end_ms is None else max(0, end_ms * SAMPLES_PER_MS - kept_start)
    expected = kept[first:last]
    assert np.array_equal(buffer.samples(start_ms, end_ms), expected)
    assert buffer.count(start_ms, end_ms) == len(expected)
    assert buffer.duration_ms == len(kept) // SAMPLES_PER_MS
    assert buffer.end_sample == len(whole)
    assert buffer.empty == (len(kept) == 0)


def test_clear_forgets_everything_and_keeps_session_time():
    """After clear() the buffer is empty and the next audio starts where the last ended."""
    buffer = AudioBuffer()
    buffer.append(np.ones(1600, np.int16))
    buffer.clear()
    assert buffer.empty and buffer.count() == 0
    buffer.append(np.full(160, 2, np.int16))
    assert buffer.start_ms == 100
    assert np.array_equal(buffer.samples(100, 110), np.full(160, 2, np.int16))
