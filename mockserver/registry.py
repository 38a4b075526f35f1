"""Model registry: every model id the mock serves, its family, defaults, allowed values and dialect.

Look a model up with :func:`lookup` when a connection arrives (the `model` query parameter is the
only way the real service picks a model, events.md §1.1). Dated snapshots are registered as
aliases of their family entry, and the wire id the client asked for is what gets echoed.
Numbers and lists come from `../shared/protocol/events.md` §2 (LiveTranslate), §3 (ASR) and
§4 (Omni); each constant names its source.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import Any

__all__ = ["ASR", "LIVETRANSLATE", "OMNI", "Dialect", "ModelSpec", "lookup", "supported_models"]

LIVETRANSLATE = "livetranslate"
ASR = "asr"
OMNI = "omni"


@dataclass(frozen=True)
class Dialect:
    """Event names and field shapes that differ between families (events.md §5)."""

    text_stream: str  # streaming assistant text, text-only output
    transcript_stream: str  # streaming assistant text, audio output
    user_transcript_stream: str  # live source-speech transcript
    stream_has_stash: bool  # `text`+`stash` (LiveTranslate, ASR) vs `delta` (Omni)
    error_has_event_id: bool  # error.event_id: ASR pages; Omni: the v2 SDK relies on it
    client_events: frozenset[str]  # the client event types this family accepts
    committed_fields: tuple[str, ...]  # input_audio_buffer.committed (events.md §5)
    item_created_has_previous_id: bool  # conversation.item.created carries previous_item_id
    completed_has_language: bool  # transcription.completed has language/emotion (not Omni)
    user_stream_has_obfuscation: bool  # Omni's transcription.delta carries `obfuscation`


LIVETRANSLATE_DIALECT = Dialect(
    text_stream="response.text.text",
    transcript_stream="response.audio_transcript.text",
    user_transcript_stream="conversation.item.input_audio_transcription.text",
    stream_has_stash=True,
    error_has_event_id=False,
    # events.md §2.1 (G2 adds commit and clear); no response.create/cancel, no item.create.
    client_events=frozenset(
        {
            "session.update",
            "input_audio_buffer.append",
            "input_audio_buffer.commit",
            "input_audio_buffer.clear",
            "input_image_buffer.append",
            "session.finish",
        }
    ),
    committed_fields=(),
    item_created_has_previous_id=True,
    completed_has_language=True,
    user_stream_has_obfuscation=False,
)

ASR_DIALECT = Dialect(
    text_stream="",
    transcript_stream="",
    user_transcript_stream="conversation.item.input_audio_transcription.text",
    stream_has_stash=True,
    error_has_event_id=True,
    # events.md §3.1: no clear, no responses, no images.
    client_events=frozenset(
        {
            "session.update",
            "input_audio_buffer.append",
            "input_audio_buffer.commit",
            "session.finish",
        }
    ),
    committed_fields=("previous_item_id", "item_id"),
    item_created_has_previous_id=True,
    completed_has_language=True,
    user_stream_has_obfuscation=False,
)

OMNI_DIALECT = Dialect(
    text_stream="response.text.delta",
    transcript_stream="response.audio_transcript.delta",
    user_transcript_stream="conversation.item.input_audio_transcription.delta",
    stream_has_stash=False,
    # [sdk] the v2 SDK matches error.event_id against its pending response.create ids, so the
    # mock sends it for Omni too (the Omni examples omit it; nothing says it is absent).
    error_has_event_id=True,
    # events.md §4.1; session.finish is contested (§7.4, Behaviour.omni_session_finish).
    client_events=frozenset(
        {
            "session.update",
            "input_audio_buffer.append",
            "input_audio_buffer.commit",
            "input_audio_buffer.clear",
            "input_image_buffer.append",
            "response.create",
            "response.cancel",
            "conversation.item.create",
            "session.finish",
        }
    ),
    committed_fields=("item_id",),
    item_created_has_previous_id=False,  # the Omni examples show none
    completed_has_language=False,
    user_stream_has_obfuscation=True,
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
    echoed_by_default: frozenset[
        str
    ]  # optional session keys echoed even when the client never set them
    input_audio_tokens_per_second: float
    output_audio_tokens_per_second: float
    image_tokens_per_tile: float
    image_tile_px: int
    max_image_bytes: int
    max_images_per_second: int
    reports_emotion: bool  # G2 (qwen3.5) transcription events carry `emotion`
    # Format strings accepted only under Behaviour.legacy_format_strings (events.md §1.10).
    legacy_format_strings: frozenset[str] = frozenset()
    max_output_tokens: int = 4096
    sampling_fixed: bool = False  # qwen-omni-turbo: sampling parameters are not modifiable
    session_cap_s: float = 0.0  # documented session duration cap; 0 = none documented
    image_tokens_min: int = 0
    image_tokens_max: int = 0  # 0 = no cap
    min_billed_audio_s: float = 0.0  # turbo bills at least 1 s of audio
    max_append_audio_chars: int = 0  # cap on one append's base64 `audio` (ASR: 15 MiB); 0 = none
    max_commit_ms: int = 0  # cap on audio per manual commit (ASR: 60 s); 0 = none

    def default_session(self) -> dict[str, Any]:
        """A fresh copy of the documented default configuration (what session.created shows)."""
        return copy.deepcopy(self.defaults)


# events.md §2.6: qwen3 target languages, and the ones with audio output.
_QWEN3_LANGS = frozenset(
    [
        "en",
        "zh",
        "ru",
        "fr",
        "de",
        "pt",
        "es",
        "it",
        "id",
        "ko",
        "ja",
        "vi",
        "th",
        "ar",
        "yue",
        "hi",
        "el",
        "tr",
    ]
)
_QWEN3_AUDIO_LANGS = frozenset(["en", "zh", "ru", "fr", "de", "pt", "es", "it", "ko", "ja", "yue"])
# events.md §2.6: qwen3.5 — 29 languages with audio output, the rest text-only.
_QWEN35_AUDIO_LANGS = frozenset(
    [
        "zh",
        "en",
        "ar",
        "de",
        "fr",
        "es",
        "pt",
        "id",
        "it",
        "ko",
        "ru",
        "th",
        "vi",
        "ja",
        "tr",
        "hi",
        "ms",
        "nl",
        "ur",
        "nb",
        "sv",
        "da",
        "he",
        "fi",
        "pl",
        "is",
        "cs",
        "fil",
        "fa",
    ]
)
_QWEN35_TEXT_ONLY_LANGS = frozenset(
    [
        "yue",
        "el",
        "af",
        "ast",
        "be",
        "bg",
        "bn",
        "bs",
        "ca",
        "ceb",
        "et",
        "gl",
        "gu",
        "hr",
        "hu",
        "jv",
        "kk",
        "kn",
        "ky",
        "lv",
        "mk",
        "ml",
        "mr",
        "pa",
        "ro",
        "sk",
        "sl",
        "sw",
        "tg",
        "az",
        "uk",
    ]
)
_QWEN35_LANGS = _QWEN35_AUDIO_LANGS | _QWEN35_TEXT_ONLY_LANGS

# events.md §2.6 voices. The qwen3.5-era guide adds Ethan to the qwen3 list.
_QWEN3_VOICES = frozenset(
    {"Cherry", "Nofish", "Jada", "Dylan", "Sunny", "Peter", "Eric", "Kiki", "Ethan"}
)
_QWEN35_VOICES = frozenset(
    {"Tina", "Cindy", "Liora Mira", "Sunnybobi", "Raymond", "Ethan", "Theo Calm"}
)

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
    legacy_format_strings=frozenset({"pcm16", "pcm24"}),
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

# events.md §3.2: ASR languages (zh covers Mandarin, Sichuanese, Minnan, Wu).
_ASR_LANGS = frozenset(
    [
        "zh",
        "yue",
        "en",
        "ja",
        "de",
        "ko",
        "ru",
        "fr",
        "pt",
        "ar",
        "it",
        "es",
        "hi",
        "id",
        "th",
        "tr",
        "uk",
        "vi",
        "cs",
        "da",
        "fil",
        "fi",
        "is",
        "ms",
        "no",
        "pl",
        "sv",
    ]
)

_ASR = ModelSpec(
    model_id="qwen3-asr-flash-realtime",
    family=ASR,
    dialect=ASR_DIALECT,
    snapshots=("qwen3-asr-flash-realtime-2025-10-27", "qwen3-asr-flash-realtime-2026-02-10"),
    voices=frozenset(),
    source_languages=_ASR_LANGS,
    target_languages=frozenset(),
    audio_target_languages=frozenset(),
    input_audio_formats=frozenset({"pcm", "opus", "pcm16"}),
    output_audio_formats=frozenset({"pcm", "pcm16", "pcm24"}),  # ignored: ASR has no audio output
    sample_rates=frozenset({16000, 8000}),
    # The ASR docs' example error names OpenAI's 'whisper-1'; the model itself is what the
    # transcription runs on, and null (what the SDK sends) means the default.
    transcription_models=frozenset({"qwen3-asr-flash-realtime"}),
    legacy_format_strings=frozenset({"pcm16", "pcm24"}),
    defaults={
        # session.created.qianwen.json and events.md §3.2 stated defaults (0.2 / 800 ms).
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
    echoed_by_default=frozenset(),
    input_audio_tokens_per_second=12.5,  # not documented for ASR [assumed: LiveTranslate's rate]
    output_audio_tokens_per_second=0.0,
    image_tokens_per_tile=0.0,
    image_tile_px=32,
    max_image_bytes=0,
    max_images_per_second=0,
    reports_emotion=True,  # the ASR examples carry emotion
    max_append_audio_chars=15 * 1024 * 1024,  # events.md §1.9
    max_commit_ms=60_000,  # events.md §1.9
)

# events.md §4.5 voices.
_OMNI_FLASH_VOICES_2509 = frozenset(
    {
        "Cherry",
        "Ethan",
        "Nofish",
        "Jennifer",
        "Ryan",
        "Katerina",
        "Elias",
        "Jada",
        "Dylan",
        "Sunny",
        "Li",
        "Marcus",
        "Roy",
        "Peter",
        "Rocky",
        "Kiki",
        "Eric",
    }
)
_OMNI_FLASH_VOICES_2512 = _OMNI_FLASH_VOICES_2509 | {
    "Serena",
    "Chelsie",
    "Momo",
    "Vivian",
    "Moon",
    "Maia",
    "Kai",
    "Bella",
    "Aiden",
    "Eldric Sage",
    "Mia",
    "Mochi",
    "Bellona",
    "Vincent",
    "Bunny",
    "Neil",
    "Arthur",
    "Nini",
    "Ebona",
    "Seren",
    "Pip",
    "Stella",
    "Bodega",
    "Sonrisa",
    "Alek",
    "Dolce",
    "Sohee",
    "Ono Anna",
    "Lenn",
    "Emilien",
    "Andre",
    "Radio Gol",
}
_OMNI_LANGS = frozenset({"zh", "en", "fr", "de", "ru", "it", "es", "pt", "ja", "ko"})
_OMNI_VAD_DEFAULTS = {
    # events.md §4.2: server_vad 0.5 / 800 ms; prefix/create/interrupt as echoed.
    "type": "server_vad",
    "threshold": 0.5,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 800,
    "create_response": True,
    "interrupt_response": True,
}

_OMNI_FLASH = ModelSpec(
    model_id="qwen3-omni-flash-realtime",
    family=OMNI,
    dialect=OMNI_DIALECT,
    snapshots=("qwen3-omni-flash-realtime-2025-12-01",),
    voices=_OMNI_FLASH_VOICES_2512,
    source_languages=_OMNI_LANGS,
    target_languages=_OMNI_LANGS,
    audio_target_languages=_OMNI_LANGS,
    # Older docs pcm16 in / pcm24 out, newer pcm only; the SDK sends pcm16 both ways.
    input_audio_formats=frozenset({"pcm", "pcm16"}),
    output_audio_formats=frozenset({"pcm", "pcm24", "pcm16"}),
    sample_rates=frozenset({16000}),
    transcription_models=frozenset({"qwen3-asr-flash-realtime", "gummy-realtime-v1"}),
    legacy_format_strings=frozenset({"pcm16", "pcm24"}),
    defaults={
        "modalities": ["text", "audio"],
        "voice": "Cherry",
        "input_audio_format": "pcm",
        "output_audio_format": "pcm",
        "input_audio_transcription": {"model": "qwen3-asr-flash-realtime"},
        "turn_detection": dict(_OMNI_VAD_DEFAULTS),
        "tools": [],
        # events.md §4.2 stated defaults (the examples echo temperature 0.8: §7.15).
        "temperature": 0.9,
        "top_p": 1.0,
        "top_k": 50,
        "max_tokens": 16384,
        "repetition_penalty": 1.05,
        "presence_penalty": 0.0,
        "seed": -1,
        "smooth_output": True,
    },
    echoed_by_default=frozenset(),
    input_audio_tokens_per_second=12.5,  # events.md §4.3
    output_audio_tokens_per_second=12.5,
    image_tokens_per_tile=1.0,  # 1 token per 32x32 px, min 4, max 1280
    image_tile_px=32,
    max_image_bytes=500 * 1024,
    max_images_per_second=2,  # ~1/s recommended; [assumed] rejected above LiveTranslate's 2/s
    reports_emotion=True,
    max_output_tokens=16384,
    session_cap_s=120 * 60,
    image_tokens_min=4,
    image_tokens_max=1280,
)

_OMNI_FLASH_2509 = dataclasses.replace(
    _OMNI_FLASH,
    model_id="qwen3-omni-flash-realtime-2025-09-15",
    snapshots=(),
    voices=_OMNI_FLASH_VOICES_2509,
)

_OMNI_TURBO = dataclasses.replace(
    _OMNI_FLASH,
    model_id="qwen-omni-turbo-realtime",
    snapshots=("qwen-omni-turbo-realtime-latest", "qwen-omni-turbo-realtime-2025-05-08"),
    voices=frozenset({"Cherry", "Serena", "Ethan", "Chelsie"}),
    source_languages=frozenset({"zh", "en"}),
    target_languages=frozenset({"zh", "en"}),
    audio_target_languages=frozenset({"zh", "en"}),
    output_audio_formats=frozenset({"pcm", "pcm16"}),  # older docs: turbo outputs pcm16 only
    defaults={
        **{k: v for k, v in _OMNI_FLASH.defaults.items() if k != "smooth_output"},
        "voice": "Chelsie",
        # events.md §4.2: fixed for turbo; no smooth_output.
        "temperature": 1.0,
        "top_p": 0.01,
        "top_k": 20,
        "max_tokens": 2048,
        "repetition_penalty": 1.05,
        "presence_penalty": 0.0,
        "seed": -1,
    },
    input_audio_tokens_per_second=25.0,
    output_audio_tokens_per_second=25.0,
    image_tile_px=28,
    max_output_tokens=2048,
    sampling_fixed=True,
    min_billed_audio_s=1.0,
)

_SPECS = (
    _QWEN3_LIVETRANSLATE,
    _QWEN35_LIVETRANSLATE,
    _ASR,
    _OMNI_FLASH,
    _OMNI_FLASH_2509,
    _OMNI_TURBO,
)
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
