"""JPEG inspection for `input_image_buffer.append` (docs/protocol/events.md §1.9: JPG/JPEG only, ≤ 1080p).

Only the header is read (markers up to the first start-of-frame), so it costs microseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["ImageRules", "jpeg_dimensions", "png_dimensions"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

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


def png_dimensions(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG (its IHDR chunk comes first), or None when `data` is not one."""
    if len(data) < 24 or not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    return (width, height) if width and height else None


@dataclass(frozen=True, kw_only=True)
class ImageRules:
    """A model's documented image limits and billing (docs/protocol/events.md §1.9, §2.3, §4.3)."""

    tokens_per_tile: float
    tile_px: int
    max_bytes: int = 500 * 1024
    max_per_second: int = 2
    tokens_min: int = 0
    tokens_max: int = 0  # 0 = no cap

    def tokens(self, width: int, height: int) -> int:
        """Per-tile billing, clamped to the per-image min/max (Omni: 4..1280, docs/protocol/events.md §4.3)."""
        tiles = math.ceil(width / self.tile_px) * math.ceil(height / self.tile_px)
        tokens = max(math.ceil(tiles * self.tokens_per_tile), self.tokens_min)
        return min(tokens, self.tokens_max) if self.tokens_max else tokens
