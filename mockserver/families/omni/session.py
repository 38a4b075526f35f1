"""Omni sessions: a voice assistant with tools (docs/protocol/events.md §4, docs/protocol/sequences.md §3).

VAD mode: each utterance is committed by the server (`speech_stopped` → `committed` → user item
→ transcript) and answered automatically (`create_response`); speech starting while a response
streams cuts it short (`interrupt_response`). Manual mode: `commit` makes the user item (audio
and the images sent with it), `response.create` asks for the answer. With `tools` configured, a
user turn is answered by a `function_call` item (Behaviour.tool_calls); the client returns a
`function_call_output` with `conversation.item.create`, then `response.create`.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...answers.responder import Transcript
from ...media.pcm import INPUT_SAMPLE_RATE
from ...media.speech import Speech
from ...protocol import wording
from ...protocol.behaviour import (
    OmniSessionFinish,
    OmniTranscriptPosition,
    ResponseCreateWhileActive,
    ToolCalls,
    ToolResultContinuation,
    UnknownCallId,
)
from ...protocol.errors import ProtocolError
from ...protocol.text import text_tokens
from ...protocol.wire import Event, message_item
from ...responses.events import FunctionCall, ResponsePlan
from ...responses.usage import audio_tokens, response_usage
from ...responses.walk import Budget
from ...session.listening import ListeningSession, Segment
from .models import OmniModel

__all__ = ["OmniSession", "session_finish_rejected"]


def session_finish_rejected() -> ProtocolError:
    """docs/protocol/events.md §7.4: the invalid-event-type answer reported for qwen3.5-omni."""
    return ProtocolError(
        "invalid_value",
        "Invalid value: 'session.finish'. It is not a valid event type for this model.",
        "type",
    )


@dataclass
class _UserTurn:
    """What the next response answers: the latest user input not answered yet."""

    heard: Transcript | None = None  # an utterance or a user text item
    audio_samples: int = 0
    images: list[int] = field(default_factory=list)
    text_tokens: int = 0
    tool_output: str | None = None  # a function_call_output to answer from


def response_in_progress() -> ProtocolError:
    """A response.create while a response is in progress (an MCP call awaiting approval
    included): one response at a time, with the error Qwen-Audio documents on the same endpoint
    (docs/protocol/qwen-audio.md §2.2, §6); nothing is documented for Omni."""
    return ProtocolError(
        "invalid_value",
        "Cannot create response while another response is in progress.",
        "response.create",
    )


class OmniSession(ListeningSession):
    """A session of `qwen3-omni-flash-realtime` or `qwen-omni-turbo-realtime`."""

    spec: OmniModel

    def _start(self) -> None:
        super()._start()
        self._turn: _UserTurn | None = None
        self._item_ids: set[str] = set()
        self._call_ids: set[str] = set()  # every function call issued (Behaviour.unknown_call_id)
        self._late_transcript: dict[str, Any] | None = None

    def _transcribing(self) -> bool:
        return bool(self.config["input_audio_transcription"])

    # ---- user audio ---------------------------------------------------------------------

    def _speech_started(self, segment: Segment) -> None:
        active = self._active_response()
        if active is not None and self._vad_option("interrupt_response"):
            # Barge-in: cut the response short like a cancel (docs/protocol/sequences.md §3.2; OpenAI beta's
            # status_details.reason "turn_detected").
            self._cancel_response(active, "turn_detected")
        super()._speech_started(segment)

    def _utterance_ended(self, segment: Segment, speech_ms: int, input_samples: int) -> None:
        self._add_user_audio(segment, speech_ms, input_samples)
        if self._vad_option("create_response") and not self.turn_ended_by_client:
            self._respond()
        self._flush_late_transcript()

    def _vad_option(self, name: str) -> bool:
        """turn_detection.create_response / interrupt_response (echoed true by default). An
        utterance closed by switching to manual mode was a VAD turn: it keeps the default."""
        enabled: bool = (self.config["turn_detection"] or {}).get(name, True)
        return enabled

    def _commit_buffer(self) -> None:
        segment, speech_ms, samples = self._committed_segment()
        # docs/protocol/events.md §4.1: commit creates the user item (with the images) and starts no response.
        self._add_user_audio(segment, speech_ms, samples)
        self._flush_late_transcript()

    def _add_user_audio(self, segment: Segment, speech_ms: int, samples: int) -> None:
        self._emit_committed(segment.item_id)
        self._emit_user_item(segment.item_id, [{"type": "input_audio"}])
        self._item_ids.add(segment.item_id)
        heard = None
        if speech_ms > 0:
            heard = self._responder.transcript(
                segment.seed or 0, self._source_language(), speech_ms
            )
        if self._transcribing():
            if heard is None:
                event = self._transcription_failed(segment.item_id)
            else:
                event = {
                    "type": "conversation.item.input_audio_transcription.completed",
                    "item_id": segment.item_id,
                    "content_index": 0,
                    "transcript": heard.text,
                }
            if self.behaviour.omni_transcript_position is OmniTranscriptPosition.AFTER_RESPONSE:
                self._late_transcript = event
            else:
                self._emit(event.pop("type"), **event)
        turn = self._turn or _UserTurn()
        turn.heard = heard or turn.heard
        turn.audio_samples += samples
        turn.images += self._take_images()
        turn.tool_output = None
        self._turn = turn

    def _flush_late_transcript(self) -> None:
        """Behaviour.omni_transcript_position "after_response": the transcript follows the response."""
        if self._late_transcript is not None:
            self._defer([self._late_transcript])
            self._late_transcript = None

    # ---- client events of this family ---------------------------------------------------

    def _on_response_create(self, event: Event) -> None:
        # The SDK sends response.modalities / instructions; the schema checked both.
        options = event.get("response") or {}
        if (
            self._active_response() is not None
            and self.behaviour.response_create_while_active is ResponseCreateWhileActive.ERROR
        ):
            raise response_in_progress()
        self._respond(options.get("modalities"), options.get("instructions"))

    def _on_response_cancel(self, event: Event) -> None:
        active = self._active_response()
        if active is None:
            # docs/protocol/events.md §4.1 / §1.7: nothing to cancel → error ([3p] wording).
            raise ProtocolError(
                "response_cancel_not_active", "Conversation has none active response"
            )
        self._cancel_response(active, "client_cancelled")

    def _on_conversation_item_create(self, event: Event) -> None:
        item = event["item"]
        item_id = item.get("id") or self._ids.new("item")
        if item_id in self._item_ids:
            # docs/protocol/events.md §1.7: a duplicate item_id is an invalid_request_error.
            raise ProtocolError(
                "duplicate_item_id", f"Item with id '{item_id}' already exists.", "item.id"
            )
        kind = item.get("type")
        if kind == "function_call_output":
            created = self._tool_output_item(item, item_id)
        elif kind == "message":
            created = self._user_text_item(item, item_id)
        else:  # the schema also knows mcp_approval_response; the mock has no MCP tools
            raise wording.invalid_value("item.type", kind, ["function_call_output", "message"])
        self._item_ids.add(item_id)
        self._emit("conversation.item.created", item=created)
        self._last_item_id = item_id
        if (
            kind == "function_call_output"
            and self.behaviour.tool_result_continuation is ToolResultContinuation.AUTO
        ):
            self._respond()

    def _tool_output_item(self, item: dict[str, Any], item_id: str) -> dict[str, Any]:
        call_id = item["call_id"]
        if call_id not in self._call_ids and self.behaviour.unknown_call_id is UnknownCallId.ERROR:
            # The docs are silent; Behaviour.unknown_call_id (default: accept).
            raise wording.not_allowed(
                "item.call_id",
                f"Invalid value: '{call_id}'. No function call with this call_id was issued "
                "in this session.",
            )
        self._turn = _UserTurn(tool_output=item["output"], text_tokens=text_tokens(item["output"]))
        return {
            "id": item_id,
            "object": "realtime.item",
            "type": "function_call_output",
            "status": "completed",
            "call_id": item["call_id"],
            "output": item["output"],
        }

    def _user_text_item(self, item: dict[str, Any], item_id: str) -> dict[str, Any]:
        # [3p, docs/protocol/events.md §4.1] a user message of input_text parts (role user, at least one part:
        # the schema); not in the Omni reference.
        content = item["content"]
        text = " ".join(p["text"] for p in content)
        language = self._source_language()
        seed = zlib.crc32(text.encode("utf-8"))
        heard = Transcript(text, language, (seed % 1000,))
        self._turn = _UserTurn(heard=heard, text_tokens=text_tokens(text))
        return message_item(item_id, "user", [dict(p) for p in content])

    def _on_session_finish(self, event: Event) -> None:
        if self.behaviour.omni_session_finish.value is OmniSessionFinish.REJECT:
            raise session_finish_rejected()
        super()._on_session_finish(event)

    # ---- responses ----------------------------------------------------------------------

    def _respond(
        self, modalities: list[str] | None = None, instructions: str | None = None
    ) -> None:
        turn, self._turn = self._turn or _UserTurn(), None
        # A copy either way: the plan is read when the answer is built, perhaps later.
        modalities = list(modalities or self.config["modalities"])
        instructions = instructions if instructions is not None else self.config.get("instructions")
        tools = self.config["tools"]
        call = None
        if (
            tools
            and self.behaviour.tool_calls is ToolCalls.AUTO
            and self.config.get("tool_choice", "auto") != "none"
            and turn.tool_output is None
            and turn.heard is not None
        ):
            chosen = self._responder.tool_call(tools, turn.heard)
            call = FunctionCall(self._call_id(), *chosen) if chosen else None
        language = turn.heard.language if turn.heard else self._source_language()
        if call is not None:
            text = ""
        elif turn.tool_output is not None:
            text = self._responder.answer_tool_output(turn.tool_output, language)
        else:
            text = self._responder.reply(self._segments_seen, turn.heard, language)
        audio: np.ndarray | Speech | None = None
        budget = None
        if call is None:
            audio = self._answer_speech(text) if "audio" in modalities else None
            budget = self._answer_budget()
        input_text = (
            turn.text_tokens
            + text_tokens(instructions or "")
            + sum(text_tokens(json.dumps(t, ensure_ascii=False)) for t in tools)
        )
        spec = self.spec

        def usage(out_tokens: int, out_samples: int) -> dict[str, Any]:
            return response_usage(
                input_text=input_text,
                input_audio=audio_tokens(
                    turn.audio_samples,
                    INPUT_SAMPLE_RATE,
                    spec.input_audio_tokens_per_second,
                    spec.min_billed_audio_s,
                ),
                input_images=sum(turn.images),
                output_text=out_tokens if call is None else text_tokens(call.arguments),
                output_audio=audio_tokens(
                    out_samples, self.output_sample_rate, spec.output_audio_tokens_per_second
                )
                if audio is not None
                else None,
            )

        # A walked answer's usage is that of what it said, known once it is read; a recorded
        # one's is known now, and if it does not fit the budget whole the answer is synthesized
        # to be cut (the recording is the whole answer's speech).
        whole_usage = usage(0, 0) if call is not None else None
        if isinstance(audio, np.ndarray) and budget is not None:
            whole_usage = usage(text_tokens(text), len(audio))
            if whole_usage["output_tokens"] > budget.limit:
                audio, whole_usage = Speech(text, self._voice(), self.output_sample_rate), None
        plan = ResponsePlan(
            response_id=self._ids.new("resp"),
            item_id=self._ids.new("item"),
            conversation_id=self.conversation_id,
            previous_item_id=self._last_item_id,
            modalities=modalities,
            voice=self.config["voice"],
            output_audio_format=self.config["output_audio_format"],
            text=text,
            audio=audio,
            usage=whole_usage,
            function_call=call,
            partial_usage=usage,
            audio_rate=self.output_sample_rate,
            budget=budget,
        )
        self._start_response(plan)
        self._item_ids.add(plan.item_id)
        self._last_item_id = plan.item_id

    def _answer_speech(self, text: str) -> np.ndarray | Speech:
        """`text` spoken in the session's voice at its output rate: the responder's
        :meth:`~...answers.responder.Responder.speech`, a :class:`~...media.speech.Speech` whose
        samples are made as its deltas are sent (recorded audio: the recording), so planning a
        long answer never synthesizes it."""
        return self._responder.speech(text, self._voice(), self.output_sample_rate)

    def _voice(self) -> str:
        """The voice the next answer speaks in."""
        return str(self.config["voice"])

    def _answer_budget(self) -> Budget:
        """The answer is cut to `max_tokens` output tokens (docs/protocol/events.md §4.2: it
        "truncates, does not change generation"): at the longest prefix of whole units whose
        text and speech fit, as it is read (responses/walk.py). A cut answer ends
        `incomplete`, reason `max_output_tokens` (OpenAI beta's wording)."""
        return Budget(self.config["max_tokens"], self.spec.output_audio_tokens_per_second)

    def _call_id(self) -> str:
        # docs/protocol/events.md §1.5: call_ + 22 lowercase hex.
        call_id = self._ids.new_hex("call", 22)
        self._call_ids.add(call_id)
        return call_id
