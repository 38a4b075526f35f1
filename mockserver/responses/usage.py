"""The `usage` block of `response.done`, computed the documented way (docs/protocol/events.md §2.3).

Audio is billed per second (12.5 tokens/s for qwen3 input and output; qwen3.5 input 7/s),
images per tile (0.5 token per 28×28 px on qwen3, 32×32 px on qwen3.5), and the source-language
ASR text as output text. Text tokens are counted by :func:`dashscope_realtime_mock.protocol.text.text_tokens`;
image tokens by the model's :class:`~dashscope_realtime_mock.media.images.ImageRules`.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["audio_tokens", "response_usage"]


def audio_tokens(
    samples: int, sample_rate: int, tokens_per_second: float, min_seconds: float = 0.0
) -> int:
    """Tokens for `samples` of audio, rounded up: what the bytes actually sent are worth.

    `min_seconds`: some models bill at least this much for any audio (turbo: 1 s).
    """
    seconds = samples / sample_rate
    if samples:
        seconds = max(seconds, min_seconds)
    return math.ceil(seconds * tokens_per_second)


def response_usage(
    *,
    input_text: int,
    input_audio: int,
    input_images: int,
    output_text: int,
    output_audio: int | None,
) -> dict[str, Any]:
    """`usage` with the documented field names (`input_tokens_details`, plural "tokens").

    `image_tokens` appears in `input_tokens_details` only when images were sent [assumed: the
    docs give image billing but no field; this is the name DashScope's other APIs use].
    """
    input_details = {"text_tokens": input_text, "audio_tokens": input_audio}
    if input_images:
        input_details["image_tokens"] = input_images
    input_total = input_text + input_audio + input_images
    output_details = {"text_tokens": output_text}
    if output_audio is not None:
        output_details["audio_tokens"] = output_audio
    output_total = output_text + (output_audio or 0)
    return {
        "total_tokens": input_total + output_total,
        "input_tokens": input_total,
        "output_tokens": output_total,
        "input_tokens_details": input_details,
        "output_tokens_details": output_details,
    }
