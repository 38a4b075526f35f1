"""The LiveTranslate models and their documented facts (docs/protocol/events.md §2).

Lists are tuples in documented order, so every error that lists allowed values lists them the
same way on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...media.images import ImageRules
from ...session.audio_config import AudioRates
from ...session.listening import LEGACY_FORMAT_STRINGS, ListeningModel

__all__ = ["MODELS", "LiveTranslateModel"]


@dataclass(frozen=True, kw_only=True)
class LiveTranslateModel(ListeningModel):
    """A LiveTranslate model: what it can translate into, speak, and with which voices."""

    voices: tuple[str, ...]
    target_languages: tuple[str, ...]
    audio_target_languages: tuple[str, ...]  # targets that can be spoken (rest are text-only)
    output_audio_formats: tuple[str, ...]
    output_audio_tokens_per_second: float
    # voices the model's examples show though its voice list omits them (Behaviour.example_voices)
    example_voices: tuple[str, ...] = ()
    # the voice its session.created examples show, where it differs from the documented default
    # (Behaviour.livetranslate_default_voice)
    example_default_voice: str | None = None


# docs/protocol/events.md §2.6: qwen3 target languages, and the ones with audio output.
_QWEN3_LANGS = ("en", "zh", "ru", "fr", "de", "pt", "es", "it", "id", "ko", "ja", "vi", "th", "ar", "yue", "hi", "el", "tr")  # fmt: skip
_QWEN3_AUDIO_LANGS = ("en", "zh", "ru", "fr", "de", "pt", "es", "it", "ko", "ja", "yue")
# docs/protocol/events.md §2.6: qwen3.5 — 29 languages with audio output, the rest text-only.
_QWEN35_AUDIO_LANGS = ("zh", "en", "ar", "de", "fr", "es", "pt", "id", "it", "ko", "ru", "th", "vi", "ja", "tr", "hi", "ms", "nl", "ur", "nb", "sv", "da", "he", "fi", "pl", "is", "cs", "fil", "fa")  # fmt: skip
_QWEN35_TEXT_ONLY_LANGS = ("yue", "el", "af", "ast", "be", "bg", "bn", "bs", "ca", "ceb", "et", "gl", "gu", "hr", "hu", "jv", "kk", "kn", "ky", "lv", "mk", "ml", "mr", "pa", "ro", "sk", "sl", "sw", "tg", "az", "uk")  # fmt: skip
_QWEN35_LANGS = _QWEN35_AUDIO_LANGS + _QWEN35_TEXT_ONLY_LANGS

# docs/protocol/events.md §2.6 voices. The qwen3.5-era guide adds Ethan to the qwen3 list.
_QWEN3_VOICES = ("Cherry", "Nofish", "Jada", "Dylan", "Sunny", "Peter", "Eric", "Kiki", "Ethan")
_QWEN35_VOICES = ("Tina", "Cindy", "Liora Mira", "Sunnybobi", "Raymond", "Ethan", "Theo Calm")

_VAD_DEFAULTS = {
    # docs/protocol/events.md §2.2: threshold 0.2, silence 1000 ms; prefix/create/interrupt as echoed in G2.
    "type": "server_vad",
    "threshold": 0.2,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 1000,
    "create_response": True,
    "interrupt_response": True,
}
# docs/protocol/events.md §2.3 billing: 0.5 token per 28x28 px (qwen3) or 32x32 px (qwen3.5).
_QWEN3_IMAGES = ImageRules(tokens_per_tile=0.5, tile_px=28)
_QWEN35_IMAGES = ImageRules(tokens_per_tile=0.5, tile_px=32)
# docs/protocol/events.md §1.10: input at sample_rate 8000 / 16000 (in that order); output 24 kHz,
# not customizable.
_AUDIO_RATES = AudioRates(input=(8000, 16000), output=(24000,))

QWEN3 = LiveTranslateModel(
    model_id="qwen3-livetranslate-flash-realtime",
    snapshots=("qwen3-livetranslate-flash-realtime-2025-09-22",),
    voices=_QWEN3_VOICES,
    source_languages=_QWEN3_LANGS,
    target_languages=_QWEN3_LANGS,
    audio_target_languages=_QWEN3_AUDIO_LANGS,
    # G1 documents pcm16 in / pcm24 out; G2 pages (covering both models) add pcm/opus; the
    # legacy SDK sends pcm16 for output too (docs/protocol/events.md §1.10), which the real service accepts.
    input_audio_formats=("pcm16", "pcm", "opus"),
    output_audio_formats=("pcm24", "pcm16", "pcm"),
    transcription_models=("qwen3-asr-flash-realtime",),
    defaults={
        # session.created.qwen3.json: no transcription, no turn_detection echoed.
        "modalities": ["text", "audio"],
        "voice": "Cherry",
        "input_audio_format": "pcm16",
        "output_audio_format": "pcm24",
        "sample_rate": 16000,
        "input_audio_transcription": None,
        "turn_detection": dict(_VAD_DEFAULTS),
        "translation": {"language": "en"},
    },
    # docs/protocol/events.md §2.3 billing: qwen3 12.5 tokens/s in and out.
    input_audio_tokens_per_second=12.5,
    output_audio_tokens_per_second=12.5,
    images=_QWEN3_IMAGES,
    audio_rates=_AUDIO_RATES,
    reports_emotion=False,
)

QWEN35 = LiveTranslateModel(
    model_id="qwen3.5-livetranslate-flash-realtime",
    snapshots=("qwen3.5-livetranslate-flash-realtime-2026-05-19",),
    voices=_QWEN35_VOICES,
    example_voices=("Cherry",),  # every qwen3.5 example payload shows voice Cherry
    example_default_voice="Cherry",  # ... while its voice list says "Tina (default)"
    source_languages=_QWEN35_LANGS,
    target_languages=_QWEN35_LANGS,
    audio_target_languages=_QWEN35_AUDIO_LANGS,
    input_audio_formats=("pcm", "opus", "pcm16"),
    output_audio_formats=("pcm", "pcm24", "pcm16"),
    transcription_models=("qwen3-asr-flash-realtime",),
    legacy_format_strings=LEGACY_FORMAT_STRINGS,
    defaults={
        # Latest G2 defaults: voice Tina, pcm/pcm, transcription on with auto-detected language.
        "modalities": ["text", "audio"],
        "voice": "Tina",
        "input_audio_format": "pcm",
        "output_audio_format": "pcm",
        "sample_rate": 16000,
        "input_audio_transcription": {"model": "qwen3-asr-flash-realtime"},
        "turn_detection": dict(_VAD_DEFAULTS),
        "translation": {"language": "en"},
    },
    echoed_by_default=frozenset({"sample_rate", "turn_detection"}),  # session.created.qwen3.5.json
    # qwen3.5: 7 tokens/s input audio, 12.5 tokens/s output audio.
    input_audio_tokens_per_second=7.0,
    output_audio_tokens_per_second=12.5,
    images=_QWEN35_IMAGES,
    audio_rates=_AUDIO_RATES,
    reports_emotion=True,
)

MODELS = (QWEN3, QWEN35)
