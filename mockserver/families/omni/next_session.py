"""The Omni family's session class: qwen3 Omni, plus the rules of the next models
(docs/protocol/omni-next.md §3, §4, §6).

On a qwen3.5 / qwen3.8 model (:class:`~.next_models.NextOmniModel`) the session also: refuses
`session.finish` (Behaviour.next_omni_session_finish), refuses a `response.create` while the
conversation holds no user message (Behaviour.next_omni_empty_conversation), refuses a response
in a voice the model does not have (Behaviour.next_omni_voice_check), keeps the input format
fixed once audio has come, and mixes multichannel input to mono. On a qwen3 model it is
:class:`~.session.OmniSession` unchanged.
"""

from __future__ import annotations

from typing import Any

from ...media.channels import MultichannelDecoder
from ...media.decoder import InputDecoder
from ...protocol.behaviour import EmptyConversation, OmniSessionFinish, VoiceCheck
from ...protocol.errors import ProtocolError
from ...protocol.wire import Event
from ...session.listening import Segment
from .next_models import NextOmniModel
from .session import OmniSession, session_finish_rejected

__all__ = ["OmniFamilySession"]

# docs/protocol/omni-next.md §3: what "cannot be changed once audio input has started".
_FIXED_AT_FIRST_AUDIO = ("input_audio_format", "sample_rate", "input_channels", "video_compact")


def _invalid_parameter(detail: str) -> ProtocolError:
    """The DashScope algorithm-side refusal (docs/protocol/omni-next.md §11, [3p] texts)."""
    return ProtocolError("InvalidParameter", f"InternalError.Algo.InvalidParameter: {detail}")


class OmniFamilySession(OmniSession):
    """A session of any Omni model; the next models' rules apply to a NextOmniModel only."""

    def _start(self) -> None:
        super()._start()
        self._next = self.spec if isinstance(self.spec, NextOmniModel) else None
        self._has_user_message = False

    # ---- configuration ------------------------------------------------------------------

    def _on_session_update(self, event: Event) -> None:
        if self._next is not None and self._received_samples:
            after = self.family.rules.apply_update(
                self.spec, self.config, event["session"], self.behaviour
            )
            for key in _FIXED_AT_FIRST_AUDIO:
                if after.get(key) != self.config.get(key):
                    # §3: input format, channels and video compaction are set before the first
                    # audio and "cannot be changed" afterwards (wording [assumed]).
                    raise ProtocolError(
                        "invalid_value",
                        "The input audio format and video settings cannot be changed once "
                        "audio input has started.",
                        "session",
                    )
        super()._on_session_update(event)

    def _config_changed(self, old: dict[str, Any]) -> None:
        super()._config_changed(old)
        channels = int(self.config.get("input_channels", 1))
        if channels != int(old.get("input_channels", 1)):
            self._decoder = (
                MultichannelDecoder(self._sample_rate(), channels)
                if channels > 1
                else InputDecoder(self.config["input_audio_format"], self._sample_rate())
            )

    # ---- the conversation ---------------------------------------------------------------

    def _add_user_audio(self, segment: Segment, speech_ms: int, samples: int) -> None:
        self._has_user_message = True
        super()._add_user_audio(segment, speech_ms, samples)

    def _user_text_item(self, item: dict[str, Any], item_id: str) -> dict[str, Any]:
        created = super()._user_text_item(item, item_id)
        self._has_user_message = True
        return created

    def _on_response_create(self, event: Event) -> None:
        if self._next is not None:
            if (
                not self._has_user_message
                and self.behaviour.next_omni_empty_conversation is EmptyConversation.ERROR
            ):
                # §6.2 [3p]: the text integrators quote for a bare response.create.
                raise _invalid_parameter(
                    "The input messages do not contain elements with the role of user"
                )
            if (refusal := self._voice_refusal()) is not None:
                raise refusal
        super()._on_response_create(event)

    def _respond(
        self, modalities: list[str] | None = None, instructions: str | None = None
    ) -> None:
        if (refusal := self._voice_refusal()) is not None:
            # a VAD turn's answer (response.create raised above): the error instead of it
            self._error(refusal, None)
            return
        super()._respond(modalities, instructions)

    def _voice_refusal(self) -> ProtocolError | None:
        """§4 [3p]: a voice outside the model's list is refused when a response is generated."""
        voice = self.config["voice"]
        if (
            self._next is None
            or voice in self._next.voices
            or self.behaviour.next_omni_voice_check is not VoiceCheck.AT_RESPONSE
        ):
            return None
        return _invalid_parameter(f"Voice '{voice}' is not supported.")

    def _on_session_finish(self, event: Event) -> None:
        if self._next is None:
            super()._on_session_finish(event)
        elif self.behaviour.next_omni_session_finish is OmniSessionFinish.REJECT:
            # §6.1: not a client event of these models; the SDK's end_session() then raises.
            raise session_finish_rejected()
        else:
            super(OmniSession, self)._on_session_finish(event)
