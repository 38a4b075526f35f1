"""The Omni family's session class: qwen3 Omni, plus the rules of the next models
(docs/protocol/omni-next.md §3, §4, §6).

On a qwen3.5 / qwen3.8 model (:class:`~.next_models.NextOmniModel`) the session also: refuses
`session.finish` (Behaviour.omni_session_finish), refuses a `response.create` while the
conversation holds no user message (Behaviour.next_omni_empty_conversation), refuses a response
in a voice the model does not have (Behaviour.next_omni_voice_check), keeps the input format
fixed once audio has come, and mixes multichannel input to mono. On a qwen3 model it is
:class:`~.session.OmniSession` unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...media.channels import MultichannelDecoder
from ...media.decoder import InputDecoder
from ...media.pcm import INPUT_SAMPLE_RATE
from ...protocol import wording
from ...protocol.behaviour import EmptyConversation, ToolCalls, VoiceCheck
from ...protocol.errors import ProtocolError
from ...protocol.text import text_tokens
from ...protocol.wire import Event
from ...responses.events import ResponsePlan
from ...responses.usage import response_usage
from ...session.base import Turn
from ...session.listening import LEGACY_FORMAT_STRINGS, Segment
from . import mcp
from .next_models import NextOmniModel
from .session import OmniSession, _UserTurn, response_in_progress

__all__ = ["OmniFamilySession"]


def _fixed_at_first_audio(config: dict[str, Any]) -> tuple[object, ...]:
    """docs/protocol/omni-next.md §3: what "cannot be changed once audio input has started": the
    input format as heard (the legacy `pcm16` is 16 kHz `pcm`), rate, channels, video compaction."""
    kind = config["input_audio_format"]
    return (
        "pcm" if kind in LEGACY_FORMAT_STRINGS else kind,
        int(config.get("sample_rate", INPUT_SAMPLE_RATE)),
        int(config.get("input_channels", 1)),
        config.get("video_compact", "none"),
    )


@dataclass
class _McpCall:
    """An MCP call inside a response (qwen3.8): what its closing events need."""

    response: dict[str, Any]  # the response object as response.created showed it
    item_id: str
    server_label: str
    name: str
    arguments: str
    input_tokens: int
    approval_id: str | None = None  # the pending mcp_approval_request, if approval is required


def _invalid_parameter(detail: str) -> ProtocolError:
    """The DashScope algorithm-side refusal (docs/protocol/omni-next.md §11, [3p] texts)."""
    return ProtocolError("InvalidParameter", f"InternalError.Algo.InvalidParameter: {detail}")


class OmniFamilySession(OmniSession):
    """A session of any Omni model; the next models' rules apply to a NextOmniModel only."""

    def _start(self) -> None:
        super()._start()
        self._next = self.spec if isinstance(self.spec, NextOmniModel) else None
        self._has_user_message = False
        self._mcp_tools: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (server, tool)
        self._mcp_call: _McpCall | None = None  # an MCP call waiting for its approval
        # turn_detection.idle_timeout_ms: the audio time at which silence gets a response
        # the last answer and the audio time its idle timeout runs from (before its speech)
        self._idle: tuple[Turn, int] | None = None
        self._spoke = False  # a response with audio was started (the voice is fixed from then)

    # ---- configuration ------------------------------------------------------------------

    def _on_session_update(self, event: Event) -> None:
        if self._next is not None and self._received_samples:
            after = self.family.rules.apply_update(
                self.spec, self.config, event["session"], self.behaviour
            )
            if _fixed_at_first_audio(after) != _fixed_at_first_audio(self.config):
                # §3: input format, channels and video compaction are set before the first
                # audio and "cannot be changed" afterwards (wording [assumed]).
                raise ProtocolError(
                    "invalid_value",
                    "The input audio format and video settings cannot be changed once "
                    "audio input has started.",
                    "session",
                )
        if self._next is not None and self._spoke:
            self._check_voice_unchanged(event["session"])
        mcp_update = self._next is not None and "tools" in event["session"]
        if mcp_update and (self._active_response() is not None or self._mcp_call is not None):
            # §9: MCP servers are added or updated only while no response is active.
            raise wording.not_allowed(
                "session.tools",
                "Invalid value for 'session.tools': tools cannot be updated while a response "
                "is in progress.",
            )
        super()._on_session_update(event)
        if mcp_update:
            self._discover_mcp_tools()

    def _check_voice_unchanged(self, update: dict[str, Any]) -> None:
        """docs/protocol/events.md §1.6 [3p]: once the session has spoken, its voice stays
        (Behaviour.next_omni_voice_fixed_after_audio; wording [assumed])."""
        nested = ((update.get("audio") or {}).get("output") or {}).get("voice")
        for voice in (update.get("voice"), nested):
            if (
                voice is not None
                and voice != self.config["voice"]
                and self.behaviour.next_omni_voice_fixed_after_audio
            ):
                raise ProtocolError(
                    "cannot_update_voice",
                    "Cannot update the voice after the session has produced audio.",
                    "session.voice",
                )

    def _discover_mcp_tools(self) -> None:
        """§9: each MCP server's discovery, after session.updated: in_progress, the
        mcp_list_tools item, completed (or failed, for a host that is not public). Only
        responses started afterwards can use the tools."""
        self._mcp_tools = []
        for server in self.config.get("mcp_servers", []):
            item_id = self._ids.new("item")
            self._emit("mcp_list_tools.in_progress", item_id=item_id)
            item = mcp.list_tools_item(item_id, server)
            self._emit("conversation.item.created", item=item)
            outcome = "failed" if "error" in item else "completed"
            self._emit(f"mcp_list_tools.{outcome}", item_id=item_id)
            self._mcp_tools += [(server, tool) for tool in item["tools"]]

    def _config_changed(self, old: dict[str, Any]) -> None:
        super()._config_changed(old)  # a new InputDecoder if the format or rate changed
        channels = int(self.config.get("input_channels", 1))
        decoder = self._decoder
        if channels > 1 and not (
            isinstance(decoder, MultichannelDecoder) and decoder.channels == channels
        ):
            self._decoder = MultichannelDecoder(self._sample_rate(), channels)
        elif channels == 1 and isinstance(decoder, MultichannelDecoder):
            self._decoder = InputDecoder(self.config["input_audio_format"], self._sample_rate())

    def _take_images(self) -> list[int]:
        """§7: with video.input.representation_compact "normal" (qwen3.8) a frame costs a
        quarter of its tokens under "none"."""
        images = super()._take_images()
        if self.config.get("video_compact") == "normal":
            return [max(1, tokens // 4) for tokens in images]
        return images

    # ---- the conversation ---------------------------------------------------------------

    def _add_user_audio(self, segment: Segment, speech_ms: int, samples: int) -> None:
        self._has_user_message = True
        super()._add_user_audio(segment, speech_ms, samples)

    def _user_text_item(self, item: dict[str, Any], item_id: str) -> dict[str, Any]:
        created = super()._user_text_item(item, item_id)
        self._has_user_message = True
        return created

    def _on_response_create(self, event: Event) -> None:
        if self._mcp_call is not None:
            raise response_in_progress()  # an MCP call awaits approval
        if self._next is not None:
            if (
                not self._has_user_message
                and self.behaviour.next_omni_empty_conversation is EmptyConversation.ERROR
            ):
                # §6.2 [3p]: the text integrators quote for a bare response.create.
                raise _invalid_parameter(
                    "The input messages do not contain elements with the role of user"
                )
            if (refusal := self._voice_refusal()) is not None:
                raise refusal
        super()._on_response_create(event)

    def _respond(
        self, modalities: list[str] | None = None, instructions: str | None = None
    ) -> None:
        if (refusal := self._voice_refusal()) is not None:
            # a VAD turn's answer (response.create raised above): the error instead of it
            self._error(refusal, None)
            return
        if self._mcp_call is not None:
            return  # the response waiting for an MCP approval is still the active one
        if self._mcp_call_due():
            self._start_mcp_call(list(modalities or self.config["modalities"]))
            return
        super()._respond(modalities, instructions)

    # ---- idle_timeout_ms (qwen3.5, docs/protocol/omni-next.md §5) ---------------------

    def _start_response(self, plan: ResponsePlan) -> Turn:
        """The idle timer starts when the answer's audio has played (on audio time: the
        client's audio that has come since the response started)."""
        turn = super()._start_response(plan)
        self._spoke = self._spoke or plan.audio is not None
        timeout = (self.config["turn_detection"] or {}).get("idle_timeout_ms")
        self._idle = None if timeout is None else (turn, self._audio_now_ms() + timeout)
        return turn

    def _idle_deadline_ms(self) -> int | None:
        """When the idle prompt is due: `idle_timeout_ms` after the last answer's audio has
        played. None while that answer is not all made: how long a long answer speaks is known
        only once it is read (responses/walk.py); on audio time an answer is made as it plays,
        so it is all made before its end is reached."""
        if self._idle is None:
            return None
        turn, after_ms = self._idle
        if turn.plan is None or turn.source is not None or turn is self._unbuilt:
            return None
        samples = turn.sent_so_far.samples if turn.cancelled else turn.samples
        return after_ms + samples * 1000 // turn.plan.audio_rate

    def _on_input_audio_buffer_append(self, event: Event) -> None:
        super()._on_input_audio_buffer_append(event)
        deadline = self._idle_deadline_ms()
        if (
            deadline is not None
            and self.audio_ms >= deadline
            and self._segment is None
            and self._active_response() is None
            and (self.config["turn_detection"] or {}).get("idle_timeout_ms") is not None
        ):
            # §5: the user stayed silent: the model speaks up on its own, with no user item.
            self._idle = None
            self._respond()

    def _speech_started(self, segment: Segment) -> None:
        self._idle = None  # the user spoke: no prompt is due
        super()._speech_started(segment)

    # ---- MCP calls (qwen3.8, docs/protocol/omni-next.md §9) ---------------------------

    def _mcp_call_due(self) -> bool:
        """A user turn is answered by a call of the first discovered MCP tool when no function
        tool is configured (those are called as on qwen3) and Behaviour.tool_calls is auto."""
        turn = self._turn
        return bool(
            self._mcp_tools
            and not self.config["tools"]
            and self.behaviour.tool_calls is ToolCalls.AUTO
            and self.config.get("tool_choice", "auto") != "none"
            and turn is not None
            and turn.heard is not None
            and turn.tool_output is None
        )

    def _start_mcp_call(self, modalities: list[str]) -> None:
        turn, self._turn = self._turn, None
        assert turn is not None and turn.heard is not None  # _mcp_call_due
        server, tool = self._mcp_tools[0]
        arguments = json.dumps({"query": turn.heard.text}, ensure_ascii=False)
        call = _McpCall(
            response={
                "id": self._ids.new("resp"),
                "object": "realtime.response",
                "conversation_id": self.conversation_id,
                "status": "in_progress",
                "modalities": modalities,
                "voice": self.config["voice"],
                "output_audio_format": self.config["output_audio_format"],
                "output": [],
            },
            item_id=self._ids.new("item"),
            server_label=server["server_label"],
            name=tool["name"],
            arguments=arguments,
            input_tokens=turn.text_tokens,
        )
        where = {"response_id": call.response["id"], "item_id": call.item_id, "output_index": 0}
        started = mcp.call_item(
            call.item_id, call.server_label, call.name, "", status="in_progress"
        )
        events: list[Event] = [
            {"type": "response.created", "response": dict(call.response)},
            {
                "type": "response.output_item.added",
                "response_id": where["response_id"],
                "output_index": 0,
                "item": started,
            },
            {"type": "response.mcp_call_arguments.delta", **where, "delta": arguments},
            {"type": "response.mcp_call_arguments.done", **where, "arguments": arguments},
        ]
        if server.get("require_approval", "always") == "always":
            call.approval_id = self._ids.new("item")
            request = mcp.approval_request_item(
                call.approval_id, call.server_label, call.name, arguments
            )
            events.append({"type": "conversation.item.created", "item": request})
            self._mcp_call = call
            self._defer(events)
        else:
            self._defer(events + self._mcp_call_ended(call, approved=True))

    def _mcp_call_ended(self, call: _McpCall, *, approved: bool | None) -> list[Event]:
        """The rest of an MCP call's response: run (approved), refused (False) or cancelled
        (None, by response.cancel); a refused call fails without in_progress (§9)."""
        where = {"item_id": call.item_id, "output_index": 0}
        response = {**call.response, "status": "completed"}
        if approved:
            output = mcp.call_output(call.server_label, call.name, call.arguments)
            item = mcp.call_item(
                call.item_id,
                call.server_label,
                call.name,
                call.arguments,
                status="completed",
                output=output,
            )
            events: list[Event] = [
                {"type": "response.mcp_call.in_progress", **where},
                {"type": "response.mcp_call.completed", **where},
            ]
            # the next response.create answers from the tool's result (§9: "no MCP result
            # attached" to it)
            self._turn = _UserTurn(tool_output=output, text_tokens=text_tokens(output))
        else:
            reason = "The call was not approved." if approved is False else "Cancelled."
            item = mcp.call_item(
                call.item_id,
                call.server_label,
                call.name,
                call.arguments,
                status="failed",
                error=reason,
            )
            events = [{"type": "response.mcp_call.failed", **where}]
            if approved is None:
                response["status"] = "cancelled"
                response["status_details"] = {"type": "cancelled", "reason": "client_cancelled"}
        response["output"] = [item]
        response["usage"] = response_usage(
            input_text=call.input_tokens,
            input_audio=0,
            input_images=0,
            output_text=text_tokens(call.arguments),
            output_audio=None,
        )
        done: list[Event] = [{"type": "response.done", "response": response}]
        if approved is None and not self.behaviour.cancel_sends_response_done:
            done = []  # Behaviour.cancel_sends_response_done, as for any cancelled response
        return [
            *events,
            {
                "type": "response.output_item.done",
                "response_id": response["id"],
                "output_index": 0,
                "item": item,
            },
            *done,
        ]

    def _on_conversation_item_create(self, event: Event) -> None:
        item = event["item"]
        if item.get("type") != "mcp_approval_response" or self._next is None:
            super()._on_conversation_item_create(event)
            return
        call = self._mcp_call
        if call is None or item.get("approval_request_id") != call.approval_id:
            raise wording.not_allowed(
                "item.approval_request_id",
                f"Invalid value: '{item.get('approval_request_id')}'. No MCP approval request "
                "with this id is pending.",
            )
        created = {
            "id": item.get("id") or self._ids.new("item"),
            "object": "realtime.item",
            "type": "mcp_approval_response",
            "approval_request_id": call.approval_id,
            "approve": item["approve"],
        }
        self._emit("conversation.item.created", item=created)
        self._mcp_call = None
        self._defer(self._mcp_call_ended(call, approved=item["approve"]))

    def _on_response_cancel(self, event: Event) -> None:
        call = self._mcp_call
        if call is None:
            super()._on_response_cancel(event)
            return
        self._mcp_call = None
        self._defer(self._mcp_call_ended(call, approved=None))

    def _finish_pending(self) -> None:
        """An accepted session.finish (Behaviour.omni_session_finish; refused on qwen3.5/3.8 by
        default) while an MCP call awaits its approval: the call's response can never complete,
        so it ends as a cancel ends it, before session.finished (no response is left open when
        the session ends) [assumed: docs/protocol/omni-next.md §9 says nothing of it]."""
        super()._finish_pending()
        call = self._mcp_call
        if call is not None:
            self._mcp_call = None
            self._defer(self._mcp_call_ended(call, approved=None))

    def _voice_refusal(self) -> ProtocolError | None:
        """§4 [3p]: a voice outside the model's list is refused when a response is generated."""
        voice = self.config["voice"]
        if (
            self._next is None
            or voice in self._next.voices
            or self.behaviour.next_omni_voice_check is not VoiceCheck.AT_RESPONSE
        ):
            return None
        return _invalid_parameter(f"Voice '{voice}' is not supported.")
