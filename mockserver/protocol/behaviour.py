"""Named choices for what the docs leave open (docs/protocol/events.md §7), one field per choice.

Every point the documentation marks UNCONFIRMED that the mock has to decide is a field here, with
the default closest to the documented behaviour of the sibling families (or OpenAI Realtime beta
where DashScope says nothing). Set them with ``--behaviour name=value`` on the command line, or
by passing a :class:`Behaviour` to the app or the session core. docs/behaviours.md lists them
all, generated from this module (the comment above each field is its "why").

A choice between named values is an enum; a plain string is accepted and converted when the
Behaviour is built, so a typo fails at once with the list of values.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any, Generic, TypeVar

__all__ = [
    "Behaviour",
    "CancelledStatus",
    "CommitInVadMode",
    "DefaultVoice",
    "EmptyConversation",
    "ImageFormats",
    "LateSessionChange",
    "LiveTranslateShape",
    "OmniAudioRates",
    "OmniSessionFinish",
    "OmniTranscriptPosition",
    "ResponseCreateWhileActive",
    "ResponseCreateWording",
    "Scoped",
    "SpeechTimestamps",
    "ToolCalls",
    "ToolResultContinuation",
    "TranscriptionModelError",
    "TranslationStart",
    "UnknownCallId",
    "UnknownFields",
    "VoiceCheck",
    "parse_assignment",
]

T = TypeVar("T")


class Choice(str, Enum):
    """A named value of a Behaviour field; compares equal to its wire string."""

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def parse(cls, name: str, value: Any) -> Choice:
        """`value` as a member, or ValueError naming the field and the allowed values."""
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise ValueError(f"{name} must be one of {allowed}; got {value!r}") from None


class OmniSessionFinish(Choice):
    ACCEPT = "accept"
    REJECT = "reject"


class OmniTranscriptPosition(Choice):
    BEFORE_RESPONSE = "before_response"
    AFTER_RESPONSE = "after_response"


class CommitInVadMode(Choice):
    ERROR = "error"  # documented as manual-mode only (ASR, LiveTranslate)
    IGNORE = "ignore"  # accepted silently (a third party saw no harm)
    COMMIT = "commit"  # push-to-talk over VAD (Omni FAQ): commit now, answer on response.create


class SpeechTimestamps(Choice):
    SPEECH = "speech"  # audio_start_ms/audio_end_ms at the edges of the speech itself
    PADDED = "padded"  # OpenAI beta: onset − prefix_padding_ms, offset + silence_duration_ms


class TranslationStart(Choice):
    AFTER_SPEECH = "after_speech"  # the translation response starts after speech_stopped (G1)
    WHILE_SPEAKING = "while_speaking"  # each finished sentence is translated at once (G2)


class LiveTranslateShape(Choice):
    G1 = "g1"  # qwen3 pages: no conversation.item.created in responses, no item_id on speech events
    G2 = "g2"  # qwen3.5 pages


class CancelledStatus(Choice):
    CANCELLED = "cancelled"  # Qwen-Audio's page, OpenAI beta
    INCOMPLETE = "incomplete"  # DashScope's status enum has no "cancelled"


class UnknownCallId(Choice):
    ACCEPT = "accept"
    ERROR = "error"


class ResponseCreateWhileActive(Choice):
    ERROR = "error"
    QUEUE = "queue"


class ToolResultContinuation(Choice):
    WAIT = "wait"
    AUTO = "auto"


class ToolCalls(Choice):
    AUTO = "auto"
    NEVER = "never"


class DefaultVoice(Choice):
    DOCUMENTED = "documented"  # the voice the model's parameter table names as its default
    EXAMPLES = "examples"  # the voice every session.created example of the model shows


class TranscriptionModelError(Choice):
    DOCUMENTED = "documented"  # the ASR error example's list, 'whisper-1' (then taken as well)
    MODEL = "model"  # the model's own transcription model ids


class ImageFormats(Choice):
    JPEG = "jpeg"  # the API references: JPG/JPEG only
    JPEG_PNG = "jpeg_png"  # also PNG, as the LiveTranslate guide's own sample sends


class UnknownFields(Choice):
    IGNORE = "ignore"  # accepted and not echoed
    ERROR = "error"  # invalid_request_error naming the first one


class OmniAudioRates(Choice):
    DOCUMENTED = (
        "documented"  # each model's own reference: qwen3-omni-flash / turbo 16 kHz in, 24 kHz out
    )
    QWEN35 = "qwen3.5"  # the qwen3.5 `audio` object's rates, 8000/16000/24000/48000 each way


class TtsSegmentation(Choice):
    SENTENCE = "sentence"  # server_commit: synthesize as each sentence completes in the buffer
    FLUSH = "flush"  # server_commit: synthesize only on commit or session.finish


class TtsResponseOrder(Choice):
    OBSERVED = "observed"  # audio.done, content_part.done, output_item.done (live recording)
    DOCUMENTED = "documented"  # content_part.done, output_item.done, audio.done (doc tables)


class TtsUpdateUntil(Choice):
    FIRST_APPEND = "first_append"  # session.update accepted until the first text is appended
    FIRST_RESPONSE = "first_response"  # ... until the first response starts
    ONCE = "once"  # only the first session.update is accepted


class EmptyConversation(Choice):
    ERROR = "error"  # the "role of user" InvalidParameter error reported for qwen3.5
    ANSWER = "answer"  # answered like any response.create (qwen3-omni-flash)


class VoiceCheck(Choice):
    AT_RESPONSE = "at_response"  # session.updated takes any voice; the response is refused
    AT_UPDATE = "at_update"  # session.update is refused at once


class ResponseCreateWording(Choice):
    DOCUMENTED = "documented"  # the one documented refusal message
    USER_SPEAKING = "user_speaking"  # a message saying the user is speaking


class LateSessionChange(Choice):
    ERROR = "error"  # the update is refused with an invalid_request_error
    IGNORE = "ignore"  # the frozen fields keep their value; the rest of the update applies


class TtsWavStream(Choice):
    STREAMED = "streamed"  # a header of unknown length (sizes 0xFFFFFFFF), then PCM as it is made
    WHOLE = "whole"  # one complete WAV with exact sizes, made in one step


class TtsSegmentedCommit(Choice):
    COMMITTED = "committed"  # committed, no new response: the appended text is being spoken
    ERROR = "error"  # the empty-buffer error, as for a commit with nothing appended


@dataclass(frozen=True)
class Scoped(Generic[T]):
    """A choice whose value can differ per family or per model.

    `default` applies everywhere; `overrides` maps a family name ("omni") or a canonical model id
    ("qwen3.5-livetranslate-flash-realtime") to its own value. A model's own value wins over its
    family's. On the command line: ``name=value`` sets every scope, ``name=omni:commit,asr:error``
    overrides the scopes named and keeps the other defaults.
    """

    default: T
    overrides: tuple[tuple[str, T], ...] = ()

    def value_for(self, family: str, model_id: str) -> T:
        """The value that applies to `model_id` of `family`."""
        scoped = dict(self.overrides)
        if model_id in scoped:
            return scoped[model_id]
        return scoped.get(family, self.default)

    @property
    def value(self) -> T:
        """The one value of a resolved choice (:meth:`Behaviour.resolve`)."""
        if self.overrides:
            raise RuntimeError("a per-family choice must be resolved for a model first")
        return self.default

    def __str__(self) -> str:
        if not self.overrides:
            return _shown(self.default)
        scopes = ", ".join(f"{scope}: {_shown(value)}" for scope, value in self.overrides)
        return f"{_shown(self.default)} ({scopes})"


def _shown(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _parse_value(name: str, kind: Any, raw: Any) -> Any:
    """`raw` (a string from the CLI, or a value) as the type of the default `kind`."""
    if isinstance(kind, Choice):
        return type(kind).parse(name, raw)
    if isinstance(kind, bool):
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"{name} takes true or false, not {raw!r}")
        return str(raw).lower() in ("true", "1", "yes")
    try:
        return type(kind)(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name} takes a {type(kind).__name__}, not {raw!r}") from None


def _parse_scoped(name: str, current: Scoped[T], raw: Any) -> Scoped[T]:
    """A Scoped value from a plain value (every scope), a dict, or ``scope:value,...`` text."""
    if isinstance(raw, Scoped):
        return Scoped(
            _parse_value(name, current.default, raw.default),
            tuple((k, _parse_value(name, current.default, v)) for k, v in raw.overrides),
        )
    pairs: list[tuple[Any, Any]]
    if isinstance(raw, dict):
        pairs = list(raw.items())
    elif isinstance(raw, str) and ":" in raw:
        pairs = [(scope, value) for scope, _, value in (p.partition(":") for p in raw.split(","))]
    else:
        return Scoped(_parse_value(name, current.default, raw))
    overrides = dict(current.overrides)
    default = current.default
    for scope, value in pairs:
        parsed = _parse_value(name, current.default, value)
        if scope in ("*", "default"):
            default = parsed
        else:
            overrides[str(scope).strip()] = parsed
    return Scoped(default, tuple(overrides.items()))


@dataclass(frozen=True)
class Behaviour:
    """The mock's answers to the open questions of docs/protocol/events.md §7."""

    # §7.4 Omni session.finish: "accept" answers session.finished (what the SDK's end_session()
    # waits for); "reject" answers the invalid-event error reported for qwen3.5-omni. Per model:
    # the qwen3.5/3.8 Omni models reject by default (docs/protocol/omni-next.md §6.1: not an
    # event of theirs; the SDK's end_session() then raises), the qwen3 models accept.
    omni_session_finish: Scoped[OmniSessionFinish] = Scoped(
        OmniSessionFinish.ACCEPT,
        (
            ("qwen3.5-omni-plus-realtime", OmniSessionFinish.REJECT),
            ("qwen3.5-omni-flash-realtime", OmniSessionFinish.REJECT),
            ("qwen3.8-omni-flash-realtime", OmniSessionFinish.REJECT),
        ),
    )
    # §7.5 after a cancel (or barge-in) the open parts get their .done events; whether a
    # response.done with status "cancelled" follows (Qwen-Audio and OpenAI beta: yes).
    cancel_sends_response_done: bool = True
    # §7.6 Omni: the user's transcription.completed goes "before_response" (as the VAD flow
    # lists it) or "after_response" (asynchronous, as in OpenAI beta).
    omni_transcript_position: OmniTranscriptPosition = OmniTranscriptPosition.BEFORE_RESPONSE
    # §7.9 input_audio_buffer.commit in VAD mode: "error" (ASR and LiveTranslate document it as
    # manual-mode only), "ignore" (a third party saw no harm), or "commit" (Omni's SDK FAQ: "When
    # turn_detection is enabled, you can still manually trigger responses using commit and
    # create_response"): the buffer is committed now and answered on response.create.
    commit_in_vad_mode: Scoped[CommitInVadMode] = Scoped(
        CommitInVadMode.ERROR, (("omni", CommitInVadMode.COMMIT),)
    )
    # §7.10 ASR manual mode: send the user item's conversation.item.created after committed
    # (as in VAD mode and OpenAI beta).
    asr_manual_item_created: bool = True
    # §7.13 ASR session.finished carries `transcript` (the official samples read it).
    asr_finished_transcript: bool = False
    # §7.12 accept the legacy format strings pcm16/pcm24 on models whose newest docs name only
    # pcm. The SDKs send pcm16 (and the Java SDK pcm24) to Omni and LiveTranslate, so they take
    # them; the ASR error example shows pcm16 refused ("Supported values are: 'pcm', 'opus'").
    legacy_format_strings: Scoped[bool] = Scoped(True, (("asr", False),))
    # §7.11 / §7.2 session duration cap in seconds; 0 uses the family's documented cap
    # (Omni 120 minutes, none for ASR and LiveTranslate). Closed with `cap_close_code`.
    session_cap_s: float = 0.0
    # docs/protocol/events.md §7.2: the close code when the cap is reached (the docs name none).
    cap_close_code: int = 1000
    # Omni response.create while a response is still in progress: "error" (Qwen-Audio, same
    # endpoint, rejects it) or "queue" (answered after the current one).
    response_create_while_active: ResponseCreateWhileActive = ResponseCreateWhileActive.ERROR
    # docs/protocol/sequences.md §3.5: after a function_call_output, "wait" for response.create (newer docs)
    # or "auto" continue (older revision).
    tool_result_continuation: ToolResultContinuation = ToolResultContinuation.WAIT
    # When tools are configured, "auto" answers each user turn with a call of the first tool
    # (its arguments built from the tool's JSON Schema); "never" always answers with text.
    tool_calls: ToolCalls = ToolCalls.AUTO
    # Auto-detected source language: the mock cannot listen, so it assumes this. The qwen3
    # LiveTranslate guide: "Source language: ... Default: en (English)".
    assumed_language: str = "en"
    # speech_started.audio_start_ms / speech_stopped.audio_end_ms: "speech" puts them at the
    # edges of the speech (ASR: "ms from start of buffered audio to speech start"; the Omni
    # example pair 3647 → 4453 for a 0.8 s utterance), "padded" is OpenAI beta's convention.
    speech_timestamps: SpeechTimestamps = SpeechTimestamps.SPEECH
    # The SDK references: connect "Triggers session.created and session.updated events", with no
    # client event: an unprompted session.updated (the defaults) follows session.created.
    updated_on_connect: bool = True
    # docs/protocol/events.md §2.4 / docs/protocol/sequences.md §1.2: G2 says translation "usually starts while the speaker
    # is still talking"; the G1 guide replies once the end of audio is detected.
    translation_start: Scoped[TranslationStart] = Scoped(
        TranslationStart.AFTER_SPEECH,
        (("qwen3.5-livetranslate-flash-realtime", TranslationStart.WHILE_SPEAKING),),
    )
    # The qwen3.5 LiveTranslate examples show voice "Cherry", which its voice list omits: accept
    # the voices a model's examples show as well as its documented list.
    example_voices: bool = True
    # Which documentation generation shapes LiveTranslate events (docs/protocol/events.md §2): on G1 (qwen3)
    # responses carry no conversation.item.created and speech events no item_id.
    livetranslate_shape: Scoped[LiveTranslateShape] = Scoped(
        LiveTranslateShape.G2, (("qwen3-livetranslate-flash-realtime", LiveTranslateShape.G1),)
    )
    # The status of a cancelled response: "cancelled" (Qwen-Audio's page) or "incomplete"
    # (DashScope's status enum: completed/failed/in_progress/incomplete).
    cancelled_status: CancelledStatus = CancelledStatus.CANCELLED
    # Omni function_call_output whose call_id the server never issued: the docs are silent.
    unknown_call_id: UnknownCallId = UnknownCallId.ACCEPT
    # Manual mode, families with no documented cap (LiveTranslate, Omni): the most audio the
    # uncommitted buffer holds, in ms (ASR documents 60 s per commit, docs/protocol/events.md §1.9). An append
    # past it gets an invalid_request_error and nothing buffered is lost.
    audio_buffer_cap_ms: int = 60_000
    # VAD mode, every family: an utterance that goes on this long without a pause is ended by the
    # server (speech_stopped at the cap, then the usual answer), so one utterance's audio is
    # bounded. The docs name no limit.
    max_utterance_ms: int = 60_000
    # Omni `session.audio` (the SDKs' AudioFormatConfig) on a model whose reference predates the
    # object: "documented" takes what the model's reference states (qwen3-omni-flash and turbo:
    # input "only 16 kHz mono PCM", docs/protocol/events.md §4.2 `input_audio_format`; output
    # 24 kHz, "the output rate cannot be chosen", §4.2 `output_audio_format`); "qwen3.5" takes
    # the rates the qwen3.5 `audio` object documents, 8000/16000/24000/48000 each way (§1.10).
    omni_audio_rates: OmniAudioRates = OmniAudioRates.DOCUMENTED
    # qwen3.5 LiveTranslate's default voice: its voice list says "Tina (default)"
    # (docs/protocol/events.md §2.6, §2.2 `voice`), while every qwen3.5 session.created example
    # shows "Cherry" (session.created.qwen3.5.json), a voice the list lacks, likely kept from
    # qwen3's examples. "documented" follows the list; "examples" starts sessions as the examples.
    livetranslate_default_voice: DefaultVoice = DefaultVoice.DOCUMENTED
    # ASR input_audio_transcription.model that the model does not take: the docs' example error
    # reads "Invalid value: 'whisper-1xx'. Supported values are: 'whisper-1'."
    # (docs/protocol/events.md §1.7, OpenAI's wording as the page prints it). "documented" answers
    # so, and takes 'whisper-1' (an error never lists a value that is refused) besides the model's
    # own id, which the v2 SDK sends; "model" lists the model's own ids.
    asr_transcription_model_error: TranscriptionModelError = TranscriptionModelError.DOCUMENTED
    # input_image_buffer.append: the API references take "JPG/JPEG only" (docs/protocol/events.md
    # §1.9, §2.1), while the LiveTranslate guide's own sample code sends a PNG frame. "jpeg"
    # follows the references; "jpeg_png" also takes PNG (same size, resolution and rate limits).
    image_formats: ImageFormats = ImageFormats.JPEG
    # A session.update field the family's reference does not have (`foo`; `instructions`,
    # `temperature` or `tools` on LiveTranslate, which are Omni's): the docs are silent, and the
    # official SDKs pass a user's extra keyword arguments into the session object unchecked
    # (OmniRealtimeConversation.update_session: `self.config.update(kwargs)`). "ignore" takes
    # and never echoes them; "error" answers invalid_request_error `unknown_parameter`.
    unknown_session_fields: UnknownFields = UnknownFields.IGNORE
    # Off by default. A third-party plugin written for this endpoint says the live service may
    # still deliver buffered deltas after a response.cancel, before its cancelled response.done,
    # and now and then output after response.done. On: a cut response (cancel, barge-in) sends
    # 1-3 more of its unsent deltas before its closing events and, one time in four, one more
    # delta after its response.done; how many is drawn from a generator seeded by the session
    # id (so the same seed gives the same late output), to test a client's robustness to it.
    late_deltas: bool = False
    # docs/protocol/tts.md §6.2: when server_commit mode starts a response ("internal rules",
    # undocumented): at each completed sentence, or only on commit / session.finish.
    tts_segmentation: TtsSegmentation = TtsSegmentation.SENTENCE
    # docs/protocol/tts.md §6.4: the doc tables end a response content_part.done,
    # output_item.done, audio.done; a recording of the live service sends audio.done first.
    tts_response_order: TtsResponseOrder = TtsResponseOrder.OBSERVED
    # docs/protocol/tts.md §4.3: when a TTS session counts as started, after which session.update
    # gets "Session update error: session already started or finished or failed."
    tts_update_until: TtsUpdateUntil = TtsUpdateUntil.FIRST_APPEND
    # docs/protocol/tts.md §5: the TTS error example has no error.type (nor param); true adds
    # type "invalid_request_error" / "server_error" as the other families send.
    tts_error_type: bool = False
    # docs/protocol/tts.md §8: no text limit is documented; the most text (characters) a TTS
    # session buffers before it is synthesized. An append past it gets an error.
    tts_text_buffer_cap_chars: int = 20_000
    # docs/protocol/omni-next.md §6.2 qwen3.5/3.8 Omni response.create while the conversation
    # holds no user message (audio or text): "error" (InvalidParameter, "role of user", [3p]) or
    # "answer".
    next_omni_empty_conversation: EmptyConversation = EmptyConversation.ERROR
    # docs/protocol/omni-next.md §4 qwen3.5/3.8 Omni voice outside the model's list: refused
    # "at_response" (a probe saw session.updated for any voice, the error with the first
    # response) or "at_update".
    next_omni_voice_check: VoiceCheck = VoiceCheck.AT_RESPONSE
    # docs/protocol/omni-next.md §3 qwen3.5/3.8 Omni: a transcription model other than
    # qwen3-asr-flash-realtime (clients still send gummy-realtime-v1) is taken as that model
    # (true) or refused (false).
    next_omni_normalise_transcription: bool = True
    # docs/protocol/events.md §1.6 qwen3.5/3.8 Omni: a voice change once the session has spoken
    # is refused with code cannot_update_voice ([3p], seen through a gateway) (true), or taken.
    next_omni_voice_fixed_after_audio: bool = True
    # docs/protocol/omni-next.md §8 Omni function tools in OpenAI Realtime's flat shape
    # ({"type": "function", "name": ...}, sent by agentduet-adapters to qwen3.5) instead of the
    # documented nested `function` object: taken as the nested shape (true; recommended for the
    # next models, where acceptance is unconfirmed) or refused (false; the qwen3 pages show the
    # nested shape only).
    flat_function_tools: Scoped[bool] = Scoped(
        False,
        (
            ("qwen3.5-omni-plus-realtime", True),
            ("qwen3.5-omni-flash-realtime", True),
            ("qwen3.8-omni-flash-realtime", True),
        ),
    )
    # docs/protocol/qwen-audio.md §3 / §6: Qwen-Audio's turn_detection and input_audio_format
    # are "not allowed" to change after the first audio, without saying whether the server
    # answers an error or ignores the change: "error" (the update is refused) or "ignore".
    qwen_audio_late_session_change: LateSessionChange = LateSessionChange.ERROR
    # docs/protocol/qwen-audio.md §3.1: Qwen-Audio documents five voices; two third-party probes
    # found ten more accepted. true accepts those as well.
    qwen_audio_probed_voices: bool = True
    # docs/protocol/qwen-audio.md §5.3: in smart_turn mode a meaningless sound ("嗯") is not a
    # turn; the docs give no criterion. The mock judges an utterance with less speech than this
    # (ms) meaningless: speech_stopped reason turn_invalid, ambient transcription, no answer.
    smart_turn_min_speech_ms: int = 500
    # docs/protocol/qwen-audio.md §2.2: in smart_turn mode response.create is refused from
    # speech_started until the turn's response.done, with the one documented message
    # ("documented"). livekit-plugins-aliyun retries a refusal whose message contains "user is
    # speaking" (its realtime.py, _handle_error), which suggests the live service words the
    # refusal during the user's turn so: "user_speaking".
    qwen_audio_user_turn_refusal: ResponseCreateWording = ResponseCreateWording.DOCUMENTED
    # docs/protocol/tts.md §4.1: response_format "wav" is listed without saying what the WAV
    # header of a response sent as it is made holds. "streamed": a 44-byte RIFF/WAVE header whose
    # RIFF and data sizes are 0xFFFFFFFF (the convention for a WAV of unknown length written to a
    # pipe), then the PCM as it is synthesized, a bounded step at a time. "whole": one complete
    # WAV with exact sizes, synthesized and encoded in one step (on a long text that step holds
    # the event loop far past 5 ms).
    tts_wav_stream: TtsWavStream = TtsWavStream.STREAMED
    # docs/protocol/tts.md §3, §6.2: a commit in server_commit mode synthesizes what is buffered
    # "right away", and an empty buffer is an error; when the server cuts text into responses is
    # not documented. A commit that follows appended text the server's own segmentation already
    # spoke (every sentence complete) finds the buffer empty only by the server's doing:
    # "committed" answers input_text_buffer.committed and no new response (the text is in the
    # responses already made); "error" answers the empty-buffer error.
    tts_commit_after_segmentation: TtsSegmentedCommit = TtsSegmentedCommit.COMMITTED
    # docs/protocol/events.md §4.3: text is streamed in deltas, at no documented rate. In fast
    # pace (docs/pace.md) the audio time one text delta takes to play where no audio is under it
    # (a text-only answer, a tool call's arguments, words of no syllable), in ms, at least 1: 20
    # is about 150 words or characters a second, as a model writes. Under speech the audio
    # decides. An answer is then never all due the instant it starts, so no step makes a long
    # one whole.
    text_delta_ms: int = 20

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(spec.default, Scoped):
                object.__setattr__(self, spec.name, _parse_scoped(spec.name, spec.default, value))
            elif isinstance(spec.default, Choice):
                object.__setattr__(self, spec.name, type(spec.default).parse(spec.name, value))
        if self.session_cap_s < 0:
            raise ValueError("session_cap_s must be >= 0")
        for name in ("audio_buffer_cap_ms", "max_utterance_ms"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0")
        if self.tts_text_buffer_cap_chars <= 0:
            raise ValueError("tts_text_buffer_cap_chars must be > 0")
        if self.smart_turn_min_speech_ms < 0:
            raise ValueError("smart_turn_min_speech_ms must be >= 0")
        if self.text_delta_ms < 1:
            raise ValueError("text_delta_ms must be >= 1")

    def resolve(self, family: str, model_id: str) -> Behaviour:
        """This Behaviour as it applies to one model: every per-family choice reduced to its
        value there (a session resolves its Behaviour once, when it opens; a server opens
        thousands with the same one, so the answer is remembered)."""
        return _resolved(self, family, model_id)

    def with_assignments(self, assignments: list[str]) -> Behaviour:
        """A copy with `name=value` strings applied (the CLI's --behaviour flags)."""
        changes = dict(parse_assignment(a) for a in assignments)
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def choices(cls) -> dict[str, str]:
        """Each field and its values, for --help: ``{"tool_calls": "auto|never", ...}``."""
        described = {}
        for spec in fields(cls):
            default = spec.default
            kind = default.default if isinstance(default, Scoped) else default
            if isinstance(kind, Choice):
                described[spec.name] = "|".join(m.value for m in type(kind))
            elif isinstance(kind, bool):
                described[spec.name] = "true|false"
            else:
                described[spec.name] = type(kind).__name__
        return described


# Names a behaviour no longer has, each with how to write it now (ValueError says so).
_MERGED = {
    "next_omni_session_finish": "it is now the per-model omni_session_finish: write "
    "omni_session_finish=qwen3.5-omni-plus-realtime:accept for one model, "
    "omni_session_finish=accept for every model",
}


def parse_assignment(text: str) -> tuple[str, object]:
    """`name=value` → (name, typed value), typed by the field's default; ValueError if unknown.

    A per-family choice also takes ``name=scope:value,scope:value`` (scope: a family name or a
    canonical model id), which overrides those scopes and keeps the other defaults.
    """
    name, sep, raw = text.partition("=")
    if name in _MERGED:
        raise ValueError(f"behaviour {name!r} is gone; {_MERGED[name]}")
    known = {f.name: f for f in fields(Behaviour)}
    if not sep or name not in known:
        raise ValueError(f"unknown behaviour {name!r}; known: {', '.join(sorted(known))}")
    default = known[name].default
    if isinstance(default, Scoped):
        return name, _parse_scoped(name, default, raw)
    return name, _parse_value(name, default, raw)


@functools.lru_cache(maxsize=256)
def _resolved(behaviour: Behaviour, family: str, model_id: str) -> Behaviour:
    """:meth:`Behaviour.resolve`, once per distinct Behaviour and model (a Behaviour is frozen
    and its fields are enums, numbers and :class:`Scoped` tuples, so it is hashable)."""
    changes: dict[str, Any] = {
        spec.name: Scoped(getattr(behaviour, spec.name).value_for(family, model_id))
        for spec in fields(behaviour)
        if isinstance(spec.default, Scoped)
    }
    return dataclasses.replace(behaviour, **changes)
