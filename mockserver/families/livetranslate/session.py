"""LiveTranslate sessions: every utterance is transcribed and translated (docs/protocol/events.md §2, docs/protocol/sequences.md §1).

A VAD segment or a manual commit becomes the source transcript (when transcription is on) and a
translation that starts by itself (there is no `response.create` in this family). When it starts
is Behaviour.translation_start: after `speech_stopped` (the G1 guide: the model replies once it
detects the end of audio; one response per utterance), or while the speaker is still talking
(G2: each sentence is translated in a response of its own as soon as it has been said in full,
and the rest after `speech_stopped`; docs/protocol/sequences.md §1.2 leaves one-or-several responses open).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...answers.responder import Transcript
from ...media.pcm import INPUT_SAMPLE_RATE, SAMPLES_PER_MS
from ...protocol.behaviour import DefaultVoice, LiveTranslateShape, TranslationStart
from ...protocol.text import text_tokens
from ...responses.events import ResponsePlan
from ...responses.usage import audio_tokens, response_usage
from ...session.listening import SEED_WINDOW_MS, ListeningSession, Segment
from .models import LiveTranslateModel
from .rules import audio_output_enabled

__all__ = ["LiveTranslateSession"]


@dataclass
class _Progress:
    """How much of the open utterance has been translated while it is being spoken."""

    item_id: str
    sentences: int = 0  # sentences translated so far
    billed_ms: int = 0  # input audio (from the segment start) already billed


class LiveTranslateSession(ListeningSession):
    """A session of `qwen3-livetranslate-flash-realtime` or `qwen3.5-livetranslate-flash-realtime`."""

    spec: LiveTranslateModel

    def _start(self) -> None:
        super()._start()
        self._progress: _Progress | None = None
        example = self.spec.example_default_voice
        if example and self.behaviour.livetranslate_default_voice is DefaultVoice.EXAMPLES:
            self.config["voice"] = example  # Behaviour.livetranslate_default_voice

    def _transcribing(self) -> bool:
        transcription = self.config["input_audio_transcription"]
        return bool(transcription and transcription.get("model"))

    def _g1(self) -> bool:
        return self.behaviour.livetranslate_shape.value is LiveTranslateShape.G1

    def _speech_event_fields(self, segment: Segment) -> dict[str, Any]:
        # docs/protocol/events.md §2.3: the qwen3.5 speech_started / speech_stopped examples carry
        # audio_start_ms / audio_end_ms only (the ASR ones add item_id); G1 pages have no such
        # events at all. The user item's id comes with committed and conversation.item.created.
        return {}

    def _commit_buffer(self) -> None:
        segment, speech_ms, samples = self._committed_segment()
        # docs/protocol/sequences.md §1.4: committed (no fields in the example), then the user item.
        self._emit_committed(segment.item_id)
        self._emit_user_item(segment.item_id, [{"type": "input_audio"}])
        self._utterance_ended(segment, speech_ms, samples)

    # ---- translating while the speaker goes on (TranslationStart.WHILE_SPEAKING) ----------

    def _still_speaking(self, segment: Segment) -> None:
        if self.behaviour.translation_start.value is not TranslationStart.WHILE_SPEAKING:
            return
        speech_ms = self.audio_ms - segment.onset_ms
        if speech_ms < SEED_WINDOW_MS:
            return
        progress = self._progress
        if progress is None or progress.item_id != segment.item_id:
            progress = self._progress = _Progress(segment.item_id)
        said = self._responder.spoken(self._seed(segment), self._source_language(), speech_ms)
        if len(said) <= progress.sentences:
            return
        # The final transcript must cover what was already translated (listening.py sizes it
        # by the longest speech any preview was made for).
        segment.partial_ms = max(segment.partial_ms, speech_ms)
        for sentence in said[progress.sentences :]:
            self._translate(segment, sentence, self._input_samples(progress, speech_ms), [])
        progress.sentences = len(said)

    def _input_samples(self, progress: _Progress, until_ms: int) -> int:
        """The input audio not billed yet, up to `until_ms` of the segment (and mark it billed)."""
        samples = max(0, until_ms - progress.billed_ms) * SAMPLES_PER_MS
        progress.billed_ms = max(progress.billed_ms, until_ms)
        return samples

    # ---- the end of an utterance ----------------------------------------------------------

    def _utterance_ended(self, segment: Segment, speech_ms: int, input_samples: int) -> None:
        images = self._take_images()
        progress, self._progress = self._progress, None
        if progress is not None and progress.item_id != segment.item_id:
            progress = None
        if speech_ms <= 0:
            if self._transcribing():
                self._emit_transcription_failed(segment.item_id)
            return
        transcript = self._responder.transcript(
            segment.seed or 0, self._source_language(), speech_ms
        )
        if self._transcribing():
            self._emit_final_transcript(segment.item_id, transcript)
        if progress is None:
            self._translate(segment, transcript, input_samples, images)
            return
        rest = self._responder.sentences(transcript)[progress.sentences :]
        for number, sentence in enumerate(rest):
            billed = (
                max(0, input_samples - progress.billed_ms * SAMPLES_PER_MS) if not number else 0
            )
            self._translate(segment, sentence, billed, images if not number else [])

    def _translate(
        self, segment: Segment, source: Transcript, input_samples: int, images: list[int]
    ) -> None:
        """One translation response for `source` (same-language skipping and hotwords applied)."""
        translation = self.config["translation"]
        with_audio = audio_output_enabled(self.config)
        skip = translation.get("same_language_skip_options") or {}
        if source.language == translation["language"] and translation["language"] in ("zh", "en"):
            # docs/protocol/events.md §2.2: same-language skipping, honoured only for zh/en targets.
            if skip.get("skip_text") and (skip.get("skip_audio") or not with_audio):
                return
            with_audio = with_audio and not skip.get("skip_audio")
        phrases = (translation.get("corpus") or {}).get("phrases") or {}
        text = self._responder.translate(source, translation["language"], phrases)
        audio = self._speak(text) if with_audio else None
        source_text = text_tokens(source.text) if self._transcribing() else 0

        def usage(out_tokens: int, out_samples: int) -> dict[str, Any]:
            return response_usage(
                input_text=sum(text_tokens(k) + text_tokens(v) for k, v in phrases.items()),
                input_audio=audio_tokens(
                    input_samples, INPUT_SAMPLE_RATE, self.spec.input_audio_tokens_per_second
                ),
                input_images=sum(images),
                output_text=out_tokens + source_text,
                output_audio=audio_tokens(
                    out_samples, self.output_sample_rate, self.spec.output_audio_tokens_per_second
                ),
            )

        plan = ResponsePlan(
            response_id=self._ids.new("resp"),
            item_id=self._ids.new("item"),
            conversation_id=self.conversation_id,
            previous_item_id=segment.item_id,
            modalities=["text", "audio"] if with_audio else ["text"],
            voice=self.config["voice"],
            output_audio_format=self.config["output_audio_format"],
            text=text,
            audio=audio,
            usage=usage(text_tokens(text), len(audio) if audio is not None else 0),
            partial_usage=usage,
            audio_rate=self.output_sample_rate,
            item_created=not self._g1(),
        )
        self._start_response(plan)
        self._last_item_id = plan.item_id
