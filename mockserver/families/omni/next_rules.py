"""`session.update` rules of the next Omni models (docs/protocol/omni-next.md §2, §3, §5, §9).

:class:`OmniFamilyRules` is the Omni family's one `ConfigRules`: a qwen3 model's update goes to
:class:`~.rules.OmniRules` unchanged; a :class:`~.next_models.NextOmniModel`'s update is first
reduced to what those rules know (the fields only these models have are checked and applied
here), then completed. What the schema has checked (shapes, enums, ranges) is not checked again.
"""

from __future__ import annotations

from typing import Any

from ...protocol import wording
from ...protocol.behaviour import Behaviour, VoiceCheck
from ...protocol.rules import check_member, copy_json, merge_turn_detection
from .next_models import NextOmniModel
from .rules import RULES, OmniRules

__all__ = ["FAMILY_RULES", "MAX_MCP_SERVERS", "OmniFamilyRules"]

# docs/protocol/omni-next.md §3: the multichannel fields of audio.input.format (qwen3.8).
_MULTICHANNEL = {"sample_format": ("s16le",), "packing": ("interleaved",)}
_TRANSCRIPTION_PARAM = "session.input_audio_transcription.model"
# docs/protocol/omni-next.md §2.1: never echoed.
_MCP_SECRETS = ("server_url", "authorization", "headers")
MAX_MCP_SERVERS = 8  # §9 limits per session


def _input_format(model: NextOmniModel, update: dict[str, Any]) -> int | None:
    """qwen3.8 multichannel input: the channel count `audio.input.format` sets (its extra keys
    checked and removed from `update`), or None when it names none."""
    fmt = update.get("audio", {}).get("input", {}).get("format")
    if not fmt:
        return None
    extra = {k: fmt.pop(k) for k in ("channels", "channel_layout", *_MULTICHANNEL) if k in fmt}
    if not extra:
        return None
    param = "session.audio.input.format"
    if not model.channel_layouts:
        key = next(iter(extra))
        raise wording.not_allowed(
            f"{param}.{key}",
            f"Invalid value for '{param}': '{key}' is not supported by this model; "
            f"supported keys are: {wording.quoted(('type', 'sample_rate'))}.",
        )
    for key, value in extra.items():
        if value is None:  # §3: "null is not a substitute for omission"
            raise wording.invalid_type(
                f"{param}.{key}", "string" if key != "channels" else "integer"
            )
    layouts = dict(model.channel_layouts)
    channels = check_member(extra.get("channels", 1), f"{param}.channels", list(layouts))
    for key, allowed in _MULTICHANNEL.items():
        if key in extra:
            check_member(extra[key], f"{param}.{key}", allowed)
    if "channel_layout" in extra and extra["channel_layout"] != layouts[channels]:
        raise wording.not_allowed(
            f"{param}.channel_layout",
            f"Invalid value for '{param}.channel_layout': '{extra['channel_layout']}' does not "
            f"match channels {channels}; it must be '{layouts[channels]}'.",
        )
    if channels > 1 and (fmt.get("type", "pcm") != "pcm" or fmt.get("sample_rate", 16000) != 16000):
        raise wording.not_allowed(
            param,
            f"Invalid value for '{param}': {channels}-channel input takes type 'pcm' at "
            "sample_rate 16000 only.",
        )
    return channels


def _turn_detection(model: NextOmniModel, value: dict[str, Any] | None) -> dict[str, Any] | None:
    """§5: `semantic_vad` besides `server_vad`; `idle_timeout_ms` on qwen3.5 with server_vad."""
    if value is None:
        return None
    kind = check_member(
        value.get("type", "server_vad"), "session.turn_detection.type", model.turn_detection_types
    )
    if "idle_timeout_ms" in value and not (model.idle_timeout and kind == "server_vad"):
        raise wording.not_allowed(
            "session.turn_detection.idle_timeout_ms",
            "Invalid value for 'session.turn_detection.idle_timeout_ms': it applies to "
            "server_vad on qwen3.5-omni models only.",
        )
    return {k: v for k, v in value.items() if k not in ("type", "idle_timeout_ms")}


def _mcp_tool(index: int, tool: dict[str, Any], labels: set[str]) -> None:
    """§9: an MCP server's label (unique, 1–64 of letters, digits, `_`, `-`) and its URL."""
    param = f"session.tools[{index}]"
    label = tool["server_label"]
    if not (
        0 < len(label) <= 64 and all(c.isascii() and (c.isalnum() or c in "_-") for c in label)
    ):
        raise wording.not_allowed(
            param + ".server_label",
            f"Invalid value for '{param}.server_label': '{wording.shortened(label)}'. It must be "
            "1 to 64 letters, digits, '_' or '-'.",
        )
    if label in labels:
        raise wording.not_allowed(param + ".server_label", f"Duplicate server_label '{label}'.")
    labels.add(label)
    url = tool["server_url"]
    if not url.startswith("https://") or len(url) > 4096 or "#" in url or "@" in url.split("/")[2]:
        raise wording.not_allowed(
            param + ".server_url",
            f"Invalid value for '{param}.server_url': it must be a public https URL without "
            "credentials or fragment, at most 4096 characters.",
        )


def _nested_tools(tools: list[dict[str, Any]], behaviour: Behaviour) -> list[dict[str, Any]]:
    """§8: a flat function tool as the documented nested one (Behaviour.flat_function_tools)."""
    nested = []
    for index, tool in enumerate(tools):
        if tool["type"] == "function" and "function" not in tool:
            if not behaviour.flat_function_tools.value:
                raise wording.missing_parameter(f"session.tools[{index}].function")
            fields = ("name", "description", "parameters")
            tool = {"type": "function", "function": {k: tool[k] for k in fields if k in tool}}
        nested.append(tool)
    return nested


def _mcp_servers(
    model: NextOmniModel, servers: list[tuple[int, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """§9: the MCP servers of a `tools` update (qwen3.8 only, at most 8), each checked."""
    if servers and not model.mcp_tools:
        index = servers[0][0]
        raise wording.invalid_value(f"session.tools[{index}].type", "mcp", ["function"])
    if len(servers) > MAX_MCP_SERVERS:
        raise wording.not_allowed(
            "session.tools",
            f"Invalid value for 'session.tools': at most {MAX_MCP_SERVERS} MCP servers per session.",
        )
    labels: set[str] = set()
    for index, server in servers:
        _mcp_tool(index, server, labels)
    return [server for _, server in servers]


class OmniFamilyRules:
    """The ConfigRules of the Omni family, qwen3 and the next models alike."""

    def __init__(self, qwen3: OmniRules) -> None:
        self._qwen3 = qwen3

    def apply_update(
        self, model: Any, current: dict[str, Any], update: dict[str, Any], behaviour: Behaviour
    ) -> dict[str, Any]:
        if update.get("tools"):
            update = {**update, "tools": _nested_tools(update["tools"], behaviour)}
        repetition = update.get("repetition_penalty")
        if repetition == 0 and not (
            isinstance(model, NextOmniModel) and model.repetition_penalty_zero
        ):
            # the schema takes 0 for qwen3.8 (docs/protocol/omni-next.md §2); the rest need > 0
            raise wording.out_of_range(
                "session.repetition_penalty", repetition, wording.interval(exclusive_minimum=0)
            )
        if not isinstance(model, NextOmniModel):
            return self._qwen3.apply_update(model, current, update, behaviour)
        # reduced below; the client's event stays as sent (only the parts changed are copied:
        # a list of 128 tools is not)
        update = dict(update)
        if "audio" in update:
            update["audio"] = copy_json(update["audio"])
        voice = update.pop("voice", None)
        nested_voice = update.get("audio", {}).get("output", {}).pop("voice", None)
        channels = _input_format(model, update)
        video = update.pop("video", None)
        search = update.pop("enable_search", None)
        mcp = None  # (index, server) of the MCP servers an update of `tools` names
        if "tools" in update:
            tools = update["tools"] or []
            update["tools"] = [t for t in tools if t["type"] == "function"]
            mcp = [(index, t) for index, t in enumerate(tools) if t["type"] == "mcp"]
        transcription = update.get("input_audio_transcription")
        if (
            transcription
            and transcription.get("model") not in (None, *model.transcription_models)
            and behaviour.next_omni_normalise_transcription
        ):
            update["input_audio_transcription"] = {
                **transcription,
                "model": model.transcription_models[0],
            }
        turn_detection = update.pop("turn_detection", ...)
        config = self._qwen3.apply_update(model, current, update, behaviour)
        if turn_detection is not ...:
            self._apply_turn_detection(model, config, current, turn_detection)
        for chosen in (voice, nested_voice):  # §3: the nested voice wins over `voice`
            if chosen is not None:
                if behaviour.next_omni_voice_check is VoiceCheck.AT_UPDATE:
                    check_member(chosen, "session.voice", model.voices)
                config["voice"] = chosen
        if channels is not None:
            config["input_channels"] = channels
        if video is not None:
            config["video_compact"] = self._video(model, video)
        if search is not None:
            config["enable_search"] = search
        if mcp is not None:
            config["mcp_servers"] = _mcp_servers(model, mcp)
        if config.get("enable_search") and (config["tools"] or config.get("mcp_servers")):
            # §2, §9: tools and enable_search cannot be on together.
            raise wording.not_allowed(
                "session.enable_search",
                "Invalid value for 'session.enable_search': true. It cannot be used together "
                "with 'session.tools'.",
            )
        return config

    @staticmethod
    def _apply_turn_detection(
        model: NextOmniModel,
        config: dict[str, Any],
        current: dict[str, Any],
        value: dict[str, Any] | None,
    ) -> None:
        settings = _turn_detection(model, value)
        if settings is None or value is None:
            config["turn_detection"] = None
            return
        merged = merge_turn_detection(
            current["turn_detection"], settings, model.defaults["turn_detection"]
        )
        assert merged is not None  # settings is an object
        merged["type"] = value.get("type", merged.get("type", "server_vad"))
        if "idle_timeout_ms" in value:
            merged["idle_timeout_ms"] = value["idle_timeout_ms"]
        elif merged["type"] != "server_vad":
            merged.pop("idle_timeout_ms", None)
        config["turn_detection"] = merged

    @staticmethod
    def _video(model: NextOmniModel, video: dict[str, Any]) -> str:
        """§7: `video.input.representation_compact` (qwen3.8)."""
        if not model.compact_video:
            raise wording.not_allowed(
                "session.video",
                "Invalid value for 'session.video': this model takes no video settings.",
            )
        value = (video.get("input") or {}).get("representation_compact", model.compact_video[0])
        compact: str = check_member(
            value, "session.video.input.representation_compact", model.compact_video
        )
        return compact

    def render(
        self, model: Any, config: dict[str, Any], session_id: str, model_id: str, *, updated: bool
    ) -> dict[str, Any]:
        session = self._qwen3.render(model, config, session_id, model_id, updated=updated)
        if not isinstance(model, NextOmniModel):
            return session
        session["enable_search"] = bool(config.get("enable_search", False))
        session["tools"] = [
            *config["tools"],
            *(
                {k: v for k, v in server.items() if k not in _MCP_SECRETS}
                for server in config.get("mcp_servers", [])
            ),
        ]
        audio = session.get("audio")
        if audio is not None and config.get("input_channels", 1) > 1:
            layouts = dict(model.channel_layouts)
            channels = config["input_channels"]
            audio["input"]["format"].update(
                sample_format="s16le",
                channels=channels,
                packing="interleaved",
                channel_layout=layouts[channels],
            )
        if "video_compact" in config:
            session["video"] = {"input": {"representation_compact": config["video_compact"]}}
        return session


FAMILY_RULES = OmniFamilyRules(RULES)
