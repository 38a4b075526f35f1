"""Hypothesis strategies for client events, per family: valid, near-valid, and hand-tuned audio.

Configuration comes two ways: hand-tuned updates that move the session between the modes that
matter (VAD or manual, text or audio, tools or not), and anything the family's `session.update`
schema allows (hypothesis-jsonschema over `schemas.resolved(...)`), most of which the session
core then accepts or rejects by the model's own rules. Audio is runs of real speech and of
silence of chosen lengths, so where VAD boundaries fall is known from the strategy.
"""

from __future__ import annotations

import base64
from functools import cache

import numpy as np
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from dashscope_realtime_mock import families as registry
from dashscope_realtime_mock import schemas
from dashscope_realtime_mock.families.livetranslate.models import LiveTranslateModel
from dashscope_realtime_mock.families.omni.models import OmniModel
from dashscope_realtime_mock.families.omni.next_models import NextOmniModel
from dashscope_realtime_mock.protocol.behaviour import Behaviour
from tests.support import WEATHER_TOOL, load_speech, tiny_jpeg

__all__ = [
    "CHUNK_MS",
    "audio_runs",
    "behaviours",
    "chunks_of",
    "images",
    "session_updates",
    "tool_outputs",
]

CHUNK_MS = 100
TOOLS = [WEATHER_TOOL]


@cache
def _speech() -> np.ndarray:
    """The voiced stretch of the first utterance of the committed English recording."""
    speech = load_speech("en_two_utterances")
    first = speech.segments[0]
    return speech.pcm[first["start_ms"] * 16 : first["end_ms"] * 16]


def chunks_of(kind: str, ms: int) -> list[str]:
    """`ms` of speech or silence as base64 PCM16 16 kHz appends of CHUNK_MS each."""
    voiced = _speech()
    samples = np.resize(voiced, ms * 16) if kind == "speech" else np.zeros(ms * 16, dtype=np.int16)
    step = CHUNK_MS * 16
    return [
        base64.b64encode(samples[i : i + step].astype("<i2").tobytes()).decode()
        for i in range(0, len(samples), step)
    ]


def audio_runs() -> st.SearchStrategy[tuple[str, int]]:
    """(speech | silence, duration ms): long silences end an utterance, short ones do not."""
    return st.tuples(
        st.sampled_from(["speech", "silence"]), st.integers(1, 20).map(lambda n: n * CHUNK_MS)
    )


# qwen3.8 MCP servers: one that asks for approval of each call, one that does not.
MCP_TOOLS = [
    [{"type": "mcp", "server_label": "maps", "server_url": "https://example.com/mcp"}],
    [
        {
            "type": "mcp",
            "server_label": "docs",
            "server_url": "https://example.com/docs-mcp",
            "require_approval": "never",
        }
    ],
]


def _hand_tuned(model: str) -> st.SearchStrategy[dict]:
    found = registry.lookup(model)
    assert found is not None, f"unknown model {model}"
    spec, family = found.spec, found.family.name
    vad = st.one_of(
        st.none(),
        st.fixed_dictionaries(
            {"type": st.just("server_vad")},
            optional={
                "threshold": st.sampled_from([-0.2, 0.0, 0.2, 0.5]),
                "silence_duration_ms": st.sampled_from([200, 400, 800]),
                "create_response": st.booleans(),
                "interrupt_response": st.booleans(),
            },
        ),
    )
    fields: dict[str, st.SearchStrategy] = {"turn_detection": vad}
    if family != "asr":
        fields["modalities"] = st.sampled_from([["text"], ["text", "audio"]])
        assert isinstance(spec, (OmniModel, LiveTranslateModel)), f"{model} has no voices"
        fields["voice"] = st.sampled_from([*sorted(spec.voices), "Nobody"])
    if family == "livetranslate":
        fields["translation"] = st.fixed_dictionaries(
            {"language": st.sampled_from(["en", "zh", "fr", "el"])}
        )
        fields["input_audio_transcription"] = st.sampled_from(
            [None, {"model": "qwen3-asr-flash-realtime"}]
        )
    if family == "asr":
        fields["input_audio_transcription"] = st.sampled_from(
            [None, {"language": "en"}, {"language": "zh"}]
        )
    if family == "omni":
        fields["tools"] = st.sampled_from([[], TOOLS])
    if isinstance(spec, NextOmniModel):
        # docs/protocol/omni-next.md §5, §9: semantic_vad; qwen3.8 MCP servers
        fields["turn_detection"] = st.one_of(
            vad, st.just({"type": "semantic_vad", "threshold": 0.5, "silence_duration_ms": 800})
        )
        if spec.mcp_tools:
            fields["tools"] = st.sampled_from([[], TOOLS, *MCP_TOOLS])
    if family == "omni":
        fields["temperature"] = st.sampled_from([0.0, 0.7, 1.99, 2.0])
        fields["input_audio_transcription"] = st.sampled_from([None, {"model": None}])
    if family == "qwen_audio":
        # docs/protocol/qwen-audio.md §3: smart_turn (with voiceprints, one not fetchable), history
        smart = st.fixed_dictionaries(
            {"type": st.just("smart_turn")},
            optional={
                "voiceprint_audio_urls": st.sampled_from(
                    [["https://example.com/a.wav"], ["not a url"]]
                )
            },
        )
        fields["turn_detection"] = st.one_of(vad, smart)
        fields["tools"] = st.sampled_from([[], TOOLS])
        fields["max_history_turns"] = st.sampled_from([1, 20, 50])
    return st.fixed_dictionaries({}, optional=fields)


@cache
def _from_schema(family: str) -> st.SearchStrategy[dict]:
    schema = schemas.resolved("client", "session.update", family)
    assert schema is not None, f"{family} has no session.update"
    return from_schema(schema).map(_session_of)


def _session_of(event: object) -> dict:
    assert isinstance(event, dict), event  # the schema's root is an object
    return event["session"]


def session_updates(model: str) -> st.SearchStrategy[dict]:
    """The `session` of a session.update: mostly hand-tuned mode changes, sometimes anything the schema allows."""
    found = registry.lookup(model)
    assert found is not None, f"unknown model {model}"
    family = found.family.name
    return st.one_of(
        _hand_tuned(model),
        _hand_tuned(model),
        _from_schema(family),
        st.sampled_from([[], "text", 5]),
    )  # and a few that are not objects at all


def images() -> st.SearchStrategy[bytes]:
    """JPEG headers of several sizes, and a few things that are not JPEGs."""
    sizes = st.sampled_from([(640, 480), (1280, 720), (3000, 2000)])
    return st.one_of(sizes.map(lambda wh: tiny_jpeg(*wh)), st.just(b"\x89PNG\r\n"))


def tool_outputs() -> st.SearchStrategy[str]:
    return st.sampled_from(["Sunny, 25 C.", '{"temp": 25}', ""])


def behaviours() -> st.SearchStrategy[Behaviour]:
    """Every combination of the documented-open choices that changes the event flow."""
    return st.builds(
        Behaviour,
        # every model alike, or each model's default (qwen3.5/3.8 reject, qwen3 accept)
        omni_session_finish=st.sampled_from(["accept", "reject", Behaviour().omni_session_finish]),
        cancel_sends_response_done=st.booleans(),
        omni_transcript_position=st.sampled_from(["before_response", "after_response"]),
        commit_in_vad_mode=st.sampled_from(["error", "ignore"]),
        asr_manual_item_created=st.booleans(),
        asr_finished_transcript=st.booleans(),
        response_create_while_active=st.sampled_from(["error", "queue"]),
        tool_result_continuation=st.sampled_from(["wait", "auto"]),
        tool_calls=st.sampled_from(["auto", "never"]),
        qwen_audio_late_session_change=st.sampled_from(["error", "ignore"]),
        qwen_audio_user_turn_refusal=st.sampled_from(["documented", "user_speaking"]),
    )
