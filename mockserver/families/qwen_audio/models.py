"""The Qwen-Audio realtime models and their documented facts (docs/protocol/qwen-audio.md §1, §3)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ...session.listening import LEGACY_FORMAT_STRINGS
from ..omni.models import OmniModel

__all__ = ["DOCUMENTED_VOICES", "MODELS", "PROBED_VOICES", "QwenAudioModel"]

# docs/protocol/qwen-audio.md §3: the five system voices, `longanqian` first (the default).
DOCUMENTED_VOICES = ("longanqian", "longanlingxin", "longanlingxi", "longanxiaoxin", "longanlufeng")
# docs/protocol/qwen-audio.md §3.1 [3p]: ten more voices that two gateways' probes found accepted
# (Behaviour.qwen_audio_probed_voices).
PROBED_VOICES = ("longanfengyue", "longanyuanfei", "longanhuan_v3.6", "longjielidou_v3.6", "longpaopao_v3.6", "longhuohuo_v3.6", "longchuanshu_v3.6", "loongmary", "loongeva_v3.6", "loongjohn")  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class QwenAudioModel(OmniModel):
    """A Qwen-Audio model: Omni's event vocabulary with its own voices, turn modes and history."""

    probed_voices: tuple[str, ...] = PROBED_VOICES
    max_history_turns: int = 50  # docs/protocol/qwen-audio.md §3: 1-50, default 20
    # docs/protocol/qwen-audio.md §3: the ids a cloned voice's target_model may name (a cloned
    # voice_id starts with one of them and a dash, as the guide's example does)
    cloning_targets: tuple[str, ...] = ()

    def is_cloned_voice(self, voice: str) -> bool:
        """`voice` is a cloned voice id made for one of this model's clone targets."""
        return any(voice.startswith(target + "-") for target in self.cloning_targets)


_TARGETS = ("qwen-audio-3.0-realtime-plus", "qwen-audio-3.0-realtime-flash")

PLUS = QwenAudioModel(
    model_id="qwen-audio-3.0-realtime-plus",
    voices=DOCUMENTED_VOICES,
    source_languages=("zh", "en"),
    # docs/protocol/qwen-audio.md §1: PCM 16 kHz in, 24 kHz out, `pcm` only; the legacy strings
    # the official SDK sends (pcm16 in, pcm24 out) under Behaviour.legacy_format_strings.
    input_audio_formats=("pcm", "pcm16"),
    output_audio_formats=("pcm", "pcm24", "pcm16"),
    legacy_format_strings=LEGACY_FORMAT_STRINGS,
    transcription_models=("fun-asr",),
    defaults={
        # docs/protocol/qwen-audio.md §3: the echo shows ["text", "audio"].
        "modalities": ["text", "audio"],
        "voice": "longanqian",
        "input_audio_format": "pcm",
        "output_audio_format": "pcm",
        "input_audio_transcription": {"model": "fun-asr"},
        "turn_detection": {"type": "server_vad", "threshold": 0.5, "silence_duration_ms": 800},
        "tools": [],
        "enable_speech_emotion": True,
        "max_history_turns": 20,
    },
    # docs/protocol/qwen-audio.md §1: 12.5 tokens per second, under 1 s billed as 1 s.
    input_audio_tokens_per_second=12.5,
    output_audio_tokens_per_second=12.5,
    min_billed_audio_s=1.0,
    reports_emotion=False,
    max_output_tokens=40960,  # docs/protocol/qwen-audio.md §1: context length
    cloning_targets=_TARGETS,
)

FLASH = dataclasses.replace(PLUS, model_id="qwen-audio-3.0-realtime-flash")
# docs/protocol/qwen-audio.md §1: the newest page lists the 3.1 ids; nothing else is known of them.
PLUS_31 = dataclasses.replace(PLUS, model_id="qwen-audio-3.1-realtime-plus")
FLASH_31 = dataclasses.replace(PLUS, model_id="qwen-audio-3.1-realtime-flash")

MODELS = (PLUS, FLASH, PLUS_31, FLASH_31)
