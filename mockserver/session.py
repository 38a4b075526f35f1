"""The protocol of one connection, with no I/O: client events in, server events out.

Feed client frames with :meth:`Session.receive_text` (or parsed events with
:meth:`Session.receive_event`), then collect what to send with :meth:`Session.events_to_send`.
Time is audio time, derived from the PCM received; there is no clock here. When
:attr:`Session.finished` turns true the transport sends what is left and closes with 1000.

One ``_on_<event type>`` method per client event; every documented LiveTranslate rule
(events.md §2, sequences.md §1) lives here or in the pure helpers it calls.
"""

from __future__ import annotations

import json
import random
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import config as session_config
from .audio import decode_base64
from .audio_input import SAMPLES_PER_MS, AudioBuffer, InputDecoder
from .errors import SERVER_ERROR, ProtocolError
from .ids import IdFactory
from .images import jpeg_dimensions
from .registry import ModelSpec
from .responder import CorpusResponder, Responder, split_units
from .response import ResponsePlan, response_events
from .usage import audio_tokens, image_tokens, response_usage, text_tokens
from .vad import FRAME_MS, SpeechStarted, SpeechStopped, VoiceActivityDetector

__all__ = ["Session"]

SEED_WINDOW_MS = 320  # the segment audio that seeds the responder's choice of text
PARTIAL_EVERY_MS = 500  # a source-transcript update per this much speech
OUTPUT_RATE = 24000
IDLE_AUDIO_KEPT_MS = 2000  # audio kept between utterances in VAD mode (covers any prefix padding)
EMOTION = "neutral"  # the mock does not analyse emotion [assumed]


@dataclass
class _Segment:
    """One user utterance being heard (VAD) or committed (manual)."""

    item_id: str
    onset_ms: int
    audio_start_ms: int
    seed: int | None = None
    partials_sent: int = 0
    images: list[int] = field(default_factory=list)


class Session:
    """One realtime session of a LiveTranslate model."""

    def __init__(
        self,
        spec: ModelSpec,
        model_id: str | None = None,
        *,
        responder: Responder | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.spec = spec
        self.model_id = model_id or spec.model_id
        self._ids = IdFactory(rng)
        self._responder = responder or CorpusResponder()
        self._outbox: list[dict] = []
        self.id = self._ids.new("sess")
        self.conversation_id = self._ids.new("conv")
        self.config = spec.default_session()
        self.finished = False
        self._decoder = InputDecoder(self.config["input_audio_format"], self.config["sample_rate"])
        self._buffer = AudioBuffer()
        self._received_samples = 0  # all input audio so far, at 16 kHz
        self._vad = self._new_vad()
        self._segment: _Segment | None = None
        self._pending_images: list[int] = []  # image tokens waiting for the next segment
        self._image_times: deque[int] = deque()
        self._last_item_id: str | None = None
        self._segments_seen = 0
        self._handlers: dict[str, Callable[[dict], None]] = {
            name: getattr(self, "_on_" + name.replace(".", "_")) for name in spec.dialect.client_events
        }
        self._emit("session.created", session=self._render())

    # ---- the transport-facing interface -------------------------------------------------

    def events_to_send(self) -> list[dict]:
        """Server events produced since the last call, in order."""
        out, self._outbox = self._outbox, []
        return out

    @property
    def audio_ms(self) -> int:
        """Input audio received so far, in ms."""
        return self._received_samples // SAMPLES_PER_MS

    def fail(self, message: str) -> None:
        """The transport hit an unexpected failure: emit the documented `server_error`, then stop."""
        self._error(ProtocolError("internal_error", message, type=SERVER_ERROR), None)
        self.finished = True

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
            self._error(ProtocolError("invalid_event", "A client event must be a JSON object."), None)
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
            self._error(ProtocolError("missing_required_parameter", "Missing required parameter: 'type'.", "type"),
                        event_id)
            return
        handler = self._handlers.get(kind)
        if handler is None:
            supported = ", ".join(f"'{t}'" for t in sorted(self._handlers))
            self._error(ProtocolError("invalid_value", f"Invalid value: '{kind}'. Supported values are: {supported}.",
                                      "type"), event_id)
            return
        try:
            handler(event)
        except ProtocolError as exc:
            self._error(exc, event_id)

    # ---- client events ------------------------------------------------------------------

    def _on_session_update(self, event: dict) -> None:
        if "session" not in event:
            raise ProtocolError("missing_required_parameter", "Missing required parameter: 'session'.", "session")
        old = self.config
        self.config = session_config.apply_update(self.spec, old, event["session"])
        if (old["input_audio_format"], old["sample_rate"]) != (
            self.config["input_audio_format"], self.config["sample_rate"]):
            self._decoder = InputDecoder(self.config["input_audio_format"], self.config["sample_rate"])
        if old["turn_detection"] != self.config["turn_detection"]:
            self._restart_turn_detection()
        self._emit("session.updated", session=self._render())

    def _on_input_audio_buffer_append(self, event: dict) -> None:
        if "audio" not in event:
            raise ProtocolError("missing_required_parameter", "Missing required parameter: 'audio'.", "audio")
        try:
            samples = self._decoder.decode(decode_base64(event["audio"]))
        except ValueError as exc:
            raise ProtocolError("invalid_value", f"Invalid 'audio': {exc}.", "audio") from None
        self._buffer.append(samples)
        self._received_samples += len(samples)
        if self._vad is not None:
            for boundary in self._vad.feed(samples):
                self._on_vad_boundary(boundary)
            self._send_partial_transcript()
            if self._segment is None:
                # Between utterances only the last stretch can still become prefix padding.
                self._buffer.drop_until(self.audio_ms - IDLE_AUDIO_KEPT_MS)

    def _on_input_audio_buffer_commit(self, event: dict) -> None:
        if self._vad is not None:
            # [assumed] events.md §2.1: commit is a manual-mode event (turn_detection: null).
            raise ProtocolError("invalid_state",
                                "input_audio_buffer.commit is only available in manual mode "
                                "(session.turn_detection: null).")
        if self._buffer.empty:
            # events.md §1.7: commit with an empty buffer → error.
            raise ProtocolError("input_audio_buffer_commit_empty",
                                "Error committing input audio buffer: the buffer is empty.")
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
            raise ProtocolError("missing_required_parameter", "Missing required parameter: 'image'.", "image")
        try:
            data = decode_base64(event["image"])
        except ValueError as exc:
            raise ProtocolError("invalid_value", f"Invalid 'image': {exc}.", "image") from None
        self._pending_images.append(self._check_image(data))
        self._image_times.append(self.audio_ms)

    def _on_session_finish(self, event: dict) -> None:
        # events.md §2.1: finish every pending segment, then session.finished.
        if self._vad is not None:
            stop = self._vad.flush()
            if stop is not None:
                self._on_vad_boundary(stop)
        elif not self._buffer.empty:
            # [assumed] uncommitted manual-mode audio is committed rather than lost.
            self._commit_buffer()
        self._emit("session.finished")
        self.finished = True

    # ---- images -------------------------------------------------------------------------

    def _check_image(self, data: bytes) -> int:
        """Documented image rules (events.md §1.9); returns the image's token count."""
        spec = self.spec
        if self._received_samples == 0:
            raise ProtocolError("invalid_state", "Error append image before append audio.", "image")
        size = jpeg_dimensions(data)
        if size is None:
            raise ProtocolError("invalid_value", "Invalid image: only JPG/JPEG images are supported.", "image")
        if len(data) > spec.max_image_bytes:
            raise ProtocolError("invalid_value", f"Image too large: {len(data)} bytes; the limit is "
                                f"{spec.max_image_bytes} bytes before base64 encoding.", "image")
        width, height = size
        if max(width, height) > 1920 or min(width, height) > 1080:
            raise ProtocolError("invalid_value", f"Image resolution {width}x{height} exceeds the 1080p limit.",
                                "image")
        now = self.audio_ms
        while self._image_times and self._image_times[0] <= now - 1000:
            self._image_times.popleft()
        if len(self._image_times) >= spec.max_images_per_second:
            raise ProtocolError("rate_limit_exceeded", f"Too many images: at most {spec.max_images_per_second} "
                                "per second of audio.", "image")
        return image_tokens(spec, width, height)

    # ---- turn detection -----------------------------------------------------------------

    def _new_vad(self) -> VoiceActivityDetector | None:
        vad = self.config["turn_detection"]
        if vad is None:
            return None
        return VoiceActivityDetector(16000, vad["threshold"], vad["prefix_padding_ms"],
                                     vad["silence_duration_ms"], start_ms=self.audio_ms // FRAME_MS * FRAME_MS)

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
            self._segment = _Segment(self._ids.new("item"), boundary.onset_ms, boundary.audio_start_ms)
            self._emit("input_audio_buffer.speech_started", audio_start_ms=boundary.audio_start_ms,
                       item_id=self._segment.item_id)
            return
        segment, self._segment = self._segment, None
        if segment is None:
            return
        self._emit("input_audio_buffer.speech_stopped", audio_end_ms=boundary.audio_end_ms, item_id=segment.item_id)
        input_samples = len(self._buffer.samples(segment.audio_start_ms, boundary.audio_end_ms))
        speech_ms = boundary.offset_ms - segment.onset_ms
        self._seed(segment)
        self._buffer.drop_until(boundary.audio_end_ms)
        self._complete_segment(segment, speech_ms, input_samples)

    def _seed(self, segment: _Segment) -> int:
        if segment.seed is None:
            audio = self._buffer.samples(segment.onset_ms, segment.onset_ms + SEED_WINDOW_MS)
            segment.seed = self._segment_seed(audio)
        return segment.seed

    def _segment_seed(self, audio) -> int:
        """Seed for the responder: the segment's opening audio, and its place in the session."""
        self._segments_seen += 1
        return zlib.crc32(audio.astype("<i2").tobytes()) + self._segments_seen

    def _send_partial_transcript(self) -> None:
        """While the user speaks: growing source-language text (`text` confirmed + `stash`)."""
        segment = self._segment
        if segment is None or not self._transcribing():
            return
        speech_ms = self.audio_ms - segment.onset_ms
        due = speech_ms // PARTIAL_EVERY_MS
        if speech_ms < SEED_WINDOW_MS or due <= segment.partials_sent:
            return
        segment.partials_sent = due
        text = self._responder.partial(self._seed(segment), self._source_language(), speech_ms)
        if text:
            self._emit_transcription_text(segment.item_id, text, final=False)

    # ---- manual mode --------------------------------------------------------------------

    def _commit_buffer(self) -> None:
        audio = self._buffer.samples()
        self._buffer.clear()
        item_id = self._ids.new("item")
        self._emit("input_audio_buffer.committed")
        self._emit("conversation.item.created", previous_item_id=self._last_item_id, item={
            "id": item_id, "object": "realtime.item", "type": "message", "status": "completed",
            "role": "user", "content": [{"type": "input_audio"}]})
        self._last_item_id = item_id
        onset_ms, speech_ms = self._speech_extent(audio)
        segment = _Segment(item_id, onset_ms, 0)
        segment.seed = self._segment_seed(audio[onset_ms * SAMPLES_PER_MS:(onset_ms + SEED_WINDOW_MS) * SAMPLES_PER_MS])
        self._complete_segment(segment, speech_ms, len(audio))

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

    # ---- one finished utterance → transcription + translation response ------------------

    def _transcribing(self) -> bool:
        transcription = self.config["input_audio_transcription"]
        return bool(transcription and transcription.get("model"))

    def _source_language(self) -> str:
        transcription = self.config["input_audio_transcription"] or {}
        if transcription.get("language"):
            return transcription["language"]
        # [assumed] auto-detection: the mock hears Chinese when translating into English and
        # English otherwise — the usual direction of a translation session.
        return "zh" if self.config["translation"]["language"] == "en" else "en"

    def _complete_segment(self, segment: _Segment, speech_ms: int, input_samples: int) -> None:
        images, self._pending_images = self._pending_images, []
        if speech_ms <= 0:
            if self._transcribing():
                self._emit("conversation.item.input_audio_transcription.failed", item_id=segment.item_id,
                           content_index=0, error={"code": "audio_unintelligible",
                                                   "message": "The audio could not be transcribed.", "param": None})
            return
        transcript = self._responder.transcript(segment.seed or 0, self._source_language(), speech_ms)
        if self._transcribing():
            self._emit_transcription_text(segment.item_id, transcript.text, final=True)
            self._emit("conversation.item.input_audio_transcription.completed", item_id=segment.item_id,
                       content_index=0, transcript=transcript.text, language=transcript.language,
                       **self._emotion())
        translation = self.config["translation"]
        with_audio = session_config.audio_output_enabled(self.config)
        skip = translation.get("same_language_skip_options") or {}
        if transcript.language == translation["language"] and translation["language"] in ("zh", "en"):
            # events.md §2.2: same-language skipping, honoured only for zh/en targets.
            if skip.get("skip_text") and (skip.get("skip_audio") or not with_audio):
                return
            with_audio = with_audio and not skip.get("skip_audio")
        phrases = (translation.get("corpus") or {}).get("phrases") or {}
        text = self._responder.translate(transcript, translation["language"], phrases)
        audio = self._responder.speak(text, self.config["voice"]) if with_audio else None
        out_text = text_tokens(text) + (text_tokens(transcript.text) if self._transcribing() else 0)
        usage = response_usage(
            input_text=sum(text_tokens(k) + text_tokens(v) for k, v in phrases.items()),
            input_audio=audio_tokens(input_samples, 16000, self.spec.input_audio_tokens_per_second),
            input_images=sum(images),
            output_text=out_text,
            output_audio=audio_tokens(len(audio), OUTPUT_RATE, self.spec.output_audio_tokens_per_second)
            if audio is not None else 0,
        )
        plan = ResponsePlan(
            response_id=self._ids.new("resp"), item_id=self._ids.new("item"),
            conversation_id=self.conversation_id, previous_item_id=segment.item_id,
            modalities=["text", "audio"] if with_audio else ["text"], voice=self.config["voice"],
            output_audio_format=self.config["output_audio_format"], text=text, audio=audio, usage=usage)
        for event in response_events(self.spec.dialect, plan):
            self._emit(event.pop("type"), **event)
        self._last_item_id = plan.item_id

    def _emit_transcription_text(self, item_id: str, text: str, final: bool) -> None:
        """`…input_audio_transcription.text`: confirmed `text` plus the still-provisional `stash`."""
        units = split_units(text)
        confirmed = "".join(units if final else units[: max(0, len(units) - 2)])
        stash = text[len(confirmed):]
        self._emit(self.spec.dialect.user_transcript_stream, item_id=item_id, content_index=0,
                   text=confirmed, stash=stash, language=self._source_language(), **self._emotion())

    def _emotion(self) -> dict:
        return {"emotion": EMOTION} if self.spec.reports_emotion else {}

    # ---- output -------------------------------------------------------------------------

    def _render(self) -> dict:
        return session_config.render_session(self.spec, self.config, self.id, self.model_id)

    def _emit(self, kind: str, **fields: Any) -> None:
        self._outbox.append({"event_id": self._ids.new("event"), "type": kind, **fields})

    def _error(self, exc: ProtocolError, client_event_id: str | None) -> None:
        self._emit("error", error=exc.to_error_object(client_event_id, self.spec.dialect.error_has_event_id))
