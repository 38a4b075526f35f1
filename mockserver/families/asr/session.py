"""ASR sessions: speech in, live and final transcripts out, no responses (docs/protocol/events.md §3, docs/protocol/sequences.md §2).

VAD mode, per utterance: `speech_started` → live `…transcription.text` (`text` + `stash`) while
the user speaks → `speech_stopped` → `committed` (`previous_item_id`, `item_id`) → the user item's
`conversation.item.created` → a last `.text` → `.completed` (or `.failed` when the audio holds no
speech). Manual mode: `commit` → `committed` → (item) → `.text` → `.completed`.
"""

from __future__ import annotations

from ...protocol.wire import Event
from ...session.listening import ListeningSession, Segment
from .models import AsrModel

__all__ = ["AsrSession"]


class AsrSession(ListeningSession):
    """A session of `qwen3-asr-flash-realtime`."""

    spec: AsrModel

    def _start(self) -> None:
        super()._start()
        self._transcripts: list[str] = []  # every completed transcript, for session.finished

    def _transcribing(self) -> bool:
        return True  # transcription is what this family does

    def _commit_buffer(self) -> None:
        segment, speech_ms, _samples = self._committed_segment()
        self._emit_committed(segment.item_id)
        if self.behaviour.asr_manual_item_created:
            self._emit_user_item(segment.item_id, [{"type": "input_audio", "transcript": None}])
        else:
            self._last_item_id = segment.item_id
        self._transcribe(segment, speech_ms)

    def _utterance_ended(self, segment: Segment, speech_ms: int, input_samples: int) -> None:
        # docs/protocol/events.md §3.3: speech_stopped is followed by committed and the item at once.
        self._emit_committed(segment.item_id)
        self._emit_user_item(segment.item_id, [{"type": "input_audio", "transcript": None}])
        self._transcribe(segment, speech_ms)

    def _transcribe(self, segment: Segment, speech_ms: int) -> None:
        if speech_ms <= 0:
            self._emit_transcription_failed(segment.item_id)
            return
        transcript = self._responder.transcript(
            segment.seed or 0, self._source_language(), speech_ms
        )
        self._emit_final_transcript(segment.item_id, transcript)
        self._transcripts.append(transcript.text)

    def _finished_event(self) -> Event:
        event = {"type": "session.finished"}
        if self.behaviour.asr_finished_transcript:
            # docs/protocol/events.md §7.13: the official samples read `transcript` from session.finished.
            event["transcript"] = " ".join(self._transcripts)
        return event
