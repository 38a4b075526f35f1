"""`usage` of a response: audio billed in tokens, and the documented field names."""

from __future__ import annotations

from dashscope_realtime_mock.responses.usage import audio_tokens, response_usage


def test_audio_tokens_round_up() -> None:
    """A part of a token's worth of audio counts as a whole token."""
    assert audio_tokens(16_001, 16_000, 25) == 26


def test_a_model_with_a_minimum_bills_short_audio_as_that_minimum() -> None:
    """min_seconds: 0.1 s of audio billed as 1 s."""
    assert audio_tokens(1_600, 16_000, 25, min_seconds=1.0) == 25


def test_no_audio_costs_nothing_even_with_a_minimum() -> None:
    """No samples: 0 tokens, whatever the minimum."""
    assert audio_tokens(0, 16_000, 25, min_seconds=1.0) == 0


def test_usage_totals_add_up_in_the_documented_shape() -> None:
    """Totals are the sums of the details, under input_/output_tokens_details."""
    usage = response_usage(
        input_text=10, input_audio=20, input_images=0, output_text=5, output_audio=40
    )
    assert usage == {
        "total_tokens": 75,
        "input_tokens": 30,
        "output_tokens": 45,
        "input_tokens_details": {"text_tokens": 10, "audio_tokens": 20},
        "output_tokens_details": {"text_tokens": 5, "audio_tokens": 40},
    }


def test_image_tokens_appear_only_when_images_were_sent() -> None:
    """input_images > 0 adds image_tokens to the input details and the totals."""
    usage = response_usage(
        input_text=1, input_audio=2, input_images=3, output_text=0, output_audio=None
    )
    assert usage["input_tokens_details"] == {"text_tokens": 1, "audio_tokens": 2, "image_tokens": 3}
    assert (usage["input_tokens"], usage["total_tokens"]) == (6, 6)


def test_text_only_output_has_no_audio_tokens_field() -> None:
    """output_audio None (a text-only response): output details hold text_tokens alone."""
    usage = response_usage(
        input_text=0, input_audio=0, input_images=0, output_text=7, output_audio=None
    )
    assert usage["output_tokens_details"] == {"text_tokens": 7}
    assert usage["output_tokens"] == 7
