"""JPEG header inspection."""

from dashscope_realtime_mock.media.images import jpeg_dimensions, png_dimensions
from tests.support import tiny_jpeg


def test_reads_dimensions_from_start_of_frame():
    """Width and height come from the SOF segment."""
    assert jpeg_dimensions(tiny_jpeg(1280, 720)) == (1280, 720)


def test_non_jpeg_is_none():
    """PNG, empty and truncated data are not JPEGs."""
    assert jpeg_dimensions(b"\x89PNG\r\n\x1a\n") is None
    assert jpeg_dimensions(b"") is None
    assert jpeg_dimensions(tiny_jpeg(10, 10)[:8]) is None


def _tiny_png(width: int, height: int) -> bytes:
    """A PNG signature and IHDR chunk: enough for the documented checks."""
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + len(ihdr).to_bytes(4, "big") + b"IHDR" + ihdr + bytes(4)


def test_png_dimensions_are_read_from_its_header():
    """A PNG's size comes from IHDR; a JPEG is not a PNG."""
    assert png_dimensions(_tiny_png(640, 480)) == (640, 480)
    assert png_dimensions(tiny_jpeg(640, 480)) is None
