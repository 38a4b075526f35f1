"""JPEG header inspection."""

from dashscope_realtime_mock.media.images import jpeg_dimensions
from tests.support import tiny_jpeg


def test_reads_dimensions_from_start_of_frame():
    """Width and height come from the SOF segment."""
    assert jpeg_dimensions(tiny_jpeg(1280, 720)) == (1280, 720)


def test_non_jpeg_is_none():
    """PNG, empty and truncated data are not JPEGs."""
    assert jpeg_dimensions(b"\x89PNG\r\n\x1a\n") is None
    assert jpeg_dimensions(b"") is None
    assert jpeg_dimensions(tiny_jpeg(10, 10)[:8]) is None
