"""The Omni models and their documented facts (docs/protocol/events.md §4)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ...media.images import ImageRules
from ...session.audio_config import AudioRates
from ...session.listening import LEGACY_FORMAT_STRINGS, ListeningModel

__all__ = ["MODELS", "OmniModel"]


@dataclass(frozen=True, kw_only=True)
class OmniModel(ListeningModel):
    """An Omni model: a voice assistant with its voices, sampling limits and billing."""

    voices: tuple[str, ...]
    output_audio_formats: tuple[str, ...]
    output_audio_tokens_per_second: float
    max_output_tokens: int
    sampling_fixed: bool = False  # qwen-omni-turbo: sampling parameters are not modifiable
    min_billed_audio_s: float = 0.0  # turbo bills at least 1 s of audio


# docs/protocol/events.md §4.5 voices.
_FLASH_VOICES_2509 = ("Cherry", "Ethan", "Nofish", "Jennifer", "Ryan", "Katerina", "Elias", "Jada", "Dylan", "Sunny", "Li", "Marcus", "Roy", "Peter", "Rocky", "Kiki", "Eric")  # fmt: skip
_FLASH_VOICES_2512 = (*_FLASH_VOICES_2509, "Serena", "Chelsie", "Momo", "Vivian", "Moon", "Maia", "Kai", "Bella", "Aiden", "Eldric Sage", "Mia", "Mochi", "Bellona", "Vincent", "Bunny", "Neil", "Arthur", "Nini", "Ebona", "Seren", "Pip", "Stella", "Bodega", "Sonrisa", "Alek", "Dolce", "Sohee", "Ono Anna", "Lenn", "Emilien", "Andre", "Radio Gol")  # fmt: skip
_LANGS = ("zh", "en", "fr", "de", "ru", "it", "es", "pt", "ja", "ko")
_VAD_DEFAULTS = {
    # docs/protocol/events.md §4.2: server_vad 0.5 / 800 ms; prefix/create/interrupt as echoed.
    "type": "server_vad",
    "threshold": 0.5,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 800,
    "create_response": True,
    "interrupt_response": True,
}

FLASH = OmniModel(
    model_id="qwen3-omni-flash-realtime",
    snapshots=("qwen3-omni-flash-realtime-2025-12-01",),
    voices=_FLASH_VOICES_2512,
    source_languages=_LANGS,
    # Older docs pcm16 in / pcm24 out, newer pcm only; the SDK sends pcm16 both ways.
    input_audio_formats=("pcm", "pcm16"),
    output_audio_formats=("pcm", "pcm24", "pcm16"),
    transcription_models=("qwen3-asr-flash-realtime", "gummy-realtime-v1"),
    legacy_format_strings=LEGACY_FORMAT_STRINGS,
    defaults={
        "modalities": ["text", "audio"],
        "voice": "Cherry",
        "input_audio_format": "pcm",
        "output_audio_format": "pcm",
        "input_audio_transcription": {"model": "qwen3-asr-flash-realtime"},
        "turn_detection": dict(_VAD_DEFAULTS),
        "tools": [],
        # docs/protocol/events.md §4.2 stated defaults (the examples echo temperature 0.8: §7.15).
        "temperature": 0.9,
        "top_p": 1.0,
        "top_k": 50,
        "max_tokens": 16384,
        "repetition_penalty": 1.05,
        "presence_penalty": 0.0,
        "seed": -1,
        "smooth_output": True,
    },
    input_audio_tokens_per_second=12.5,  # docs/protocol/events.md §4.3
    output_audio_tokens_per_second=12.5,
    # 1 token per 32x32 px, min 4, max 1280; ~1/s recommended, [assumed] rejected above 2/s.
    images=ImageRules(tokens_per_tile=1.0, tile_px=32, tokens_min=4, tokens_max=1280),
    reports_emotion=True,
    max_output_tokens=16384,
    session_cap_s=120 * 60,
    # docs/protocol/events.md §4.2: input "only 16 kHz mono PCM", output 24 kHz and not to be
    # chosen (the `audio` object's other rates are qwen3.5's: Behaviour.omni_audio_rates)
    audio_rates=AudioRates(input=(16000,), output=(24000,)),
)

FLASH_2509 = dataclasses.replace(
    FLASH,
    model_id="qwen3-omni-flash-realtime-2025-09-15",
    snapshots=(),
    voices=_FLASH_VOICES_2509,
)

TURBO = dataclasses.replace(
    FLASH,
    model_id="qwen-omni-turbo-realtime",
    snapshots=("qwen-omni-turbo-realtime-latest", "qwen-omni-turbo-realtime-2025-05-08"),
    voices=("Cherry", "Serena", "Ethan", "Chelsie"),
    source_languages=("zh", "en"),
    # older docs: turbo outputs pcm16 only; the Java SDK's default output format pcm24 is sent to
    # every Omni model, so turbo takes it as well
    output_audio_formats=("pcm", "pcm16", "pcm24"),
    defaults={
        **{k: v for k, v in FLASH.defaults.items() if k != "smooth_output"},
        "voice": "Chelsie",
        # docs/protocol/events.md §4.2: fixed for turbo; no smooth_output.
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
    images=ImageRules(tokens_per_tile=1.0, tile_px=28, tokens_min=4, tokens_max=1280),
    max_output_tokens=2048,
    sampling_fixed=True,
    min_billed_audio_s=1.0,
)

MODELS = (FLASH, FLASH_2509, TURBO)
