"""Model registry: every model id the mock serves, its family, defaults, allowed values and dialect.

Look a model up with :func:`lookup` when a connection arrives (the `model` query parameter is the
only way the real service picks a model, events.md §1.1). Dated snapshots are registered as
aliases of their family entry, and the wire id the client asked for is what gets echoed.
Numbers and lists come from `../shared/protocol/events.md` §2 (LiveTranslate); each constant
names its source.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

__all__ = ["LIVETRANSLATE", "Dialect", "ModelSpec", "lookup", "supported_models"]

LIVETRANSLATE = "livetranslate"


@dataclass(frozen=True)
class Dialect:
    """Event names and field shapes that differ between families (events.md §5)."""

    text_stream: str  # streaming assistant text, text-only output
    transcript_stream: str  # streaming assistant text, audio output
    user_transcript_stream: str  # live source-speech transcript
    stream_has_stash: bool  # `text`+`stash` (LiveTranslate, ASR) vs `delta` (Omni)
    error_has_event_id: bool  # only the ASR pages document error.event_id
    client_events: frozenset[str]  # the client event types this family accepts


LIVETRANSLATE_DIALECT = Dialect(
    text_stream="response.text.text",
    transcript_stream="response.audio_transcript.text",
    user_transcript_stream="conversation.item.input_audio_transcription.text",
    stream_has_stash=True,
    error_has_event_id=False,
    # events.md §2.1 (G2 adds commit and clear); no response.create/cancel, no item.create.
    client_events=frozenset({
        "session.update", "input_audio_buffer.append", "input_audio_buffer.commit",
        "input_audio_buffer.clear", "input_image_buffer.append", "session.finish",
    }),
)


@dataclass(frozen=True)
class ModelSpec:
    """Everything the session core needs to know about one model family entry."""

    model_id: str
    family: str
    dialect: Dialect
    snapshots: tuple[str, ...]
    voices: frozenset[str]
    source_languages: frozenset[str]
    target_languages: frozenset[str]
    audio_target_languages: frozenset[str]  # targets that can be spoken (rest are text-only)
    input_audio_formats: frozenset[str]
    output_audio_formats: frozenset[str]
    sample_rates: frozenset[int]
    transcription_models: frozenset[str]
    defaults: dict[str, Any]
    echoed_by_default: frozenset[str]  # optional session keys echoed even when the client never set them
    input_audio_tokens_per_second: float
    output_audio_tokens_per_second: float
    image_tokens_per_tile: float
    image_tile_px: int
    max_image_bytes: int
    max_images_per_second: int
    reports_emotion: bool  # G2 (qwen3.5) transcription events carry `emotion`

    def default_session(self) -> dict[str, Any]:
        """A fresh copy of the documented default configuration (what session.created shows)."""
        return copy.deepcopy(self.defaults)


# events.md §2.6: qwen3 target languages, and the ones with audio output.
_QWEN3_LANGS = frozenset(["en", "zh", "ru", "fr", "de", "pt", "es", "it", "id", "ko", "ja", "vi", "th", "ar", "yue", "hi", "el", "tr"])
_QWEN3_AUDIO_LANGS = frozenset(["en", "zh", "ru", "fr", "de", "pt", "es", "it", "ko", "ja", "yue"])
# events.md §2.6: qwen3.5 — 29 languages with audio output, the rest text-only.
_QWEN35_AUDIO_LANGS = frozenset(
    ["zh", "en", "ar", "de", "fr", "es", "pt", "id", "it", "ko", "ru", "th", "vi", "ja", "tr", "hi", "ms", "nl", "ur", "nb", "sv", "da", "he", "fi", "pl", "is", "cs", "fil", "fa"]
)
_QWEN35_TEXT_ONLY_LANGS = frozenset(
    ["yue", "el", "af", "ast", "be", "bg", "bn", "bs", "ca", "ceb", "et", "gl", "gu", "hr", "hu", "jv", "kk", "kn", "ky", "lv", "mk", "ml", "mr", "pa", "ro", "sk", "sl", "sw", "tg", "az", "uk"]
)
_QWEN35_LANGS = _QWEN35_AUDIO_LANGS | _QWEN35_TEXT_ONLY_LANGS

# events.md §2.6 voices. The qwen3.5-era guide adds Ethan to the qwen3 list.
_QWEN3_VOICES = frozenset({"Cherry", "Nofish", "Jada", "Dylan", "Sunny", "Peter", "Eric", "Kiki", "Ethan"})
_QWEN35_VOICES = frozenset({"Tina", "Cindy", "Liora Mira", "Sunnybobi", "Raymond", "Ethan", "Theo Calm"})

_LT_VAD_DEFAULTS = {
    # events.md §2.2: threshold 0.2, silence 1000 ms; prefix/create/interrupt as echoed in G2.
    "type": "server_vad",
    "threshold": 0.2,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 1000,
    "create_response": True,
    "interrupt_response": True,
}

_QWEN3_LIVETRANSLATE = ModelSpec(
    model_id="qwen3-livetranslate-flash-realtime",
    family=LIVETRANSLATE,
    dialect=LIVETRANSLATE_DIALECT,
    snapshots=("qwen3-livetranslate-flash-realtime-2025-09-22",),
    voices=_QWEN3_VOICES,
    source_languages=_QWEN3_LANGS,
    target_languages=_QWEN3_LANGS,
    audio_target_languages=_QWEN3_AUDIO_LANGS,
    # G1 documents pcm16 in / pcm24 out; G2 pages (covering both models) add pcm/opus; the
    # legacy SDK sends pcm16 for output too (events.md §1.10), which the real service accepts.
    input_audio_formats=frozenset({"pcm16", "pcm", "opus"}),
    output_audio_formats=frozenset({"pcm24", "pcm16", "pcm"}),
    sample_rates=frozenset({16000, 8000}),
    transcription_models=frozenset({"qwen3-asr-flash-realtime"}),
    defaults={
        # session.created.qwen3.json: no transcription, no turn_detection echoed.
        "modalities": ["text", "audio"],
        "voice": "Cherry",
        "input_audio_format": "pcm16",
        "output_audio_format": "pcm24",
        "sample_rate": 16000,
        "input_audio_transcription": None,
        "turn_detection": dict(_LT_VAD_DEFAULTS),
        "translation": {"language": "en"},
    },
    echoed_by_default=frozenset(),
    # events.md §2.3 billing: qwen3 12.5 tokens/s in and out, 0.5 token per 28x28 px.
    input_audio_tokens_per_second=12.5,
    output_audio_tokens_per_second=12.5,
    image_tokens_per_tile=0.5,
    image_tile_px=28,
    max_image_bytes=500 * 1024,
    max_images_per_second=2,
    reports_emotion=False,
)

_QWEN35_LIVETRANSLATE = ModelSpec(
    model_id="qwen3.5-livetranslate-flash-realtime",
    family=LIVETRANSLATE,
    dialect=LIVETRANSLATE_DIALECT,
    snapshots=("qwen3.5-livetranslate-flash-realtime-2026-05-19",),
    voices=_QWEN35_VOICES,
    source_languages=_QWEN35_LANGS,
    target_languages=_QWEN35_LANGS,
    audio_target_languages=_QWEN35_AUDIO_LANGS,
    input_audio_formats=frozenset({"pcm", "opus", "pcm16"}),
    output_audio_formats=frozenset({"pcm", "pcm24", "pcm16"}),
    sample_rates=frozenset({16000, 8000}),
    transcription_models=frozenset({"qwen3-asr-flash-realtime"}),
    defaults={
        # Latest G2 defaults: voice Tina, pcm/pcm, transcription on with auto-detected language.
        "modalities": ["text", "audio"],
        "voice": "Tina",
        "input_audio_format": "pcm",
        "output_audio_format": "pcm",
        "sample_rate": 16000,
        "input_audio_transcription": {"model": "qwen3-asr-flash-realtime"},
        "turn_detection": dict(_LT_VAD_DEFAULTS),
        "translation": {"language": "en"},
    },
    echoed_by_default=frozenset({"sample_rate", "turn_detection"}),  # session.created.qwen3.5.json
    # qwen3.5: 7 tokens/s input audio, 12.5 tokens/s output audio, 0.5 token per 32x32 px.
    input_audio_tokens_per_second=7.0,
    output_audio_tokens_per_second=12.5,
    image_tokens_per_tile=0.5,
    image_tile_px=32,
    max_image_bytes=500 * 1024,
    max_images_per_second=2,
    reports_emotion=True,
)

_SPECS = (_QWEN3_LIVETRANSLATE, _QWEN35_LIVETRANSLATE)
_BY_ID: dict[str, ModelSpec] = {}
for _spec in _SPECS:
    for _model_id in (_spec.model_id, *_spec.snapshots):
        _BY_ID[_model_id] = _spec


def lookup(model_id: str | None) -> ModelSpec | None:
    """The spec for a wire model id (canonical or dated snapshot), or None if unsupported."""
    if not model_id:
        return None
    return _BY_ID.get(model_id)


def supported_models() -> list[str]:
    """Every model id the mock answers to, canonical ids first, sorted within each group."""
    canonical = sorted(spec.model_id for spec in _SPECS)
    snapshots = sorted(m for spec in _SPECS for m in spec.snapshots)
    return canonical + snapshots
