"""The audio layer a family opts into: audio intake, server VAD, images, and the user's speech.

A family whose users speak subclasses :class:`ListeningSession` instead of the bare
:class:`~dashscope_realtime_mock.session.base.Session`. It handles `input_audio_buffer.append` / `.commit` /
`.clear` and `input_image_buffer.append`, runs the VAD over the PCM received (time is audio time,
derived from the samples; there is no clock), and emits the user-side events every listening
family shares: speech_started/stopped, committed, the user item, the live and final transcripts.
What an utterance leads to (a transcript, a translation, an answer) is the family's
:meth:`ListeningSession._utterance_ended` / :meth:`ListeningSession._commit_buffer`.
"""

from __future__ import annotations

import zlib
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np

from ..answers.responder import Transcript
from ..media.decoder import AudioBuffer, InputDecoder
from ..media.images import ImageRules, jpeg_dimensions, png_dimensions
from ..media.pcm import (
    INPUT_SAMPLE_RATE,
    OUTPUT_SAMPLE_RATE,
    SAMPLES_PER_MS,
    decode_base64,
    resample,
)
from ..media.vad import FRAME_MS, SpeechStarted, SpeechStopped, VoiceActivityDetector
from ..protocol.behaviour import CommitInVadMode, ImageFormats, SpeechTimestamps
from ..protocol.errors import ProtocolError
from ..protocol.spec import ModelSpec
from ..protocol.text import split_units
from ..protocol.wire import Event, message_item
from .audio_config import AudioRates
from .base import Session

__all__ = ["LEGACY_FORMAT_STRINGS", "ListeningModel", "ListeningSession", "Segment", "TurnMode"]

SEED_WINDOW_MS = 320  # the segment audio that seeds the responder's choice of text
PARTIAL_EVERY_MS = 500  # a live-transcript update per this much speech
IDLE_AUDIO_KEPT_MS = 2000  # audio kept between utterances in VAD mode (covers any prefix padding)
EMOTION = "neutral"  # the mock does not analyse emotion [assumed]
INPUT_ONLY = AudioRates()  # a model whose `session.audio` sets its input rate only
# The older revisions' format strings (docs/protocol/events.md §1.10): names of a rate, not of a format type.
LEGACY_FORMAT_STRINGS = ("pcm16", "pcm24")


class TurnMode(Enum):
    """Who ends a user turn: the server's VAD, or the client's commit (turn_detection: null)."""

    SERVER_VAD = "server_vad"
    MANUAL = "manual"


@dataclass(frozen=True, kw_only=True)
class ListeningModel(ModelSpec):
    """The facts of a model that takes audio in."""

    input_audio_formats: tuple[str, ...]  # in documented order
    source_languages: tuple[str, ...]
    transcription_models: tuple[str, ...]
    input_audio_tokens_per_second: float
    reports_emotion: bool  # transcription events carry `emotion`
    # Format strings accepted only under Behaviour.legacy_format_strings (docs/protocol/events.md §1.10).
    legacy_format_strings: tuple[str, ...] = ()
    images: ImageRules | None = None  # None: the model takes no images
    # Cap on one append's base64 `audio`: 15 MiB (docs/protocol/events.md §1.9 states it for ASR; assumed for
    # the other families, as the same number is OpenAI's limit).
    max_append_audio_chars: int = 15 * 1024 * 1024
    # Cap on audio per manual commit (ASR: 60 s, docs/protocol/events.md §1.9); 0: Behaviour.audio_buffer_cap_ms
    max_commit_ms: int = 0
    audio_rates: AudioRates = INPUT_ONLY  # the rates `session.audio` may set (audio_config.py)

    def typed_formats(self) -> tuple[str, ...]:
        """The input formats `session.audio.input.format.type` may name (no legacy strings)."""
        return tuple(f for f in self.input_audio_formats if f not in LEGACY_FORMAT_STRINGS)


@dataclass
class Segment:
    """One user utterance being heard (VAD) or committed (manual)."""

    item_id: str
    onset_ms: int
    audio_start_ms: int
    seed: int | None = None
    partials_sent: int = 0
    partial_ms: int = 0  # the speech length the last live transcript was sized for


class ListeningSession(Session):
    """A session that hears the user: audio in, VAD, images; subclassed by listening families."""

    spec: ListeningModel

    def _start(self) -> None:
        self._decoder = InputDecoder(self.config["input_audio_format"], self._sample_rate())
        self._buffer = AudioBuffer()
        self._received_samples = 0  # all input audio so far, at 16 kHz
        self._vad = self._new_vad()
        self._segment: Segment | None = None
        self._pending_images: list[int] = []  # image tokens waiting for the next user item
        self._image_times: deque[int] = deque()
        self._segments_seen = 0
        self._boundary_ms: int | None = None  # audio time of the VAD boundary being handled
        # True while a commit sent in VAD mode ends the turn (no automatic answer for it)
        self.turn_ended_by_client = False

    @property
    def audio_ms(self) -> int:
        """Input audio received so far, in ms."""
        return self._received_samples // SAMPLES_PER_MS

    @property
    def turn_mode(self) -> TurnMode:
        return TurnMode.MANUAL if self._vad is None else TurnMode.SERVER_VAD

    def _sample_rate(self) -> int:
        return int(self.config.get("sample_rate", INPUT_SAMPLE_RATE))

    @property
    def output_sample_rate(self) -> int:
        """The rate of this session's audio deltas (24 kHz unless `session.audio` set another)."""
        return int(self.config.get("output_sample_rate", OUTPUT_SAMPLE_RATE))

    def _speak(self, text: str) -> np.ndarray:
        """`text` spoken in the session's voice, at the session's output rate."""
        audio = self._responder.speak(text, self.config["voice"])
        return resample(audio, OUTPUT_SAMPLE_RATE, self.output_sample_rate)

    # ---- what each listening family decides ---------------------------------------------

    def _utterance_ended(self, segment: Segment, speech_ms: int, input_samples: int) -> None:
        """A VAD segment ended (after speech_stopped) or a manual commit was made."""
        raise NotImplementedError

    def _commit_buffer(self) -> None:
        """Manual mode: commit the buffered audio as one user item."""
        raise NotImplementedError

    def _transcribing(self) -> bool:
        raise NotImplementedError

    def _still_speaking(self, segment: Segment) -> None:
        """After each append while an utterance is open (VAD): what a family does mid-speech."""

    def _source_language(self) -> str:
        transcription = self.config.get("input_audio_transcription") or {}
        return transcription.get("language") or self.behaviour.assumed_language

    # ---- hooks of the base session ------------------------------------------------------

    def _config_changed(self, old: dict[str, Any]) -> None:
        audio_format = (self.config["input_audio_format"], self._sample_rate())
        old_format = (old["input_audio_format"], int(old.get("sample_rate", INPUT_SAMPLE_RATE)))
        if old_format != audio_format:
            self._decoder = InputDecoder(*audio_format)
        if old["turn_detection"] != self.config["turn_detection"]:
            self._restart_turn_detection()

    def _finish_pending(self) -> None:
        if self._vad is not None:
            stop = self._vad.flush()
            if stop is not None:
                self._on_vad_boundary(stop)
        elif not self._buffer.empty:
            # [assumed] uncommitted manual-mode audio is committed rather than lost.
            self._commit_buffer()

    # ---- client events ------------------------------------------------------------------

    def _on_input_audio_buffer_append(self, event: Event) -> None:
        limit = self.spec.max_append_audio_chars
        if limit and len(event["audio"]) > limit:
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
        cap = self.spec.max_commit_ms or self.behaviour.audio_buffer_cap_ms
        if (
            self._vad is None
            and cap
            and self._buffer.duration_ms + len(samples) // SAMPLES_PER_MS > cap
        ):
            # docs/protocol/events.md §1.9: at most 60 s of audio per commit (ASR; the others by
            # Behaviour.audio_buffer_cap_ms). The append is refused (nothing already buffered is
            # lost); commit, then go on.
            raise ProtocolError(
                "invalid_value",
                f"The input audio buffer would exceed {cap / 1000:g} s; "
                "commit it before appending more.",
                "audio",
            )
        self._buffer.append(samples)
        self._received_samples += len(samples)
        self._responder.observe_audio(samples)
        if self._vad is not None:
            for boundary in self._vad.feed(samples):
                self._on_vad_boundary(boundary)
            self._send_partial_transcript()
            if self._segment is not None:
                self._still_speaking(self._segment)
            longest = self.behaviour.max_utterance_ms
            if self._segment is not None and self.audio_ms - self._segment.onset_ms >= longest:
                # An utterance that never pauses ends here, as if the speaker had (so
                # the buffer of one utterance is bounded); detection then starts afresh.
                self._restart_turn_detection()
            if self._segment is None:
                # Between utterances only the last stretch can still become prefix padding.
                self._buffer.drop_until(self.audio_ms - IDLE_AUDIO_KEPT_MS)

    def _on_input_audio_buffer_commit(self, event: Event) -> None:
        if self.turn_mode is TurnMode.SERVER_VAD:
            mode = self.behaviour.commit_in_vad_mode.value
            if mode is CommitInVadMode.IGNORE:
                return
            if mode is CommitInVadMode.ERROR:
                # docs/protocol/events.md §2.1 / §3.1: commit is a manual-mode event (turn_detection: null).
                raise ProtocolError(
                    "invalid_state",
                    "input_audio_buffer.commit is only available in manual mode "
                    "(session.turn_detection: null).",
                )
            self._commit_over_vad()
            return
        if self._buffer.empty:
            # docs/protocol/events.md §1.7: commit with an empty buffer → error.
            raise ProtocolError(
                "input_audio_buffer_commit_empty",
                "Error committing input audio buffer: the buffer is empty.",
            )
        self._commit_buffer()

    def _commit_over_vad(self) -> None:
        """Push-to-talk over VAD (CommitInVadMode.COMMIT): the client ends the turn now.

        An utterance in progress ends here (speech_stopped, then the user item); otherwise what
        is buffered becomes the user item, as in manual mode. Either way no answer starts by
        itself: the client asks with response.create. Detection then starts afresh.
        """
        assert self._vad is not None
        self.turn_ended_by_client = True
        try:
            stop = self._vad.flush() if self._segment is not None else None
            if stop is not None:
                self._on_vad_boundary(stop)
            elif self._buffer.empty:
                raise ProtocolError(
                    "input_audio_buffer_commit_empty",
                    "Error committing input audio buffer: the buffer is empty.",
                )
            else:
                self._segment = None
                self._commit_buffer()
        finally:
            self.turn_ended_by_client = False
        self._vad = self._new_vad()

    def _on_input_audio_buffer_clear(self, event: Event) -> None:
        self._buffer.clear()
        if self._vad is not None:
            # OpenAI beta: clearing drops the utterance in progress without a speech_stopped.
            self._segment = None
            self._restart_turn_detection()
        self._emit("input_audio_buffer.cleared")

    def _on_input_image_buffer_append(self, event: Event) -> None:
        try:
            data = decode_base64(event["image"])
        except ValueError as exc:
            raise ProtocolError("invalid_value", f"Invalid 'image': {exc}.", "image") from None
        self._pending_images.append(self._check_image(data))
        self._image_times.append(self.audio_ms)

    # ---- images -------------------------------------------------------------------------

    def _check_image(self, data: bytes) -> int:
        """Documented image rules (docs/protocol/events.md §1.9); returns the image's token count."""
        rules = self.spec.images
        assert rules is not None, "a family that takes images gives its models ImageRules"
        if self._received_samples == 0:
            raise ProtocolError("invalid_state", "Error append image before append audio.", "image")
        size = jpeg_dimensions(data)
        if size is None and self.behaviour.image_formats is ImageFormats.JPEG_PNG:
            size = png_dimensions(data)  # Behaviour.image_formats: the guide's PNG sample
        if size is None:
            raise ProtocolError(
                "invalid_value", "Invalid image: only JPG/JPEG images are supported.", "image"
            )
        if len(data) > rules.max_bytes:
            raise ProtocolError(
                "invalid_value",
                f"Image too large: {len(data)} bytes; the limit is "
                f"{rules.max_bytes} bytes before base64 encoding.",
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
        if len(self._image_times) >= rules.max_per_second:
            raise ProtocolError(
                "rate_limit_exceeded",
                f"Too many images: at most {rules.max_per_second} per second of audio.",
                "image",
            )
        return rules.tokens(width, height)

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
            INPUT_SAMPLE_RATE,
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

    def _audio_now_ms(self) -> int:
        """Audio time: a VAD boundary's own time while it is handled (so chunking never matters),
        else the end of the audio received."""
        return self.audio_ms if self._boundary_ms is None else self._boundary_ms

    def _on_vad_boundary(self, boundary: SpeechStarted | SpeechStopped) -> None:
        self._boundary_ms = (
            boundary.onset_ms if isinstance(boundary, SpeechStarted) else boundary.audio_end_ms
        )
        try:
            self._release_played()  # what played before this boundary goes out before it
            self._handle_vad_boundary(boundary)
        finally:
            self._boundary_ms = None

    def _handle_vad_boundary(self, boundary: SpeechStarted | SpeechStopped) -> None:
        if isinstance(boundary, SpeechStarted):
            self._segment = Segment(
                self._ids.new("item"), boundary.onset_ms, boundary.audio_start_ms
            )
            self._speech_started(self._segment)
            return
        segment, self._segment = self._segment, None
        if segment is None:
            return
        padded = self.behaviour.speech_timestamps is SpeechTimestamps.PADDED
        self._emit(
            "input_audio_buffer.speech_stopped",
            audio_end_ms=boundary.audio_end_ms if padded else boundary.offset_ms,
            **self._speech_event_fields(segment),
        )
        input_samples = self._buffer.count(segment.audio_start_ms, boundary.audio_end_ms)
        # The final text must extend every live preview already shown, which were sized by the
        # audio received (trailing silence included) rather than by the speech offset.
        speech_ms = max(boundary.offset_ms - segment.onset_ms, segment.partial_ms)
        self._seed(segment)
        self._buffer.drop_until(boundary.audio_end_ms)
        self._utterance_ended(segment, speech_ms, input_samples)

    def _speech_started(self, segment: Segment) -> None:
        padded = self.behaviour.speech_timestamps is SpeechTimestamps.PADDED
        self._emit(
            "input_audio_buffer.speech_started",
            audio_start_ms=segment.audio_start_ms if padded else segment.onset_ms,
            **self._speech_event_fields(segment),
        )

    def _speech_event_fields(self, segment: Segment) -> dict[str, Any]:
        """Fields of speech_started/stopped beyond the time: the user item's id."""
        return {"item_id": segment.item_id}

    def _seed(self, segment: Segment) -> int:
        if segment.seed is None:
            audio = self._buffer.samples(segment.onset_ms, segment.onset_ms + SEED_WINDOW_MS)
            segment.seed = self._segment_seed(audio)
        return segment.seed

    def _segment_seed(self, audio: np.ndarray) -> int:
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

    def _speech_extent(self, audio: np.ndarray) -> tuple[int, int]:
        """(onset, speech duration) in ms within a committed buffer, by the default VAD rules."""
        rules = self.spec.defaults["turn_detection"]
        vad = VoiceActivityDetector(
            INPUT_SAMPLE_RATE, rules["threshold"], 0, rules["silence_duration_ms"]
        )
        boundaries = vad.feed(audio)
        final = vad.flush()
        boundaries += [final] if final else []
        starts = [b.onset_ms for b in boundaries if isinstance(b, SpeechStarted)]
        stops = [b.offset_ms for b in boundaries if isinstance(b, SpeechStopped)]
        if not starts:
            return 0, 0
        return starts[0], sum(stop - start for start, stop in zip(starts, stops, strict=False))

    # ---- the user's side of the conversation --------------------------------------------

    def _emit_committed(self, item_id: str) -> None:
        fields = {"previous_item_id": self._last_item_id, "item_id": item_id}
        self._emit(
            "input_audio_buffer.committed",
            **{k: fields[k] for k in self.family.dialect.committed_fields},
        )

    def _emit_user_item(
        self, item_id: str, content: list[dict[str, Any]], status: str = "completed"
    ) -> None:
        """conversation.item.created for a user item; it becomes the conversation's last item."""
        fields: dict[str, Any] = {}
        if self.family.dialect.item_created_has_previous_id:
            fields["previous_item_id"] = self._last_item_id
        fields["item"] = message_item(item_id, "user", content, status)
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
        if self.family.dialect.user_stream_has_obfuscation:
            # Omni's opaque padding string (docs/protocol/events.md §4.3); random-looking, meaningless.
            fields["obfuscation"] = self._ids.new("obf")[4:18]
        self._emit(self.family.dialect.user_transcript_stream, **fields)

    @staticmethod
    def _transcription_failed(item_id: str) -> Event:
        """`…transcription.failed` for an item whose audio holds no speech (docs/protocol/events.md §1.7 wording)."""
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

    def _emotion(self) -> dict[str, Any]:
        return {"emotion": EMOTION} if self.spec.reports_emotion else {}
