"""`usage` of a TTS response as each model bills it (docs/protocol/tts.md §5)."""

from __future__ import annotations

import re
from typing import Any

from ...protocol.text import CJK_CHARS, text_tokens
from .models import Billing

__all__ = ["AUDIO_TOKENS_PER_SECOND", "billed_characters", "billed_usage"]

AUDIO_TOKENS_PER_SECOND = 50  # Qwen-TTS-Realtime: 50 a second, at least 50 (§5)
_CJK = re.compile(f"[{CJK_CHARS}]")


def billed_characters(text: str) -> int:
    """Qwen3-TTS billing: a Chinese character counts 2, any other character 1 (§5)."""
    return len(text) + len(_CJK.findall(text))


def billed_usage(billing: Billing, text: str, audio_ms: int) -> dict[str, Any]:
    """The `usage` object of a response that spoke `text` as `audio_ms` of audio."""
    if billing is Billing.CHARACTERS:
        return {"characters": billed_characters(text)}
    text_in = text_tokens(text)
    audio = max(AUDIO_TOKENS_PER_SECOND, audio_ms * AUDIO_TOKENS_PER_SECOND // 1000)
    return {
        "total_tokens": text_in + audio,
        "input_tokens": text_in,
        "output_tokens": audio,
        "input_tokens_details": {"text_tokens": text_in},
        "output_tokens_details": {"text_tokens": 0, "audio_tokens": audio},
    }
