"""PCM helpers: the size of base64 audio without decoding it."""

from __future__ import annotations

import base64

from dashscope_realtime_mock.media.pcm import base64_size


def test_base64_size_is_the_decoded_length_for_every_padding():
    """0, 1 and 2 padding characters: the size is what decoding would give."""
    for n in range(40):
        payload = base64.b64encode(bytes(range(n))).decode()
        assert base64_size(payload) == len(base64.b64decode(payload)), payload


def test_base64_size_of_a_recorded_delta_with_extra_padding_or_line_breaks():
    """A lenient decoder reads `AAAA=` as 3 bytes and skips line breaks; so does the size."""
    for payload in ["AAAA=", "AAAA==", "AAAA\nAAAA", "AAAA\r\nAA=="]:
        assert base64_size(payload) == len(base64.b64decode(payload)), payload
