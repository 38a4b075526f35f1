"""The next Omni models: qwen3.5-omni-plus/flash and qwen3.8-omni-flash (docs/protocol/omni-next.md).

Each is an :class:`OmniModel` (everything not listed in docs/protocol/omni-next.md §2 works as on
`qwen3-omni-flash-realtime`) plus the facts only these models have: the `audio` object's
multichannel input (3.8), `video` settings (3.8), MCP tools (3.8), `semantic_vad` and the
`idle_timeout_ms` of server VAD (3.5).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ...session.audio_config import AudioRates
from .models import FLASH, OmniModel

__all__ = ["FLASH_35", "FLASH_38", "NEXT_MODELS", "PLUS_35", "NextOmniModel"]


@dataclass(frozen=True, kw_only=True)
class NextOmniModel(OmniModel):
    """A qwen3.5 / qwen3.8 Omni model: what it adds to the qwen3 Omni facts."""

    turn_detection_types: tuple[str, ...] = ("server_vad", "semantic_vad")
    idle_timeout: bool = False  # turn_detection.idle_timeout_ms (3.5, server_vad only)
    # audio.input.format.channels → the channel_layout it requires (3.8); empty: mono only
    channel_layouts: tuple[tuple[int, str], ...] = ()
    compact_video: tuple[str, ...] = ()  # video.input.representation_compact values (3.8)
    mcp_tools: bool = False  # `tools` may hold MCP servers (3.8)
    repetition_penalty_zero: bool = False  # 3.8 takes repetition_penalty 0; the others need > 0


# docs/protocol/omni-next.md §4: the 56 voices of qwen3.5 (both sizes), in the catalogue's order.
VOICES_35 = ("Tina", "Cindy", "Liora Mira", "Sunnybobi", "Raymond", "Ethan", "Theo Calm", "Serena", "Harvey", "Maia", "Evan", "Qiao", "Momo", "Wil", "Angel", "Li Cassian", "Mia", "Joyner", "Gold", "Katerina", "Ryan", "Jennifer", "Aiden", "Mione", "Sunny", "Dylan", "Eric", "Peter", "Joseph Chen", "Marcus", "Li", "Kiki", "Rocky", "Sohee", "Lenn", "Ono Anna", "Sonrisa", "Bodega", "Emilien", "Andre", "Radio Gol", "Alek", "Rizky", "Roya", "Arda", "Hana", "Dolce", "Jakub", "Griet", "Eliška", "Marina", "Siiri", "Ingrid", "Sigga", "Bea", "Chloe")  # fmt: skip
# docs/protocol/omni-next.md §4: qwen3.8 drops three of them and adds three.
VOICES_38 = (
    *(v for v in VOICES_35 if v not in ("Sunnybobi", "Ethan", "Harvey")),
    "Zane",
    "Cici",
    "longanlingxin",
)
_TRANSCRIPTION = "qwen3-asr-flash-realtime"  # the one model; "cannot be changed" (§2)


def _next_of_flash(**changes: object) -> NextOmniModel:
    """A NextOmniModel: qwen3-omni-flash's facts with `changes` (docs/protocol/omni-next.md §2)."""
    facts = {field.name: getattr(FLASH, field.name) for field in dataclasses.fields(OmniModel)}
    return NextOmniModel(**{**facts, **changes})


def _defaults(**sampling: object) -> dict[str, object]:
    """The session.created configuration (docs/protocol/omni-next.md §2, §2.1): voice Tina, the
    model's sampling defaults, no smooth_output (a qwen3-omni-flash parameter)."""
    kept = {k: v for k, v in FLASH.defaults.items() if k != "smooth_output"}
    return {
        **kept,
        "voice": "Tina",
        "input_audio_transcription": {"model": _TRANSCRIPTION},
        **sampling,
    }


# docs/protocol/omni-next.md §3: 8/16/24/48 kHz both ways; pcm or wav (the mock reads a wav
# stream's samples as PCM; its 44-byte header is 22 samples of near-silence).
_RATES = AudioRates(input=(16000, 8000, 24000, 48000), output=(24000, 8000, 16000, 48000))

PLUS_35 = _next_of_flash(
    model_id="qwen3.5-omni-plus-realtime",
    snapshots=("qwen3.5-omni-plus-realtime-2026-03-15",),
    voices=VOICES_35,
    input_audio_formats=("pcm", "wav", "pcm16"),
    transcription_models=(_TRANSCRIPTION,),
    defaults=_defaults(
        temperature=0.7, top_p=0.8, top_k=20, repetition_penalty=1.0, presence_penalty=1.5
    ),
    audio_rates=_RATES,
    idle_timeout=True,
)
FLASH_35 = dataclasses.replace(
    PLUS_35,
    model_id="qwen3.5-omni-flash-realtime",
    snapshots=("qwen3.5-omni-flash-realtime-2026-03-15",),
)
FLASH_38 = dataclasses.replace(
    PLUS_35,
    model_id="qwen3.8-omni-flash-realtime",
    snapshots=(),  # docs/protocol/omni-next.md §1: no dated id seen
    voices=VOICES_38,
    defaults=_defaults(
        temperature=0.6,
        top_p=0.95,
        top_k=20,
        repetition_penalty=0,
        presence_penalty=1,
        max_tokens=65536,
    ),
    max_output_tokens=65536,
    input_audio_formats=("pcm", "pcm16"),  # multichannel: pcm only; wav is not named for 3.8
    idle_timeout=False,
    channel_layouts=((1, "mono"), (2, "raw_mic_array"), (4, "foa_ambix")),
    compact_video=("none", "normal"),
    mcp_tools=True,
    repetition_penalty_zero=True,
)

NEXT_MODELS = (PLUS_35, FLASH_35, FLASH_38)
