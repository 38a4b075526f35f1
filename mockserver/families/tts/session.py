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
from collections import deque
from typing import Any

from ...media.pcm import OUTPUT_SAMPLE_RATE
from ...media.synthesis import SpeechSettings, UnsupportedFormat, encode, speak
from ...protocol.behaviour import TtsSegmentation, TtsUpdateUntil
from ...protocol.errors import SERVER_ERROR, ProtocolError
from ...protocol.wire import Event
from ...session.base import Session
from .events import TtsResponse, cut_events, response_events
from .models import TtsModel
from .rules import voice_error
from .segments import TextBuffer
from .usage import billed_usage

__all__ = ["TtsSession"]

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
        self._updates = 0
        self._responses = 0
        self._delta_rate = OUTPUT_SAMPLE_RATE
        # the responses queued in the send lane, with their plans (response.cancel)
        self._queued: deque[tuple[Any, TtsResponse]] = deque()

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
            self._speak(piece)

    def _on_input_text_buffer_commit(self, event: Event) -> None:
        if not self._buffer.text.strip():
            # docs/protocol/tts.md §3: an empty buffer is an error (wording UNCONFIRMED; the
            # audio families' wording).
            raise ProtocolError(
                "input_text_buffer_commit_empty",
                "Error committing input text buffer: the buffer is empty.",
            )
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
        # with nothing to cancel, else the response ends at once with what was sent.
        active = self._active_tts_response()
        if active is None:
            raise ProtocolError(
                "response_cancel_not_active", "Conversation has none active response"
            )
        turn, plan = active
        status = self.behaviour.cancelled_status.value
        turn.pending = deque(self._stamp_all(cut_events(plan, turn.sent, status)))
        turn.offsets.clear()
        turn.cancelled = True

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

    # ---- speaking -------------------------------------------------------------------------

    def _speak(self, text: str) -> None:
        """Queue one response speaking `text` (nothing for text without a word)."""
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
        # A fixture recorded with this text and voice answers with its speech (replay/tts.py).
        recorded = self._responder.recorded_speech(self._said, settings.voice, self._responses)
        if recorded is not None and recorded[1] == settings.sample_rate:
            pcm = recorded[0]
        else:
            pcm = speak(text, settings)
        try:
            audio = encode(pcm, settings)
        except UnsupportedFormat as exc:
            raise ProtocolError("internal_error", str(exc), type=SERVER_ERROR) from None
        duration_ms = len(pcm) * 1000 // settings.sample_rate
        if duration_ms:
            self._delta_rate = max(1, len(audio) * 500 // duration_ms)
        billing = self.model.billing
        plan = TtsResponse(
            response_id=self._ids.new("resp"),
            item_id=self._ids.new("item"),
            voice=config["voice"],
            text=text,
            audio=audio,
            duration_ms=duration_ms,
            usage=billed_usage(billing, text, duration_ms),
            order=self.behaviour.tts_response_order,
            partial_usage=lambda sent_ms: billed_usage(billing, text, sent_ms),
        )
        self._responses += 1
        self._defer(response_events(plan))
        if self._turns and self._turns[-1].pending:
            self._queued.append((self._turns[-1], plan))

    def _active_tts_response(self) -> tuple[Any, TtsResponse] | None:
        """The queued response whose events are not all sent, if any."""
        while self._queued and (not self._queued[0][0].pending or self._queued[0][0].cancelled):
            self._queued.popleft()
        return self._queued[0] if self._queued else None
