"""JPEG inspection for `input_image_buffer.append` (events.md §1.9: JPG/JPEG only, ≤ 1080p).

Only the header is read (markers up to the first start-of-frame), so it costs microseconds.
"""

from __future__ import annotations

__all__ = ["jpeg_dimensions"]

# Start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG), CC (DAC) are not frames.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def jpeg_dimensions(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a baseline/progressive JPEG, or None when `data` is not a JPEG."""
    if len(data) < 4 or data[:3] != b"\xff\xd8\xff":
        return None
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker in _SOF:
            if pos + 9 > len(data):
                return None
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            width = int.from_bytes(data[pos + 7 : pos + 9], "big")
            return (width, height) if width and height else None
        if length < 2:
            return None
        pos += 2 + length
    return None
