"""Qwen-Audio sessions: Omni's voice chat with three turn modes and a managed conversation
(docs/protocol/qwen-audio.md §2, §5).

What differs from :class:`~..omni.session.OmniSession`, each the documented rule:

- turn modes `server_vad`, `smart_turn` and push-to-talk (`turn_detection: null`), fixed once
  audio flowed (Behaviour.qwen_audio_late_session_change); `commit` and `clear` are ignored in
  the VAD modes (§2);
- `voice` and voiceprints are set by the first `session.update` only, later values ignored (§3);
  voiceprints are registered with `voiceprint_audio_list.*` events around `session.updated` (§5.1);
- `smart_turn` (§5.3): an utterance with too little speech (Behaviour.smart_turn_min_speech_ms)
  is no turn: `speech_stopped` carries `reason: "turn_invalid"`, its words come as
  `conversation.item.ambient_audio_transcription.*`, nothing is answered and nothing is
  interrupted; a real turn interrupts a playing answer when it ends;
- `response.create` while a response (or, in `smart_turn`, a user turn) is in progress gets the
  documented error (§2.2), and may override the voice for one turn;
- the conversation is kept (bounded): `conversation.item.create` of messages, function calls and
  their outputs, inserted after `previous_item_id`; `conversation.item.retrieve` / `.delete` (§2);
- responses name no conversation and no output format (§4).
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import zlib
from collections import OrderedDict
from typing import Any
from urllib.parse import urlsplit

from ...answers.responder import Transcript
from ...media.pcm import SAMPLES_PER_MS
from ...media.vad import SpeechStarted, SpeechStopped
from ...protocol import wording
from ...protocol.behaviour import Behaviour, LateSessionChange, ResponseCreateWording
from ...protocol.errors import ProtocolError
from ...protocol.spec import ModelSpec
from ...protocol.text import text_tokens
from ...protocol.wire import Event, message_item
from ...responses.events import ResponsePlan
from ...responses.walk import Budget
from ...session.base import FamilyFacts, Turn
from ...session.listening import ListeningSession, Segment, TurnMode
from ..omni.session import OmniSession, _UserTurn
from .models import QwenAudioModel
from .rules import check_voice

__all__ = ["MAX_ITEMS", "QwenAudioSession"]

# The conversation items kept for retrieve/delete and previous_item_id; older ones are dropped
# (docs/protocol/qwen-audio.md §1: the service drops older history itself; the mock keeps 10x
# the 50 turns it may use, each a user and an assistant item).
MAX_ITEMS = 1000
# Fields of a response object Qwen-Audio's examples do not show (docs/protocol/qwen-audio.md §4).
_NOT_IN_RESPONSE = ("conversation_id", "output_audio_format")
# What the first session.update alone may set (docs/protocol/qwen-audio.md §3).
_FROZEN_AFTER_AUDIO = ("turn_detection", "input_audio_format")
# What a sound too short for a word is heard as (the guide's example: "嗯").
_BACKCHANNEL = {"zh": "嗯", "en": "Mm"}
_BUSY = "Cannot create response while another response is in progress."
# Behaviour.qwen_audio_user_turn_refusal "user_speaking" (what livekit-plugins-aliyun looks for)
_USER_SPEAKING = "Cannot create response while the user is speaking."


# The most output tokens an answer may cost: qwen3-omni-flash's documented max_tokens ceiling
# (docs/protocol/events.md §4.2), since Qwen-Audio documents none.
ANSWER_TOKEN_CEILING = 16_384


class QwenAudioSession(OmniSession):
    """A session of a `qwen-audio-*-realtime-*` model."""

    spec: QwenAudioModel

    def __init__(
        self,
        family: FamilyFacts,
        spec: ModelSpec,
        model_id: str | None = None,
        *,
        behaviour: Behaviour | None = None,
        **options: Any,
    ) -> None:
        # docs/protocol/qwen-audio.md §5.1: session.created alone; session.updated answers the
        # client's session.update (which clients wait for: the updated_on_connect choice is
        # Omni's SDK reference, not this family's).
        behaviour = dataclasses.replace(behaviour or Behaviour(), updated_on_connect=False)
        super().__init__(family, spec, model_id, behaviour=behaviour, **options)

    def _start(self) -> None:
        super()._start()
        self._updated_once = False
        self._turn_voice: str | None = None  # response.create's voice, for the turn being made
        self._turn_invalid = False  # smart_turn: the utterance ending now is no turn
        self._ambient_text = ""  # smart_turn: the words of the utterance ending now
        # the conversation, in order: item id → the item as retrieve returns it
        self._conversation: OrderedDict[str, dict[str, Any]] = OrderedDict()

    @property
    def smart_turn(self) -> bool:
        """The session detects turns with `smart_turn` (docs/protocol/qwen-audio.md §5.3)."""
        detection = self.config["turn_detection"]
        return detection is not None and detection.get("type") == "smart_turn"

    # ---- session.update -----------------------------------------------------------------

    def _on_session_update(self, event: Event) -> None:
        update = dict(event["session"])
        if self._updated_once:
            # docs/protocol/qwen-audio.md §3: voice and voiceprints are set by the first update;
            # later values are ignored, without an error.
            update.pop("voice", None)
            if isinstance(update.get("turn_detection"), dict):
                update["turn_detection"] = {
                    k: v
                    for k, v in update["turn_detection"].items()
                    if k != "voiceprint_audio_urls"
                }
        if self._received_samples:
            self._frozen_after_audio(update)
        new = self.family.rules.apply_update(self.spec, self.config, update, self.behaviour)
        urls = (new["turn_detection"] or {}).get("voiceprint_audio_urls")
        voiceprint = None
        if urls and "voiceprint_audio_urls" in (update.get("turn_detection") or {}):
            voiceprint = self._ids.new("vp")
            # docs/protocol/qwen-audio.md §4: in_progress comes before session.updated.
            self._emit("voiceprint_audio_list.in_progress", item_id=voiceprint)
        super()._on_session_update({**event, "session": update})
        self._updated_once = True
        if voiceprint is not None and urls:
            self._voiceprint_result(voiceprint, urls)

    def _frozen_after_audio(self, update: dict[str, Any]) -> None:
        """Once audio flowed the turn mode and the input format stay (docs/protocol/qwen-audio.md
        §3): a change is refused or dropped (Behaviour.qwen_audio_late_session_change)."""
        probe = self.family.rules.apply_update(
            self.spec,
            self.config,
            {k: update[k] for k in _FROZEN_AFTER_AUDIO if k in update},
            self.behaviour,
        )
        for key in _FROZEN_AFTER_AUDIO:
            if key not in update or probe[key] == self.config[key]:
                continue
            if self.behaviour.qwen_audio_late_session_change is LateSessionChange.IGNORE:
                del update[key]
                continue
            raise wording.not_allowed(
                f"session.{key}",
                f"Invalid value for 'session.{key}': it cannot change after audio was sent; "
                "open a new connection to change it.",
            )

    def _voiceprint_result(self, item_id: str, urls: list[str]) -> None:
        """Registration's outcome, right after session.updated (the mock fetches nothing: a URL
        that is not http(s) with a host fails, as an unreachable one would)."""
        bad = [
            u for u in urls if urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).netloc
        ]
        if bad:
            reason = f"Failed to download voiceprint audio: {wording.shortened(bad[0])}"
            self._emit("voiceprint_audio_list.failed", item_id=item_id, reason=reason)
        else:
            self._emit("voiceprint_audio_list.completed", item_id=item_id)

    # ---- user audio ---------------------------------------------------------------------

    def _on_input_audio_buffer_commit(self, event: Event) -> None:
        if self.turn_mode is TurnMode.SERVER_VAD:
            return  # docs/protocol/qwen-audio.md §2: ignored (no error) in server_vad / smart_turn
        super()._on_input_audio_buffer_commit(event)

    def _on_input_audio_buffer_clear(self, event: Event) -> None:
        if self.turn_mode is TurnMode.SERVER_VAD:
            return  # docs/protocol/qwen-audio.md §2: ignored otherwise
        super()._on_input_audio_buffer_clear(event)

    def _on_input_image_buffer_append(self, event: Event) -> None:
        """docs/protocol/qwen-audio.md §2 [3p]: images are silently ignored."""

    def _speech_started(self, segment: Segment) -> None:
        if self.smart_turn:
            # docs/protocol/qwen-audio.md §5.3: a backchannel interrupts nothing; a real turn
            # interrupts when it is judged one (_utterance_ended).
            ListeningSession._speech_started(self, segment)
            return
        super()._speech_started(segment)

    def _send_partial_transcript(self) -> None:
        if not self.smart_turn:  # smart_turn: the words are shown once the turn is judged
            super()._send_partial_transcript()

    def _handle_vad_boundary(self, boundary: SpeechStarted | SpeechStopped) -> None:
        segment = self._segment
        if not (isinstance(boundary, SpeechStopped) and segment is not None and self.smart_turn):
            super()._handle_vad_boundary(boundary)
            return
        speech_ms = boundary.offset_ms - segment.onset_ms
        self._turn_invalid = speech_ms < self.behaviour.smart_turn_min_speech_ms
        self._ambient_text = self._heard_so_far(segment, speech_ms)
        # docs/protocol/qwen-audio.md §5.3: the words come before speech_stopped.
        if self._turn_invalid:
            self._emit(
                "conversation.item.ambient_audio_transcription.delta",
                item_id=segment.item_id,
                content_index=0,
                text=self._ambient_text,
                stash="",
            )
        else:
            self._emit_transcription_text(segment.item_id, self._ambient_text, final=True)
        try:
            super()._handle_vad_boundary(boundary)
        finally:
            self._turn_invalid = False

    def _heard_so_far(self, segment: Segment, speech_ms: int) -> str:
        """The live preview of `segment`'s words (a preview draws no transcript from a replayed
        script, which holds only real turns); a sound too short for a word is a backchannel."""
        language = self._source_language()
        words = self._responder.partial(self._seed(segment), language, speech_ms)
        return words or _BACKCHANNEL.get(language, _BACKCHANNEL["en"])

    def _speech_event_fields(self, segment: Segment) -> dict[str, Any]:
        fields = super()._speech_event_fields(segment)
        if self._turn_invalid:
            fields["reason"] = "turn_invalid"  # docs/protocol/qwen-audio.md §4
        return fields

    def _utterance_ended(self, segment: Segment, speech_ms: int, input_samples: int) -> None:
        if self._turn_invalid:
            self._emit(
                "conversation.item.ambient_audio_transcription.completed",
                item_id=segment.item_id,
                content_index=0,
                transcript=self._ambient_text,
            )
            return
        active = self._active_response()
        if self.smart_turn and active is not None:
            self._cancel_response(active, "turn_detected")  # a real turn barges in
        super()._utterance_ended(segment, speech_ms, input_samples)

    @staticmethod
    def _transcription_failed(item_id: str) -> Event:
        """docs/protocol/qwen-audio.md §4 / §6: the ASR failure's documented shape and words."""
        return {
            "type": "conversation.item.input_audio_transcription.failed",
            "item_id": item_id,
            "content_index": 0,
            "error": {
                "type": "transcription_error",
                "code": "transcription_failed",
                "message": "ASR transcription failed",
            },
        }

    # ---- responses ----------------------------------------------------------------------

    def _on_response_create(self, event: Event) -> None:
        options = event.get("response") or {}
        if self.smart_turn and self._segment is not None:
            # docs/protocol/qwen-audio.md §2.2: refused while the user's turn is open
            # (Behaviour.qwen_audio_user_turn_refusal words it).
            wording_choice = self.behaviour.qwen_audio_user_turn_refusal
            message = (
                _USER_SPEAKING if wording_choice is ResponseCreateWording.USER_SPEAKING else _BUSY
            )
            raise ProtocolError("invalid_value", message, "response.create")
        if self._active_response() is not None:
            # docs/protocol/qwen-audio.md §2.2, the documented error.
            raise ProtocolError("invalid_value", _BUSY, "response.create")
        voice = options.get("voice")
        if voice is not None:
            check_voice(self.spec, self.behaviour, voice, "response.voice")
        self._turn_voice = voice
        try:
            self._respond(options.get("modalities"), options.get("instructions"))
        finally:
            self._turn_voice = None

    def _voice(self) -> str:
        return self._turn_voice or self.config["voice"]

    def _answer_budget(self) -> Budget:
        """Qwen-Audio has no `max_tokens` (docs/protocol/qwen-audio.md §3), yet no answer (a long
        tool output read aloud, a fixture's text) may cost more than a bounded one: it is cut,
        silently (the response still `completed`), where Omni's documented output ceiling would
        cut it."""
        return Budget(ANSWER_TOKEN_CEILING, self.spec.output_audio_tokens_per_second, False)

    def _start_response(self, plan: ResponsePlan) -> Turn:
        if self._turn_voice is not None:
            plan = dataclasses.replace(plan, voice=self._turn_voice)
        self._remember(_assistant_item(plan), self._last_item_id)
        return super()._start_response(plan)

    def _made(self, events: list[Event]) -> None:
        _strip_response_fields(events)
        self._note_said(events)

    def _cancel_response(self, turn: Any, reason: str) -> None:
        super()._cancel_response(turn, reason)
        _strip_response_fields(turn.pending)
        self._note_said(turn.pending)

    def _note_said(self, events: Any) -> None:
        """An answer's item in the conversation gets its text when the answer's
        `response.output_item.done` is made (what it said, cut short or whole): a long answer's
        text is known only once it is read (responses/walk.py)."""
        for event in events:
            if event["type"] != "response.output_item.done":
                continue
            item = self._conversation.get(event["item"]["id"])
            if item is None or item.get("type") != "message":
                continue
            said = event["item"]["content"][0]["text"]
            part = item["content"][0]
            part["transcript" if part["type"] == "audio" else "text"] = said

    # ---- the conversation ---------------------------------------------------------------

    def _emit(self, kind: str, **fields: Any) -> None:
        super()._emit(kind, **fields)
        if kind == "conversation.item.created" and fields["item"].get("role") == "user":
            if fields["item"]["content"] == [{"type": "input_audio"}]:  # a user utterance
                item = {**fields["item"], "content": [{"type": "input_audio", "transcript": None}]}
                self._remember(item, fields.get("previous_item_id"))
        elif kind == "conversation.item.input_audio_transcription.completed":
            spoken = self._conversation.get(fields["item_id"])
            if spoken is not None:
                spoken["content"][0]["transcript"] = fields["transcript"]

    def _remember(self, item: dict[str, Any], after: str | None) -> None:
        """Keep `item` in the conversation after `after` (at the end if that is the last or none)."""
        self._conversation[item["id"]] = {k: v for k, v in item.items() if k != "status"}
        if after is not None and after in self._conversation:
            ids = list(self._conversation)
            for later in ids[ids.index(after) + 1 : -1]:
                self._conversation.move_to_end(later)
        while len(self._conversation) > MAX_ITEMS:
            self._conversation.popitem(last=False)

    def _known_item(self, item_id: str, param: str) -> dict[str, Any]:
        item = self._conversation.get(item_id)
        if item is None:
            raise wording.not_allowed(
                param,
                f"Invalid value: '{wording.shortened(item_id)}'. No such item in the conversation.",
            )
        return item

    def _on_conversation_item_create(self, event: Event) -> None:
        item = event["item"]
        item_id = item.get("id") or self._ids.new("item")
        if item_id in self._item_ids or item_id in self._conversation:
            # docs/protocol/qwen-audio.md §2: an id already present is an error.
            raise ProtocolError(
                "duplicate_item_id", f"Item with id '{item_id}' already exists.", "item.id"
            )
        previous = event.get("previous_item_id")
        if previous is not None:
            self._known_item(previous, "previous_item_id")
        kind = item["type"]
        if kind == "function_call_output":
            created = self._tool_output_item(item, item_id)
        elif kind == "function_call":
            created = {
                "id": item_id,
                "object": "realtime.item",
                "type": "function_call",
                "status": "completed",
                "call_id": item["call_id"],
                "name": item["name"],
                "arguments": item["arguments"],
            }
            self._call_ids.add(item["call_id"])
        else:
            created = self._message_item(item, item_id)
        after = previous if previous is not None else next(reversed(self._conversation), None)
        self._item_ids.add(item_id)
        self._remember(created, after)
        # super()._emit: this item is remembered already, with its place
        super()._emit("conversation.item.created", previous_item_id=after, item=created)
        if previous is None or previous == self._last_item_id:
            self._last_item_id = item_id

    def _message_item(self, item: dict[str, Any], item_id: str) -> dict[str, Any]:
        """A message of the documented role and content kinds (the schema checked them); a user
        message becomes what the next response answers."""
        content = []
        for part in item["content"]:
            if part["type"] == "input_audio":
                content.append(
                    {"type": "input_audio", "transcript": self._heard_audio(part["audio"])}
                )
            else:
                content.append(dict(part))
        if item["role"] == "user":
            text = " ".join(p.get("text") or p.get("transcript") or "" for p in content)
            seed = zlib.crc32(text.encode("utf-8"))
            heard = Transcript(text, self._source_language(), (seed % 1000,))
            self._turn = _UserTurn(heard=heard, text_tokens=text_tokens(text))
        return message_item(item_id, item["role"], content)

    def _heard_audio(self, audio: str) -> str:
        """What the built-in ASR makes of a user message's base64 PCM (16 kHz, 16-bit)."""
        try:
            data = base64.b64decode(audio, validate=True)
        except ValueError:
            raise ProtocolError(
                "invalid_value", "Invalid 'audio': not base64.", "item.content"
            ) from None
        speech_ms = len(data) // 2 // SAMPLES_PER_MS  # 16-bit samples at INPUT_SAMPLE_RATE
        heard = self._responder.transcript(zlib.crc32(data), self._source_language(), speech_ms)
        return heard.text

    def _on_conversation_item_retrieve(self, event: Event) -> None:
        item = self._known_item(event["item_id"], "item_id")
        # a copy of its own: the kept item's text is filled in later (_note_said, a transcript),
        # and the event says what the item held now, however late the transport sends it
        self._emit("conversation.item.retrieved", item=copy.deepcopy(item))

    def _on_conversation_item_delete(self, event: Event) -> None:
        item_id = event["item_id"]
        self._known_item(item_id, "item_id")
        del self._conversation[item_id]
        if self._last_item_id == item_id:
            self._last_item_id = next(reversed(self._conversation), None)
        self._emit("conversation.item.deleted", item_id=item_id)


def _assistant_item(plan: ResponsePlan) -> dict[str, Any]:
    """The item a response adds to the conversation, as retrieve returns it."""
    call = plan.function_call
    if call is not None:
        return {
            "id": plan.item_id,
            "object": "realtime.item",
            "type": "function_call",
            "call_id": call.call_id,
            "name": call.name,
            "arguments": call.arguments,
        }
    # what it says is filled in when it is said (QwenAudioSession._note_said)
    part = (
        {"type": "audio", "transcript": ""}
        if plan.audio is not None
        else {"type": "text", "text": ""}
    )
    return {
        "id": plan.item_id,
        "object": "realtime.item",
        "type": "message",
        "role": "assistant",
        "content": [part],
    }


def _strip_response_fields(events: Any) -> None:
    """Remove what Qwen-Audio's response objects do not carry (docs/protocol/qwen-audio.md §4)."""
    for event in events:
        response = event.get("response")
        if isinstance(response, dict):
            for key in _NOT_IN_RESPONSE:
                response.pop(key, None)
