"""The Qwen-TTS realtime models and their documented facts (docs/protocol/tts.md §1, §7)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ...protocol.spec import ModelSpec

__all__ = ["MODELS", "Billing", "TtsModel"]


class Billing(str, Enum):
    """How `usage` counts a response (docs/protocol/tts.md §5)."""

    CHARACTERS = "characters"  # Qwen3-TTS: {"characters": n}
    TOKENS = "tokens"  # Qwen-TTS-Realtime: input/output/audio tokens


@dataclass(frozen=True, kw_only=True)
class TtsModel(ModelSpec):
    """A Qwen-TTS realtime model: which voices, formats and rates it takes, and how it bills."""

    voices: tuple[str, ...]  # system voices in documented order; () = custom voices only
    custom_voice_prefix: str = ""  # VD / VC models: the ids a custom voice takes (§7.4)
    response_formats: tuple[str, ...]
    sample_rates: tuple[int, ...]
    tuning: bool  # volume, speech_rate, pitch_rate, bit_rate apply (§1 capability matrix)
    instruct: bool = False  # instructions / optimize_instructions apply
    billing: Billing = Billing.CHARACTERS


# docs/protocol/tts.md §7.1: the 49 voices of qwen3-tts-flash-realtime and its 2025-11-27 snapshot.
_FLASH_VOICES = ("Cherry", "Serena", "Ethan", "Chelsie", "Momo", "Vivian", "Moon", "Maia", "Kai", "Nofish", "Bella", "Jennifer", "Ryan", "Katerina", "Aiden", "Eldric Sage", "Mia", "Mochi", "Bellona", "Vincent", "Bunny", "Neil", "Elias", "Arthur", "Nini", "Ebona", "Seren", "Pip", "Stella", "Bodega", "Sonrisa", "Alek", "Dolce", "Sohee", "Ono Anna", "Lenn", "Emilien", "Andre", "Radio Gol", "Jada", "Dylan", "Li", "Marcus", "Roy", "Peter", "Sunny", "Eric", "Rocky", "Kiki")  # fmt: skip
# §7.1: the 17 voices of the 2025-09-18 snapshot.
_FLASH_0918_VOICES = ("Cherry", "Ethan", "Nofish", "Jennifer", "Ryan", "Katerina", "Elias", "Jada", "Dylan", "Li", "Marcus", "Roy", "Peter", "Sunny", "Eric", "Rocky", "Kiki")  # fmt: skip
# §7.2: the 24 instruct voices two independent lists agree on.
_INSTRUCT_VOICES = ("Cherry", "Serena", "Ethan", "Chelsie", "Momo", "Vivian", "Moon", "Maia", "Kai", "Nofish", "Bella", "Eldric Sage", "Mia", "Mochi", "Bellona", "Vincent", "Bunny", "Neil", "Elias", "Arthur", "Nini", "Seren", "Pip", "Stella")  # fmt: skip
# §7.3: the current voice table of qwen-tts-realtime.
_QWEN_TTS_VOICES = ("Cherry", "Serena", "Ethan", "Chelsie")

# §1 capability matrix: the Qwen3 models take every format and rate, qwen-tts-realtime pcm/24 kHz.
_QWEN3_FORMATS = ("pcm", "wav", "mp3", "opus")
_QWEN3_RATES = (8000, 16000, 24000, 48000)


def _defaults(voice: str) -> dict[str, object]:
    """session.created's configuration (§4.2) plus the documented defaults of §4.1."""
    return {
        "mode": "server_commit",
        "voice": voice,
        "response_format": "pcm",
        "sample_rate": 24000,
        "language_type": "Auto",
        "volume": 50,
        "speech_rate": 1.0,
        "pitch_rate": 1.0,
        "bit_rate": 128,
        "instructions": "",
        "optimize_instructions": False,
    }


def _qwen3(
    model_id: str, snapshots: tuple[str, ...], voices: tuple[str, ...], **facts: object
) -> TtsModel:
    return TtsModel(
        model_id=model_id,
        snapshots=snapshots,
        # §4.1: the default voice of the VD / VC models is UNCONFIRMED (they have no system
        # voice); the mock shows Cherry, as the others do, and refuses it when speaking (§7.4).
        defaults=_defaults("Cherry"),
        voices=voices,
        response_formats=_QWEN3_FORMATS,
        sample_rates=_QWEN3_RATES,
        tuning=True,
        **facts,  # type: ignore[arg-type]  # the remaining TtsModel fields, by keyword
    )


FLASH = _qwen3("qwen3-tts-flash-realtime", ("qwen3-tts-flash-realtime-2025-11-27",), _FLASH_VOICES)
FLASH_0918 = _qwen3("qwen3-tts-flash-realtime-2025-09-18", (), _FLASH_0918_VOICES)
INSTRUCT = _qwen3(
    "qwen3-tts-instruct-flash-realtime",
    ("qwen3-tts-instruct-flash-realtime-2026-01-22",),
    _INSTRUCT_VOICES,
    instruct=True,
)
VOICE_DESIGN = _qwen3(
    "qwen3-tts-vd-realtime",
    ("qwen3-tts-vd-realtime-2026-01-15", "qwen3-tts-vd-realtime-2025-12-16"),
    (),
    custom_voice_prefix="qwen-tts-vd-",
)
VOICE_CLONE = _qwen3(
    "qwen3-tts-vc-realtime",
    ("qwen3-tts-vc-realtime-2026-01-15", "qwen3-tts-vc-realtime-2025-11-27"),
    (),
    custom_voice_prefix="qwen-tts-vc-",
)
QWEN_TTS = TtsModel(
    model_id="qwen-tts-realtime",
    snapshots=("qwen-tts-realtime-latest", "qwen-tts-realtime-2025-07-15"),
    defaults=_defaults("Cherry"),
    voices=_QWEN_TTS_VOICES,
    response_formats=("pcm",),
    sample_rates=(24000,),
    tuning=False,
    billing=Billing.TOKENS,
)

MODELS = (FLASH, FLASH_0918, INSTRUCT, VOICE_DESIGN, VOICE_CLONE, QWEN_TTS)
