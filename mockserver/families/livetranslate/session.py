"""LiveTranslate sessions: every utterance is transcribed and translated (events.md §2, sequences §1).

A VAD segment or a manual commit becomes, in order: the source transcript (when transcription is
on), then a translation response that starts by itself (there is no `response.create` in this
family). Translation starts after `speech_stopped` [assumed; §7.8 leaves it open].
"""

from __future__ import annotations

from ...core.text import text_tokens
from ...media.listening import ListeningSession, Segment
from ...media.pcm import INPUT_SAMPLE_RATE, OUTPUT_SAMPLE_RATE
from ...responses.events import ResponsePlan
from ...responses.usage import audio_tokens, response_usage
from .models import LiveTranslateModel
from .rules import audio_output_enabled

__all__ = ["LiveTranslateSession"]


class LiveTranslateSession(ListeningSession):
    """A session of `qwen3-livetranslate-flash-realtime` or `qwen3.5-livetranslate-flash-realtime`."""

    spec: LiveTranslateModel

    def _transcribing(self) -> bool:
        transcription = self.config["input_audio_transcription"]
        return bool(transcription and transcription.get("model"))

    def _commit_buffer(self) -> None:
        segment, speech_ms, samples = self._committed_segment()
        # sequences.md §1.4: committed (no fields in the example), then the user item.
        self._emit_committed(segment.item_id)
        self._emit_user_item(segment.item_id, [{"type": "input_audio"}])
        self._utterance_ended(segment, speech_ms, samples)

    def _utterance_ended(self, segment: Segment, speech_ms: int, input_samples: int) -> None:
        images = self._take_images()
        if speech_ms <= 0:
            if self._transcribing():
                self._emit_transcription_failed(segment.item_id)
            return
        transcript = self._responder.transcript(
            segment.seed or 0, self._source_language(), speech_ms
        )
        if self._transcribing():
            self._emit_final_transcript(segment.item_id, transcript)
        translation = self.config["translation"]
        with_audio = audio_output_enabled(self.config)
        skip = translation.get("same_language_skip_options") or {}
        if transcript.language == translation["language"] and translation["language"] in (
            "zh",
            "en",
        ):
            # events.md §2.2: same-language skipping, honoured only for zh/en targets.
            if skip.get("skip_text") and (skip.get("skip_audio") or not with_audio):
                return
            with_audio = with_audio and not skip.get("skip_audio")
        phrases = (translation.get("corpus") or {}).get("phrases") or {}
        text = self._responder.translate(transcript, translation["language"], phrases)
        audio = self._responder.speak(text, self.config["voice"]) if with_audio else None
        source_text = text_tokens(transcript.text) if self._transcribing() else 0

        def usage(out_text: str, out_samples: int) -> dict:
            return response_usage(
                input_text=sum(text_tokens(k) + text_tokens(v) for k, v in phrases.items()),
                input_audio=audio_tokens(
                    input_samples, INPUT_SAMPLE_RATE, self.spec.input_audio_tokens_per_second
                ),
                input_images=sum(images),
                output_text=text_tokens(out_text) + source_text,
                output_audio=audio_tokens(
                    out_samples, OUTPUT_SAMPLE_RATE, self.spec.output_audio_tokens_per_second
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
            usage=usage(text, len(audio) if audio is not None else 0),
            partial_usage=usage,
        )
        self._start_response(plan)
        self._last_item_id = plan.item_id
