"""The protocol of one connection, with no I/O: client events in, server events out.

Open one with :func:`open_session` (it picks the family's class from the model spec). Feed client
frames with :meth:`Session.receive_text` (or parsed events with :meth:`Session.receive_event`),
then take what to send: :meth:`Session.events_to_send` drains everything, or a paced transport
pulls one event at a time with :meth:`Session.peek_event` / :meth:`Session.next_event`. Time is
audio time, derived from the PCM received; there is no clock here.

Two lanes keep the order a live server has: events that answer the client at once (errors,
`session.updated`, speech events, transcripts) go out before the rest of a response that is still
streaming, while responses and `session.finished` go out one after another, in order. What a
transport has not pulled yet is what a `response.cancel` or a barge-in can still stop.

This base class holds what the families share (audio intake, VAD, images, the lanes); the rules
of each family live in :mod:`.livetranslate`, :mod:`.asr` and :mod:`.omni`.
"""

from __future__ import annotations

import json
import random
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .audio import decode_base64
from .audio_input import SAMPLES_PER_MS, AudioBuffer, InputDecoder
from .behaviour import Behaviour
from .contract import check_client_event, check_server_event
from .errors import SERVER_ERROR, ProtocolError
from .ids import IdFactory
from .images import jpeg_dimensions
from .registry import ModelSpec
from .responder import CorpusResponder, Responder, Transcript, split_units
from .response import ResponsePlan, cancelled_events, response_events
from .usage import image_tokens
from .vad import FRAME_MS, SpeechStarted, SpeechStopped, VoiceActivityDetector

__all__ = ["Session", "open_session"]

SEED_WINDOW_MS = 320  # the segment audio that seeds the responder's choice of text
PARTIAL_EVERY_MS = 500  # a live-transcript update per this much speech
OUTPUT_RATE = 24000
IDLE_AUDIO_KEPT_MS = 2000  # audio kept between utterances in VAD mode (covers any prefix padding)
EMOTION = "neutral"  # the mock does not analyse emotion [assumed]


@dataclass
class Segment:
    """One user utterance being heard (VAD) or committed (manual)."""

    item_id: str
    onset_ms: int
    audio_start_ms: int
    seed: int | None = None
    partials_sent: int = 0
    partial_ms: int = 0  # the speech length the last live transcript was sized for


@dataclass
class _Turn:
    """Events that go out after everything deferred before them: a response, or session.finished."""

    pending: deque[dict]
    plan: ResponsePlan | None = None
    sent: list[dict] = field(default_factory=list)
    cancelled: bool = False


class Session:
    """One realtime session; subclassed per model family."""

    def __init__(
        self,
        spec: ModelSpec,
        model_id: str | None = None,
        *,
        responder: Responder | None = None,
        rng: random.Random | None = None,
        behaviour: Behaviour | None = None,
        strict: bool = False,
    ) -> None:
        self.spec = spec
        self.strict = strict  # validate every server event against its schema (contract.py)
        self.model_id = model_id or spec.model_id
        self.behaviour = behaviour or Behaviour()
        self._ids = IdFactory(rng)
        self._responder = responder or CorpusResponder()
        self._outbox: deque[dict] = deque()
        self._turns: deque[_Turn] = deque()
        self.id = self._ids.new("sess")
        self.conversation_id = self._ids.new("conv")
        self.config = spec.default_session()
        self.finished = False
        self.close_code = 1000  # what the transport closes with once everything is sent
        self.close_reason = "session finished"
        self.expired = False
        self._decoder = InputDecoder(
            self.config["input_audio_format"], self.config.get("sample_rate", 16000)
        )
        self._buffer = AudioBuffer()
        self._received_samples = 0  # all input audio so far, at 16 kHz
        self._vad = self._new_vad()
        self._segment: Segment | None = None
        self._pending_images: list[int] = []  # image tokens waiting for the next user item
        self._image_times: deque[int] = deque()
        self._last_item_id: str | None = None
        self._segments_seen = 0
        # client event type → the name of its `_on_…` method (looked up per event, so a subclass
        # or a test that replaces a handler is always the one called)
        self._handlers: dict[str, str] = {
            name: "_on_" + name.replace(".", "_") for name in spec.dialect.client_events
        }
        self._emit("session.created", session=self._render(updated=False))

    # ---- the transport-facing interface -------------------------------------------------

    def peek_event(self) -> dict | None:
        """The next server event to send, without taking it (None: nothing to send now)."""
        if self._outbox:
            return self._outbox[0]
        while self._turns and not self._turns[0].pending:
            self._turns.popleft()
        return self._turns[0].pending[0] if self._turns else None

    def next_event(self) -> dict | None:
        """Take the next server event to send; the transport calls this when it sends it."""
        if self._outbox:
            return self._outbox.popleft()
        if self.peek_event() is None:
            return None
        turn = self._turns[0]
        event = turn.pending.popleft()
        turn.sent.append(event)
        return event

    def events_to_send(self) -> list[dict]:
        """Every server event ready now, in order (what an unpaced transport sends at once)."""
        out = []
        while (event := self.next_event()) is not None:
            out.append(event)
        return out

    @property
    def audio_ms(self) -> int:
        """Input audio received so far, in ms."""
        return self._received_samples // SAMPLES_PER_MS

    @property
    def session_cap_s(self) -> float:
        """Seconds after which the server ends the session (0: never); the transport keeps time."""
        return self.behaviour.session_cap_s or self.spec.session_cap_s

    def fail(self, message: str) -> None:
        """The transport hit an unexpected failure: emit the documented `server_error`, then stop."""
        self._turns.clear()
        self._error(ProtocolError("internal_error", message, type=SERVER_ERROR), None)
        self.finished = True
        self.close_code, self.close_reason = 1011, "server error"

    def expire(self) -> None:
        """The session cap was reached: the server closes (events.md §1.8; no event is documented)."""
        self._turns.clear()
        self.finished = self.expired = True
        self.close_code = self.behaviour.cap_close_code
        self.close_reason = f"session duration limit reached ({self.session_cap_s:g} s)"

    def receive_text(self, frame: str) -> None:
        """A text frame from the client: JSON of one client event."""
        if self.finished:
            return
        try:
            event = json.loads(frame)
        except ValueError as exc:
            self._error(ProtocolError("invalid_json", f"The frame is not valid JSON: {exc}."), None)
            return
        if not isinstance(event, dict):
            self._error(
                ProtocolError("invalid_event", "A client event must be a JSON object."), None
            )
            return
        self.receive_event(event)

    def receive_binary(self, data: bytes) -> None:
        """A binary frame: the protocol only has JSON text frames (events.md §1.4)."""
        if self.finished:
            return
        message = (
            f"Binary frames are not supported ({len(data)} bytes received); send JSON text frames "
            "with base64 audio in input_audio_buffer.append."
        )
        self._error(ProtocolError("invalid_frame", message), None)

    def receive_event(self, event: dict) -> None:
        """One parsed client event. Bad events get an `error` event; the session goes on."""
        if self.finished:
            return
        event_id = event.get("event_id") if isinstance(event.get("event_id"), str) else None
        kind = event.get("type")
        if not isinstance(kind, str):
            self._error(
                ProtocolError(
                    "missing_required_parameter", "Missing required parameter: 'type'.", "type"
                ),
                event_id,
            )
            return
        handler_name = self._handlers.get(kind)
        if handler_name is None:
            self._error(self._unknown_event(kind), event_id)
            return
        try:
            check_client_event(event, self.spec.family)
            getattr(self, handler_name)(event)
        except ProtocolError as exc:
            self._error(exc, event_id)

    def _unknown_event(self, kind: str) -> ProtocolError:
        supported = ", ".join(f"'{t}'" for t in sorted(self._handlers))
        return ProtocolError(
            "invalid_value", f"Invalid value: '{kind}'. Supported values are: {supported}.", "type"
        )

    # ---- what each family decides -------------------------------------------------------

    def _apply_update(self, update: Any) -> dict:
        raise NotImplementedError

    def _render(self, updated: bool) -> dict:
        raise NotImplementedError

    def _utterance_ended(self, segment: Segment, speech_ms: int, input_samples: int) -> None:
        """A VAD segment ended (after speech_stopped) or a manual commit was made."""
        raise NotImplementedError

    def _commit_buffer(self) -> None:
        """Manual mode: commit the buffered audio as one user item."""
        raise NotImplementedError

    def _transcribing(self) -> bool:
        raise NotImplementedError

    def _source_language(self) -> str:
        transcription = self.config.get("input_audio_transcription") or {}
        return transcription.get("language") or self.behaviour.assumed_language

    # ---- client events every family has -------------------------------------------------

    def _on_session_update(self, event: dict) -> None:
        if "session" not in event:
            raise ProtocolError(
                "missing_required_parameter", "Missing required parameter: 'session'.", "session"
            )
        old = self.config
        self.config = self._apply_update(event["session"])
        audio_format = (self.config["input_audio_format"], self.config.get("sample_rate", 16000))
        if (old["input_audio_format"], old.get("sample_rate", 16000)) != audio_format:
            self._decoder = InputDecoder(*audio_format)
        if old["turn_detection"] != self.config["turn_detection"]:
            self._restart_turn_detection()
        self._emit("session.updated", session=self._render(updated=True))

    def _on_input_audio_buffer_append(self, event: dict) -> None:
        if "audio" not in event:
            raise ProtocolError(
                "missing_required_parameter", "Missing required parameter: 'audio'.", "audio"
            )
        limit = self.spec.max_append_audio_chars
        if limit and isinstance(event["audio"], str) and len(event["audio"]) > limit:
            raise ProtocolError(
                "invalid_value",
                f"The 'audio' field is {len(event['audio'])} characters; the "
                f"limit is {limit} (15 MiB) per append.",
                "audio",
            )
        try:
            samples = self._decoder.decode(decode_base64(event["audio"]))
        except ValueError as exc:
            raise ProtocolError("invalid_value", f"Invalid 'audio': {exc}.", "audio") from None
        cap = self.spec.max_commit_ms
        if (
            self._vad is None
            and cap
            and self._buffer.duration_ms + len(samples) // SAMPLES_PER_MS > cap
        ):
            # events.md §1.9: at most 60 s of audio per commit. The append is refused (nothing
            # already buffered is lost); commit, then go on.
            raise ProtocolError(
                "invalid_value",
                f"The input audio buffer would exceed {cap // 1000} s; "
                "commit it before appending more.",
                "audio",
            )
        self._buffer.append(samples)
        self._received_samples += len(samples)
        observe = getattr(self._responder, "observe_audio", None)
        if (
            observe is not None
        ):  # a responder that picks its fixture by the audio (fixtures/replay.py)
            observe(samples)
        if self._vad is not None:
            for boundary in self._vad.feed(samples):
                self._on_vad_boundary(boundary)
            self._send_partial_transcript()
            if self._segment is None:
                # Between utterances only the last stretch can still become prefix padding.
                self._buffer.drop_until(self.audio_ms - IDLE_AUDIO_KEPT_MS)

    def _on_input_audio_buffer_commit(self, event: dict) -> None:
        if self._vad is not None:
            if self.behaviour.commit_in_vad_mode == "ignore":
                return
            # events.md §2.1 / §3.1: commit is a manual-mode event (turn_detection: null).
            raise ProtocolError(
                "invalid_state",
                "input_audio_buffer.commit is only available in manual mode "
                "(session.turn_detection: null).",
            )
        if self._buffer.empty:
            # events.md §1.7: commit with an empty buffer → error.
            raise ProtocolError(
                "input_audio_buffer_commit_empty",
                "Error committing input audio buffer: the buffer is empty.",
            )
        self._commit_buffer()

    def _on_input_audio_buffer_clear(self, event: dict) -> None:
        self._buffer.clear()
        if self._vad is not None:
            # OpenAI beta: clearing drops the utterance in progress without a speech_stopped.
            self._segment = None
            self._restart_turn_detection()
        self._emit("input_audio_buffer.cleared")

    def _on_input_image_buffer_append(self, event: dict) -> None:
        if "image" not in event:
            raise ProtocolError(
                "missing_required_parameter", "Missing required parameter: 'image'.", "image"
            )
        try:
            data = decode_base64(event["image"])
        except ValueError as exc:
            raise ProtocolError("invalid_value", f"Invalid 'image': {exc}.", "image") from None
        self._pending_images.append(self._check_image(data))
        self._image_times.append(self.audio_ms)

    def _on_session_finish(self, event: dict) -> None:
        # events.md §2.1 / §3.1: finish every pending utterance, then session.finished.
        if self._vad is not None:
            stop = self._vad.flush()
            if stop is not None:
                self._on_vad_boundary(stop)
        elif not self._buffer.empty:
            # [assumed] uncommitted manual-mode audio is committed rather than lost.
            self._commit_buffer()
        self._defer([self._finished_event()])
        self.finished = True

    def _finished_event(self) -> dict:
        return {"type": "session.finished"}

    # ---- images -------------------------------------------------------------------------

    def _check_image(self, data: bytes) -> int:
        """Documented image rules (events.md §1.9); returns the image's token count."""
        spec = self.spec
        if self._received_samples == 0:
            raise ProtocolError("invalid_state", "Error append image before append audio.", "image")
        size = jpeg_dimensions(data)
        if size is None:
            raise ProtocolError(
                "invalid_value", "Invalid image: only JPG/JPEG images are supported.", "image"
            )
        if len(data) > spec.max_image_bytes:
            raise ProtocolError(
                "invalid_value",
                f"Image too large: {len(data)} bytes; the limit is "
                f"{spec.max_image_bytes} bytes before base64 encoding.",
                "image",
            )
        width, height = size
        if max(width, height) > 1920 or min(width, height) > 1080:
            raise ProtocolError(
                "invalid_value",
                f"Image resolution {width}x{height} exceeds the 1080p limit.",
                "image",
            )
        now = self.audio_ms
        while self._image_times and self._image_times[0] <= now - 1000:
            self._image_times.popleft()
        if len(self._image_times) >= spec.max_images_per_second:
            raise ProtocolError(
                "rate_limit_exceeded",
                f"Too many images: at most {spec.max_images_per_second} per second of audio.",
                "image",
            )
        return image_tokens(spec, width, height)

    def _take_images(self) -> list[int]:
        """The images sent since the last user item: they belong to the item being committed."""
        images, self._pending_images = self._pending_images, []
        return images

    # ---- turn detection -----------------------------------------------------------------

    def _new_vad(self) -> VoiceActivityDetector | None:
        vad = self.config["turn_detection"]
        if vad is None:
            return None
        return VoiceActivityDetector(
            16000,
            vad["threshold"],
            vad.get("prefix_padding_ms", 300),
            vad["silence_duration_ms"],
            start_ms=self.audio_ms // FRAME_MS * FRAME_MS,
        )

    def _restart_turn_detection(self) -> None:
        """After a turn_detection change: close an open utterance, then detect with the new rules."""
        if self._vad is not None and self._segment is not None:
            stop = self._vad.flush()
            if stop is not None:
                self._on_vad_boundary(stop)
        self._segment = None
        self._vad = self._new_vad()

    def _on_vad_boundary(self, boundary: SpeechStarted | SpeechStopped) -> None:
        if isinstance(boundary, SpeechStarted):
            self._segment = Segment(
                self._ids.new("item"), boundary.onset_ms, boundary.audio_start_ms
            )
            self._speech_started(self._segment)
            return
        segment, self._segment = self._segment, None
        if segment is None:
            return
        self._emit(
            "input_audio_buffer.speech_stopped",
            audio_end_ms=boundary.audio_end_ms,
            item_id=segment.item_id,
        )
        input_samples = len(self._buffer.samples(segment.audio_start_ms, boundary.audio_end_ms))
        # The final text must extend every live preview already shown, which were sized by the
        # audio received (trailing silence included) rather than by the speech offset.
        speech_ms = max(boundary.offset_ms - segment.onset_ms, segment.partial_ms)
        self._seed(segment)
        self._buffer.drop_until(boundary.audio_end_ms)
        self._utterance_ended(segment, speech_ms, input_samples)

    def _speech_started(self, segment: Segment) -> None:
        self._emit(
            "input_audio_buffer.speech_started",
            audio_start_ms=segment.audio_start_ms,
            item_id=segment.item_id,
        )

    def _seed(self, segment: Segment) -> int:
        if segment.seed is None:
            audio = self._buffer.samples(segment.onset_ms, segment.onset_ms + SEED_WINDOW_MS)
            segment.seed = self._segment_seed(audio)
        return segment.seed

    def _segment_seed(self, audio) -> int:
        """Seed for the responder: the segment's opening audio, and its place in the session."""
        self._segments_seen += 1
        return zlib.crc32(audio.astype("<i2").tobytes()) + self._segments_seen

    def _send_partial_transcript(self) -> None:
        """While the user speaks: the growing live transcript (`text` confirmed + `stash`)."""
        segment = self._segment
        if segment is None or not self._transcribing():
            return
        speech_ms = self.audio_ms - segment.onset_ms
        due = speech_ms // PARTIAL_EVERY_MS
        if speech_ms < SEED_WINDOW_MS or due <= segment.partials_sent:
            return
        segment.partials_sent = due
        segment.partial_ms = speech_ms
        text = self._responder.partial(self._seed(segment), self._source_language(), speech_ms)
        if text:
            self._emit_transcription_text(segment.item_id, text, final=False)

    # ---- manual commits -----------------------------------------------------------------

    def _committed_segment(self) -> tuple[Segment, int, int]:
        """Empty the buffer into a new user item: (segment, speech ms, samples committed)."""
        audio = self._buffer.samples()
        self._buffer.clear()
        onset_ms, speech_ms = self._speech_extent(audio)
        segment = Segment(self._ids.new("item"), onset_ms, 0)
        window = audio[onset_ms * SAMPLES_PER_MS : (onset_ms + SEED_WINDOW_MS) * SAMPLES_PER_MS]
        segment.seed = self._segment_seed(window)
        return segment, speech_ms, len(audio)

    def _speech_extent(self, audio) -> tuple[int, int]:
        """(onset, speech duration) in ms within a committed buffer, by the default VAD rules."""
        rules = self.spec.defaults["turn_detection"]
        vad = VoiceActivityDetector(16000, rules["threshold"], 0, rules["silence_duration_ms"])
        boundaries = vad.feed(audio)
        final = vad.flush()
        boundaries += [final] if final else []
        starts = [b.onset_ms for b in boundaries if isinstance(b, SpeechStarted)]
        stops = [b.offset_ms for b in boundaries if isinstance(b, SpeechStopped)]
        if not starts:
            return 0, 0
        return starts[0], sum(stop - start for start, stop in zip(starts, stops))

    # ---- output -------------------------------------------------------------------------

    def _emit(self, kind: str, **fields: Any) -> None:
        """Send at once (ahead of any response still streaming)."""
        self._outbox.append(self._stamp({"type": kind, **fields}))

    def _defer(self, events: list[dict], plan: ResponsePlan | None = None) -> None:
        """Send after everything deferred so far: a response's events, or session.finished."""
        self._turns.append(_Turn(deque(self._stamp(e) for e in events), plan))

    def _stamp(self, event: dict) -> dict:
        event = {"event_id": self._ids.new("event"), **event}
        if self.strict:
            check_server_event(event, self.spec.family)
        return event

    def _start_response(self, plan: ResponsePlan) -> None:
        self._defer(response_events(self.spec.dialect, plan), plan)

    def _active_response(self) -> _Turn | None:
        """The response that has not finished sending (a cancel or barge-in can still stop it)."""
        for turn in self._turns:
            if turn.plan is not None and turn.pending and not turn.cancelled:
                return turn
        return None

    def _cancel_response(self, turn: _Turn, reason: str) -> None:
        """Replace what is unsent of `turn` by its closing events (response.py: cancelled_events)."""
        rest = cancelled_events(
            self.spec.dialect,
            turn.plan,
            turn.sent,
            reason,
            self.behaviour.cancel_sends_response_done,
        )
        turn.pending = deque(self._stamp(e) for e in rest)
        turn.cancelled = True

    def _emit_committed(self, item_id: str) -> None:
        fields = {"previous_item_id": self._last_item_id, "item_id": item_id}
        self._emit(
            "input_audio_buffer.committed",
            **{k: fields[k] for k in self.spec.dialect.committed_fields},
        )

    def _emit_user_item(self, item_id: str, content: list[dict], status: str = "completed") -> None:
        """conversation.item.created for a user item; it becomes the conversation's last item."""
        fields: dict[str, Any] = {}
        if self.spec.dialect.item_created_has_previous_id:
            fields["previous_item_id"] = self._last_item_id
        fields["item"] = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "status": status,
            "role": "user",
            "content": content,
        }
        self._emit("conversation.item.created", **fields)
        self._last_item_id = item_id

    def _emit_transcription_text(self, item_id: str, text: str, final: bool) -> None:
        """The live user transcript: confirmed `text` plus the still-provisional `stash`."""
        units = split_units(text)
        confirmed = "".join(units if final else units[: max(0, len(units) - 2)])
        fields: dict[str, Any] = {
            "item_id": item_id,
            "content_index": 0,
            "text": confirmed,
            "stash": text[len(confirmed) :],
            "language": self._source_language(),
            **self._emotion(),
        }
        if self.spec.dialect.user_stream_has_obfuscation:
            # Omni's opaque padding string (events.md §4.3); random-looking, meaningless.
            fields["obfuscation"] = self._ids.new("obf")[4:18]
        self._emit(self.spec.dialect.user_transcript_stream, **fields)

    @staticmethod
    def _transcription_failed(item_id: str) -> dict:
        """`…transcription.failed` for an item whose audio holds no speech (events.md §1.7 wording)."""
        return {
            "type": "conversation.item.input_audio_transcription.failed",
            "item_id": item_id,
            "content_index": 0,
            "error": {
                "code": "audio_unintelligible",
                "message": "The audio could not be transcribed.",
                "param": None,
            },
        }

    def _emit_transcription_failed(self, item_id: str) -> None:
        event = self._transcription_failed(item_id)
        self._emit(event.pop("type"), **event)

    def _emit_final_transcript(self, item_id: str, transcript: Transcript) -> None:
        """LiveTranslate/ASR: the last `.text` (all confirmed), then `.completed` with language and emotion."""
        self._emit_transcription_text(item_id, transcript.text, final=True)
        self._emit(
            "conversation.item.input_audio_transcription.completed",
            item_id=item_id,
            content_index=0,
            transcript=transcript.text,
            language=transcript.language,
            **self._emotion(),
        )

    def _emotion(self) -> dict:
        return {"emotion": EMOTION} if self.spec.reports_emotion else {}

    def _error(self, exc: ProtocolError, client_event_id: str | None) -> None:
        self._emit(
            "error",
            error=exc.to_error_object(client_event_id, self.spec.dialect.error_has_event_id),
        )


def open_session(spec: ModelSpec, model_id: str | None = None, **options: Any) -> Session:
    """A session of the right family for `spec` (options: responder, rng, behaviour, strict)."""
    from .asr import AsrSession
    from .livetranslate import LiveTranslateSession
    from .omni import OmniSession
    from .registry import ASR, LIVETRANSLATE, OMNI

    family = {LIVETRANSLATE: LiveTranslateSession, ASR: AsrSession, OMNI: OmniSession}[spec.family]
    return family(spec, model_id, **options)
