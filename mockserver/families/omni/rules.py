"""Omni `session.update` rules and the session object it echoes (docs/protocol/events.md §4.2).

The schema (`session_config.omni.json`, `tool.json`) has checked shapes, types and the documented
sampling ranges. What is left: per-model voices, format strings, transcription models and the
`max_tokens` ceiling; duplicate tool names; MCP tools (the schema knows them, the mock serves
function tools only); turbo's fixed sampling (valid values are accepted, the fixed ones echoed).
``input_audio_transcription: {"model": null}`` (what the SDK sends when transcription is enabled
without naming a model) means the default model; ``null`` turns it off.
"""

from __future__ import annotations

from typing import Any

from ...protocol import wording
from ...protocol.behaviour import Behaviour, OmniAudioRates
from ...protocol.rules import apply_formats, check_member, copy_json, merge_turn_detection
from ...session.audio_config import QWEN35_AUDIO_RATES, apply_audio_settings, render_audio_object
from .models import OmniModel

__all__ = ["RULES", "SAMPLING_KEYS", "OmniRules", "copy_config"]

SAMPLING_KEYS = (
    "temperature",
    "top_p",
    "top_k",
    "max_tokens",
    "repetition_penalty",
    "presence_penalty",
    "seed",
)


def _tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`tools`: function tools in the nested Chat-Completions shape, names unique."""
    names = set()
    for index, tool in enumerate(tools):
        param = f"session.tools[{index}]"
        check_member(tool["type"], param + ".type", ["function"])
        if "function" not in tool:  # OpenAI Realtime's flat shape, where nothing nested it first
            raise wording.missing_parameter(param + ".function")
        name = tool["function"]["name"]
        if name in names:
            raise wording.not_allowed(param + ".function.name", f"Duplicate tool name '{name}'.")
        names.add(name)
    # The list is the client's own parsed event, which nothing else holds; configs share it from
    # here on and never change it in place (an update replaces the whole list).
    return tools


def _transcription(model: OmniModel, value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if value.get("model") is None:
        default: dict[str, Any] = copy_json(model.defaults["input_audio_transcription"])
        return default
    param = "session.input_audio_transcription.model"
    return {"model": check_member(value["model"], param, model.transcription_models)}


def _max_tokens(model: OmniModel, value: int) -> int:
    if value > model.max_output_tokens:
        raise wording.out_of_range(
            "session.max_tokens", value, wording.interval(1, model.max_output_tokens)
        )
    return value


def copy_config(current: dict[str, Any]) -> dict[str, Any]:
    """A session config to update: a deep copy of everything but the tools, which are shared
    (replaced whole, never changed in place; copying 128 of them on every update would cost
    milliseconds of the event loop)."""
    config = copy_json({key: value for key, value in current.items() if key != "tools"})
    config["tools"] = current["tools"]
    return config


class OmniRules:
    """The ConfigRules of the Omni family."""

    def apply_update(
        self,
        model: OmniModel,
        current: dict[str, Any],
        update: dict[str, Any],
        behaviour: Behaviour,
    ) -> dict[str, Any]:
        config = copy_config(current)
        if "modalities" in update:
            config["modalities"] = list(update["modalities"])
        if update.get("voice") is not None:
            config["voice"] = check_member(update["voice"], "session.voice", model.voices)
        apply_formats(model, behaviour, config, update)
        rates = (
            QWEN35_AUDIO_RATES
            if behaviour.omni_audio_rates is OmniAudioRates.QWEN35
            else model.audio_rates
        )
        apply_audio_settings(model, config, update, rates)
        if "voice" in update.get("audio", {}).get("output", {}):
            check_member(config["voice"], "session.audio.output.voice", model.voices)
        if "video" in update:
            # docs/protocol/events.md §4.2: video.input.representation_compact is qwen3.8 only.
            raise wording.not_allowed(
                "session.video",
                "Invalid value for 'session.video': this model takes no video settings.",
            )
        if update.get("enable_search"):
            # docs/protocol/events.md §4.2: enable_search is qwen3.5/3.8 only; the examples echo false here.
            raise wording.not_allowed(
                "session.enable_search",
                "Invalid value for 'session.enable_search': true. Web search is not available "
                "on this model.",
            )
        if "search_options" in update:
            config["search_options"] = dict(update["search_options"] or {})
        if "tool_choice" in update:
            config["tool_choice"] = update["tool_choice"]
        if "instructions" in update:
            config["instructions"] = update["instructions"]
        if "input_audio_transcription" in update:
            config["input_audio_transcription"] = _transcription(
                model, update["input_audio_transcription"]
            )
        if "turn_detection" in update:
            config["turn_detection"] = merge_turn_detection(
                config["turn_detection"], update["turn_detection"], model.defaults["turn_detection"]
            )
        if "tools" in update:
            config["tools"] = [] if update["tools"] is None else _tools(update["tools"])
        if "max_tokens" in update:
            _max_tokens(model, update["max_tokens"])
        if not model.sampling_fixed:  # turbo: "not modifiable"; the fixed values stay
            config.update({key: update[key] for key in SAMPLING_KEYS if key in update})
        if "smooth_output" in update:
            if "smooth_output" not in model.defaults:
                # docs/protocol/events.md §4.2: smooth_output is qwen3-omni-flash only.
                raise wording.not_allowed(
                    "session.smooth_output",
                    "Invalid value for 'session.smooth_output': this model has no "
                    "smooth_output setting.",
                )
            config["smooth_output"] = update["smooth_output"]
        return config

    def render(
        self,
        model: OmniModel,
        config: dict[str, Any],
        session_id: str,
        model_id: str,
        *,
        updated: bool,
    ) -> dict[str, Any]:
        """`session.created` (its example's fields) or `session.updated` (all of them)."""
        session: dict[str, Any] = {
            "id": session_id,
            "object": "realtime.session",
            "model": model_id,
            "modalities": list(config["modalities"]),
        }
        if updated and config.get("instructions") is not None:
            session["instructions"] = config["instructions"]
        session["voice"] = config["voice"]
        session["input_audio_format"] = config["input_audio_format"]
        session["output_audio_format"] = config["output_audio_format"]
        session["input_audio_transcription"] = copy_json(config["input_audio_transcription"])
        # [assumed] manual mode echoes turn_detection: null (OpenAI beta; docs show only VAD).
        session["turn_detection"] = copy_json(config["turn_detection"])
        # session.created.json / session.updated.json: enable_search and search_options come
        # before tools; session.created.legacy.json (qwen3-omni-flash-realtime) echoes
        # "tool_choice": "auto" right after tools (docs/protocol/events.md §4.2: echoed `auto`).
        session["enable_search"] = False
        session["search_options"] = copy_json(config.get("search_options", {}))
        session["tools"] = config["tools"]  # shared, as in the config (see apply_update)
        session["tool_choice"] = config.get("tool_choice", "auto")
        session["temperature"] = config["temperature"]
        if updated:
            session["max_response_output_token"] = "inf"  # as echoed in session.updated.json
            for key in SAMPLING_KEYS[1:]:
                session[key] = config[key]
        if updated and "smooth_output" in config:
            session["smooth_output"] = config["smooth_output"]
        if updated and (audio := render_audio_object(config)) is not None:
            session["audio"] = audio
        return session


RULES = OmniRules()

# The tools check under a public name: Qwen-Audio's tools are Omni's function tools
# (docs/protocol/qwen-audio.md §3).
check_tools = _tools
