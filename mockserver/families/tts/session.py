"""A Qwen-TTS realtime session: text in, speech out (docs/protocol/tts.md §3, §6).

Text arrives in `input_text_buffer.append` and waits in the session's buffer. In `server_commit`
mode the server starts a response itself as sentences complete (Behaviour.tts_segmentation);
in `commit` mode nothing is spoken until the client's `input_text_buffer.commit`. A commit in
either mode speaks everything buffered; `session.finish` speaks what is left, then
`session.finished` follows the last response. Each response's audio is the built-in speech
shaped by the session's settings (:mod:`dashscope_realtime_mock.media.synthesis`).

The buffer is bounded (Behaviour.tts_text_buffer_cap_chars), and so is the text of one
server_commit response (:data:`~.segments.SEGMENT_CHARS`): a long text without sentence ends is spoken in
pieces cut at a space.
"""

from __future__ import annotations

import dataclasses
import random
from collections import deque
from typing import Any

from ...media.pcm import OUTPUT_SAMPLE_RATE
from ...media.synthesis import SpeechSettings, UnsupportedFormat, check_format
from ...protocol.behaviour import TtsSegmentation, TtsSegmentedCommit, TtsUpdateUntil
from ...protocol.errors import SERVER_ERROR, ProtocolError
from ...protocol.ids import IdFactory
from ...protocol.wire import Event
from ...session.base import Playback, Session, Turn
from .building import ResponseBuild
from .events import TtsResponse, cut_events
from .models import TtsModel
from .rules import voice_error
from .segments import TextBuffer
from .usage import billed_usage

__all__ = ["TtsSession"]

_LOW_WATER = 2  # make the next step when fewer events than this wait to be sent
SAID_CHARS = 100_000  # of a session's text kept for replay to match a fixture on
_STARTED = "Session update error: session already started or finished or failed."


class TtsSession(Session):
    """One Qwen-TTS realtime session (the family's session class)."""

    def _start(self) -> None:
        # docs/protocol/tts.md §6.1: the service sends only session.created on connect.
        self.behaviour = dataclasses.replace(self.behaviour, updated_on_connect=False)
        self._buffer = TextBuffer()  # appended and not spoken yet
        # everything appended (the first SAID_CHARS): replay matches a fixture on it
        self._said = ""
        self._appended = False
        # server_commit: text appended since the last commit that segmentation already spoke
        self._segmented_since_commit = False
        self._updates = 0
        self._responses = 0
        self._delta_rate = OUTPUT_SAMPLE_RATE
        self._builds: deque[ResponseBuild] = deque()  # responses whose events are not all made
        self._sending: deque[ResponseBuild] = deque()  # ... or not all sent (response.cancel)
        self._finish_waiting = False  # session.finish came: session.finished follows the last

    @property
    def model(self) -> TtsModel:
        assert isinstance(self.spec, TtsModel)
        return self.spec

    @property
    def buffered_text(self) -> str:
        """The text appended and not spoken yet."""
        return self._buffer.text

    @property
    def output_sample_rate(self) -> int:
        """The rate the pacer plays the deltas at: the PCM rate, or for an encoded stream half
        its bytes per second (the pacer counts two bytes a sample)."""
        if self.config["response_format"] in ("pcm", "wav"):
            return int(self.config["sample_rate"])
        return self._delta_rate

    # ---- client events --------------------------------------------------------------------

    def _on_session_update(self, event: Event) -> None:
        until = self.behaviour.tts_update_until
        started = {
            TtsUpdateUntil.FIRST_APPEND: self._appended,
            TtsUpdateUntil.FIRST_RESPONSE: self._responses > 0,
            TtsUpdateUntil.ONCE: self._updates > 0,
        }[until]
        if started:
            # docs/protocol/tts.md §4.3, §9: the one documented TTS error.
            raise ProtocolError("invalid_value", _STARTED)
        super()._on_session_update(event)
        self._updates += 1

    def _on_input_text_buffer_append(self, event: Event) -> None:
        text: str = event["text"]
        cap = self.behaviour.tts_text_buffer_cap_chars
        buffered = len(self._buffer.text)
        if buffered + len(text) > cap:
            # docs/protocol/tts.md §8: no limit is documented; nothing buffered is lost.
            raise ProtocolError(
                "invalid_value",
                f"Input text buffer is full: {buffered + len(text)} characters buffered "
                f"would exceed the limit of {cap}.",
                "text",
            )
        self._appended = True
        if len(self._said) < SAID_CHARS:
            self._said += text[: SAID_CHARS - len(self._said)]
        by_sentence = (
            self.config["mode"] == "server_commit"
            and self.behaviour.tts_segmentation is TtsSegmentation.SENTENCE
        )
        for piece in self._buffer.append(text, by_sentence):
            self._segmented_since_commit |= bool(piece.strip())
            self._speak(piece)

    def _on_input_text_buffer_commit(self, event: Event) -> None:
        spoken_already = (
            self._segmented_since_commit
            and self.behaviour.tts_commit_after_segmentation is TtsSegmentedCommit.COMMITTED
        )
        if not self._buffer.text.strip() and not spoken_already:
            # docs/protocol/tts.md §3: an empty buffer is an error (wording UNCONFIRMED; the
            # audio families' wording).
            raise ProtocolError(
                "input_text_buffer_commit_empty",
                "Error committing input text buffer: the buffer is empty.",
            )
        # Behaviour.tts_commit_after_segmentation: the text appended since the last commit,
        # already spoken by server_commit segmentation, is committed with no new response.
        self._segmented_since_commit = False
        # docs/protocol/tts.md §5: the documented example's item_id is the empty string.
        self._emit("input_text_buffer.committed", item_id="")
        self._speak(self._buffer.flush())

    def _on_input_text_buffer_clear(self, event: Event) -> None:
        if self.config["mode"] != "commit":
            # docs/protocol/tts.md §3, §9: the documented text; its code is UNCONFIRMED.
            raise ProtocolError("invalid_value", "only client commit mode supports clear operation")
        self._buffer.flush()
        self._emit("input_text_buffer.cleared")

    def _on_response_cancel(self, event: Event) -> None:
        # docs/protocol/tts.md §3: not documented for TTS; the SDK sends it. As Omni: an error
        # with nothing to cancel, else the response ends at once with what was sent. In fast
        # pace (Playback.AUDIO_TIME) a response plays whole as soon as it starts: a client with
        # no audio has no clock to cut it by, so there is never one to cancel.
        build = self._active_build()
        if build is None:
            raise ProtocolError(
                "response_cancel_not_active", "Conversation has none active response"
            )
        sent = [turn.sent_so_far for turn in build.turns]
        for turn in build.turns:
            turn.pending.clear()
            turn.offsets.clear()
            turn.cancelled = True
        sent_ms = sum(s.audio_bytes for s in sent) * 500 // max(self.output_sample_rate, 1)
        head_sent = sum(s.count - s.audio_deltas for s in sent)
        status = self.behaviour.cancelled_status.value
        closing = cut_events(build.plan, head_sent, status, build.usage(sent_ms))
        build.cancelled = build.done = True
        if build in self._builds:
            self._builds.remove(build)
        after = build.turns[-1] if build.turns else None
        self._push(closing, build, after=after)

    # ---- hooks of the core --------------------------------------------------------------

    def _finish_pending(self) -> None:
        """session.finish: speak what is left in the buffer (docs/protocol/tts.md §3, §6.5)."""
        text = self._buffer.flush()
        if text.strip():
            try:
                self._speak(text)
            except ProtocolError as exc:
                self._error(exc, None)

    def _unknown_event(self, kind: str) -> ProtocolError:
        # docs/protocol/tts.md §2, §9: the service's words for a type it does not know ([3p]).
        return ProtocolError("invalid_value", "Invalid message type", "type")

    def _error(self, exc: ProtocolError, client_event_id: str | None) -> None:
        # docs/protocol/tts.md §5: the TTS error example carries code and message only.
        error: dict[str, Any] = {"code": exc.code, "message": exc.message}
        if self.behaviour.tts_error_type:
            error = {"type": exc.type, **error}
        self._emit("error", error=error)

    # ---- speaking -----------------------------------------------------------------------

    def _speak(self, text: str) -> None:
        """Start one response speaking `text` (nothing for text without a word); its events are
        made a step at a time (:meth:`_advance`), the first step at once."""
        if not text.strip():
            return
        config = self.config
        if (error := voice_error(self.model, config["voice"])) is not None:
            raise error  # §7.4: a VD / VC session still on the default voice
        settings = SpeechSettings(
            voice=config["voice"],
            sample_rate=config["sample_rate"],
            response_format=config["response_format"],
            speech_rate=config["speech_rate"],
            volume=config["volume"],
            bit_rate=config["bit_rate"],
        )
        try:
            check_format(settings.response_format)
        except UnsupportedFormat as exc:
            raise ProtocolError("internal_error", str(exc), type=SERVER_ERROR) from None
        # A fixture recorded with this text and voice answers with its speech (replay/tts.py).
        recorded = self._responder.recorded_speech(self._said, settings.voice, self._responses)
        billing = self.model.billing
        plan = TtsResponse(
            response_id=self._ids.new("resp"),
            item_id=self._ids.new("item"),
            voice=config["voice"],
            order=self.behaviour.tts_response_order,
        )
        build = ResponseBuild(
            plan,
            text,
            settings,
            lambda audio_ms: billed_usage(billing, text, audio_ms),
            # the response's event ids come from its own generator, seeded now: they do not
            # depend on when the transport asks for its later steps
            IdFactory(random.Random(self._ids.new("seed"))),
            recorded[0] if recorded is not None and recorded[1] == settings.sample_rate else None,
            wav=self.behaviour.tts_wav_stream,
        )
        self._responses += 1
        self._builds.append(build)
        self._sending.append(build)
        self._advance(first=build)

    def _advance(self, first: ResponseBuild | None = None) -> None:
        """Make the next steps of the oldest response being built while fewer than _LOW_WATER
        events wait to be sent (and `first`'s head at once, if no earlier response is still
        being made), stopping after a step that made no event while another waits (one piece
        of work per pull); session.finished once every response is made."""
        must = first is not None and bool(self._builds) and self._builds[0] is first
        while self._builds and (must or self.unsent_events < _LOW_WATER):
            must = False
            build = self._builds[0]
            events = build.step()
            if build.done:
                self._builds.popleft()
            if events:
                self._push(events, build)
            elif self.unsent_events:
                break  # a step that made no event (MP3 / Opus): the next pull makes the next
        if not self._builds and self._finish_waiting:
            self._finish_waiting = False
            self._defer([self._finished_event()])

    def _push(self, events: list[Event], build: ResponseBuild, after: Any = None) -> None:
        """Queue `events` of `build` as one turn (after the turn `after`, else last)."""
        ids = build.ids.new_many("event", len(events))
        turn = Turn(deque(self._stamped(e, i) for e, i in zip(events, ids, strict=True)))
        queue = self._turns
        if after is not None and after in queue:
            queue.insert(queue.index(after) + 1, turn)
        else:
            queue.append(turn)
        build.turns.append(turn)
        if build.bytes_per_second:
            self._delta_rate = max(1, build.bytes_per_second // 2)
        self._release_played()

    def _active_build(self) -> ResponseBuild | None:
        """The response still being sent (transport playback), if any."""
        if self.playback is Playback.AUDIO_TIME:
            return None
        while self._sending and (
            self._sending[0].cancelled
            or (self._sending[0].done and not any(t.pending for t in self._sending[0].turns))
        ):
            self._sending.popleft()
        return self._sending[0] if self._sending else None

    # ---- the transport pulls; each pull may make the next step -----------------------------

    def peek_event(self) -> Event | None:
        self._advance()
        return super().peek_event()

    def next_event(self) -> Event | None:
        event = super().next_event()
        self._advance()
        return event

    def fail(self, message: str) -> None:
        self._builds.clear()
        self._finish_waiting = False
        super().fail(message)

    def expire(self) -> None:
        self._builds.clear()
        self._finish_waiting = False
        super().expire()

    def _on_session_finish(self, event: Event) -> None:
        # docs/protocol/tts.md §3, §6.5: what is buffered is spoken, then session.finished
        # follows the last response (made step by step, so it is queued when that is done).
        self._finish_pending()
        self.finished = True
        self._finish_waiting = True
        self._advance()
