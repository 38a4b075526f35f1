"""One TTS response built in bounded steps: a few words synthesized, or one delta, per step.

The session asks for one step at a time while the transport drains what it has
(:meth:`~.session.TtsSession.next_event`), so a long text is never synthesized in one event-loop
step: each step synthesizes at most a few words (:data:`WORDS_PER_STEP`) and sends at most
:data:`DELTA_MS` of audio. PCM is cut into deltas as it is made. MP3 and Opus are one stream per
response (media/streaming.py), encoded :data:`ENCODED_DELTA_MS` at a time as the speech is made;
a step either synthesizes a piece or encodes, never both (a cold piece takes up to 5 ms,
encoding 60 ms about 1.5 ms at 48 kHz, where the whole stream of a sentence took 25-60 ms), and
the head's step synthesizes the first piece. What one encoding gave is sent as two deltas, so
the deltas keep ahead of the steps that only synthesize. WAV is sent as PCM is: the first delta
starts with a header of unknown length (media/streaming.py :func:`streamed_wav_header`), unless
the session's Behaviour asks for the whole file (`tts_wav_stream` "whole": synthesized and
encoded at the first audio step, far over 5 ms on a long text). A replayed recording
(replay/tts.py) is sent as recorded.
"""

from __future__ import annotations

import re
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ...media.pcm import PCM16
from ...media.streaming import StreamEncoder, streamed_wav_header
from ...media.synthesis import SpeechSettings, encode, speak
from ...protocol.behaviour import TtsWavStream
from ...protocol.ids import IdFactory
from ...protocol.text import CJK_CHARS
from ...protocol.wire import Event
from .events import TtsResponse, audio_delta, head_events, tail_events

__all__ = ["DELTA_MS", "ENCODED_DELTA_MS", "WORDS_PER_STEP", "ResponseBuild", "word_pieces"]

DELTA_MS = 200  # audio per `response.audio.delta`, at most
ENCODED_DELTA_MS = (
    60  # audio encoded per MP3 / Opus step: about 1.5 ms of libsndfile time at 48 kHz
)
WORDS_PER_STEP = 3  # words synthesized in one step (about 5 syllables: under 5 ms cold at 48 kHz)
_LONGEST_WORD = 6  # characters: a CJK run without spaces is cut into pieces this long
_PIECE_CHARS = 16  # a piece ends at WORDS_PER_STEP words or this many characters
_WORD = re.compile(r"\S+\s*|\s+")
_CJK = re.compile(f"[{CJK_CHARS}]")


def word_pieces(text: str) -> Iterator[str]:
    """`text` in pieces of at most WORDS_PER_STEP words or about _PIECE_CHARS characters (a
    CJK run cut every _LONGEST_WORD characters), made as they are asked for; joined they give
    `text` back."""
    piece: list[str] = []
    size = 0
    for match in _WORD.finditer(text):
        word = match.group()
        step = _LONGEST_WORD if _CJK.search(word) else len(word)
        for k in range(0, len(word), max(step, 1)):
            piece.append(word[k : k + max(step, 1)])
            size += len(piece[-1])
            if len(piece) == WORDS_PER_STEP or size >= _PIECE_CHARS:
                yield "".join(piece)
                piece, size = [], 0
    if piece:
        yield "".join(piece)


class ResponseBuild:
    """The events of one response not made yet; :meth:`step` makes the next few."""

    def __init__(
        self,
        plan: TtsResponse,
        text: str,
        settings: SpeechSettings,
        usage: Callable[[int], dict[str, Any]],
        ids: IdFactory,
        recorded: PCM16 | None = None,
        wav: TtsWavStream = TtsWavStream.STREAMED,
    ) -> None:
        self.plan = plan
        self.ids = ids  # the event ids of this response
        self.settings = settings
        self.usage = usage  # the usage of a response that sent this many ms of audio
        self.turns: list[Any] = []  # the session's turns holding this response's events
        self.cancelled = False
        self.done = False
        self._head = True
        self._pieces = word_pieces(text if recorded is None else "")
        self._more = True  # pieces may be left
        self._pcm: PCM16 = recorded if recorded is not None else np.zeros(0, np.int16)
        self._samples = 0  # sent so far
        self._delta = max(1, settings.sample_rate * DELTA_MS // 1000)
        self._whole = settings.response_format == "wav" and wav is TtsWavStream.WHOLE
        self._encoded: deque[bytes] | None = None  # a whole WAV's deltas to send
        self._header = b""  # a streamed WAV's header, sent with the first delta
        if settings.response_format == "wav" and not self._whole:
            self._header = streamed_wav_header(settings.sample_rate)
        self._encoded_ms = 0
        self._stream: StreamEncoder | None = None  # an MP3 / Opus stream being encoded
        self.bytes_per_second = 0  # of an encoded stream, once made (MP3 / Opus: so far)
        self._streamed_bytes = 0
        if settings.response_format in ("mp3", "opus"):
            # the Ogg serial number comes from the text (not the response id, which is random
            # unless the session's seed is set): the same text, the same bytes
            serial = zlib.crc32(f"{settings.voice}\n{text}".encode())
            self._stream = StreamEncoder(
                settings.response_format, settings.sample_rate, settings.bit_rate, serial
            )
            self._delta = max(1, settings.sample_rate * ENCODED_DELTA_MS // 1000)
            self.bytes_per_second = self._stream.bytes_per_second

    @property
    def duration_ms(self) -> int:
        """The audio made so far (all of it once done)."""
        if self._encoded is not None:
            return self._encoded_ms
        return self._samples * 1000 // self.settings.sample_rate

    def step(self) -> list[Event]:
        """The next events: the head, one delta, or the closing events (then `done`)."""
        if self._head:
            self._head = False
            if self._stream is not None:  # the first piece now: the next step only encodes
                self._synthesize_piece()
            return head_events(self.plan)
        if self._stream is not None:
            return self._streamed_step(self._stream)
        if self._whole:
            return self._encoded_step()
        while len(self._pcm) < self._delta and self._synthesize_piece():
            pass
        if len(self._pcm) or self._header:  # a streamed WAV sends its header even with no speech
            chunk, self._pcm = self._pcm[: self._delta], self._pcm[self._delta :]
            self._samples += len(chunk)
            data, self._header = self._header + chunk.astype("<i2").tobytes(), b""
            return [audio_delta(self.plan, data)]
        return self._finish()

    def _streamed_step(self, stream: StreamEncoder) -> list[Event]:
        """One piece of work: synthesize the next piece while less than ENCODED_DELTA_MS waits
        (no event: the session makes the next step at the next pull), else encode
        ENCODED_DELTA_MS and send what it gave as two deltas (a step that only synthesized
        is made up for), else flush the encoder; then the closing events."""
        if len(self._pcm) < self._delta and self._synthesize_piece():
            return []
        if len(self._pcm):
            chunk, self._pcm = self._pcm[: self._delta], self._pcm[self._delta :]
            self._samples += len(chunk)
            data = stream.write(chunk)  # MP3 at 8 kHz holds its first frame back: maybe none
            self._streamed_bytes += len(data)
            if self._streamed_bytes:  # the pacer plays the deltas at the rate they come out
                self.bytes_per_second = (
                    self._streamed_bytes * self.settings.sample_rate // self._samples
                )
        else:
            data = stream.close()
            if not data:
                return self._finish()
        half = len(data) // 2
        return [audio_delta(self.plan, part) for part in (data[:half], data[half:]) if part]

    def _encoded_step(self) -> list[Event]:
        """A whole WAV: at the first audio step all of the speech, synthesized and encoded at
        once, cut into one delta per DELTA_MS; then one delta a step."""
        if self._encoded is None:
            while self._synthesize_piece():  # the whole stream, in one libsndfile encode
                pass
            data = encode(self._pcm, self.settings)
            self._encoded_ms = len(self._pcm) * 1000 // self.settings.sample_rate
            count = max(1, -(-self._encoded_ms // DELTA_MS))
            bounds = [len(data) * k // count for k in range(count + 1)]
            self._encoded = deque(data[bounds[k] : bounds[k + 1]] for k in range(count))
            self.bytes_per_second = len(data) * 1000 // max(self._encoded_ms, 1)
            self._pcm = np.zeros(0, np.int16)
        if self._encoded:
            return [audio_delta(self.plan, self._encoded.popleft())]
        return self._finish()

    def _synthesize_piece(self) -> bool:
        """Add the next piece's speech to what waits to be sent; False when none is left."""
        piece = next(self._pieces, None) if self._more else None
        if piece is None:
            self._more = False
            return False
        more = speak(piece, self.settings)
        self._pcm = np.concatenate([self._pcm, more]) if len(self._pcm) else more
        return True

    def _finish(self) -> list[Event]:
        self.done = True
        return tail_events(self.plan, "completed", self.usage(self.duration_ms))
