"""The ASR model and its documented facts (docs/protocol/events.md §3)."""

from __future__ import annotations

from dataclasses import dataclass

from ...session.audio_config import AudioRates
from ...session.listening import LEGACY_FORMAT_STRINGS, ListeningModel

__all__ = ["MODELS", "AsrModel"]


@dataclass(frozen=True, kw_only=True)
class AsrModel(ListeningModel):
    """An ASR model: text out only (`voice` and `output_audio_format`, which the SDK always
    sends, are accepted and ignored)."""

    max_corpus_tokens: int  # docs/protocol/events.md §1.9: corpus.text ≤ 10,000 tokens
    # what the docs' example error lists for input_audio_transcription.model
    # (Behaviour.asr_transcription_model_error)
    documented_transcription_models: tuple[str, ...] = ()


# docs/protocol/events.md §3.2: ASR languages (zh covers Mandarin, Sichuanese, Minnan, Wu).
_LANGS = ("zh", "yue", "en", "ja", "de", "ko", "ru", "fr", "pt", "ar", "it", "es", "hi", "id", "th", "tr", "uk", "vi", "cs", "da", "fil", "fi", "is", "ms", "no", "pl", "sv")  # fmt: skip

ASR = AsrModel(
    model_id="qwen3-asr-flash-realtime",
    snapshots=("qwen3-asr-flash-realtime-2025-10-27", "qwen3-asr-flash-realtime-2026-02-10"),
    source_languages=_LANGS,
    input_audio_formats=("pcm", "opus", "pcm16"),
    # The model itself is what the transcription runs on; null (what the SDK sends) means the
    # default. The docs' example error names OpenAI's 'whisper-1' (docs/protocol/events.md §1.7).
    transcription_models=("qwen3-asr-flash-realtime",),
    documented_transcription_models=("whisper-1",),
    legacy_format_strings=LEGACY_FORMAT_STRINGS,
    defaults={
        # session.created.qianwen.json and docs/protocol/events.md §3.2 stated defaults (0.2 / 800 ms).
        "modalities": ["text"],
        "input_audio_format": "pcm",
        "sample_rate": 16000,
        "input_audio_transcription": None,
        # prefix_padding_ms is not an ASR parameter; the mock pads speech_started by 300 ms
        # like its siblings and does not echo it.
        "turn_detection": {
            "type": "server_vad",
            "threshold": 0.2,
            "prefix_padding_ms": 300,
            "silence_duration_ms": 800,
        },
    },
    input_audio_tokens_per_second=12.5,  # not documented for ASR [assumed: LiveTranslate's rate]
    reports_emotion=True,  # the ASR examples carry emotion
    max_append_audio_chars=15 * 1024 * 1024,  # docs/protocol/events.md §1.9
    max_commit_ms=60_000,  # docs/protocol/events.md §1.9
    max_corpus_tokens=10_000,
    audio_rates=AudioRates(input=(16000, 8000)),  # docs/protocol/events.md §3.2; text out only
)

MODELS = (ASR,)
