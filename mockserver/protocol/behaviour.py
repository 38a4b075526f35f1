"""Named choices for what the docs leave open (docs/protocol/events.md §7), one field per choice.

Every point the documentation marks UNCONFIRMED that the mock has to decide is a field here, with
the default closest to the documented behaviour of the sibling families (or OpenAI Realtime beta
where DashScope says nothing). Set them with ``--behaviour name=value`` on the command line, or
by passing a :class:`Behaviour` to the app or the session core. The README lists them all.

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
    "LateSessionChange",
    "LiveTranslateShape",
    "OmniSessionFinish",
    "OmniTranscriptPosition",
    "ResponseCreateWhileActive",
    "ResponseCreateWording",
    "Scoped",
    "SpeechTimestamps",
    "ToolCalls",
    "ToolResultContinuation",
    "TranslationStart",
    "UnknownCallId",
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


class ResponseCreateWording(Choice):
    DOCUMENTED = "documented"  # the one documented refusal message
    USER_SPEAKING = "user_speaking"  # a message saying the user is speaking


class LateSessionChange(Choice):
    ERROR = "error"  # the update is refused with an invalid_request_error
    IGNORE = "ignore"  # the frozen fields keep their value; the rest of the update applies


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
    # waits for); "reject" answers the invalid-event error reported for qwen3.5-omni.
    omni_session_finish: OmniSessionFinish = OmniSessionFinish.ACCEPT
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
        if self.smart_turn_min_speech_ms < 0:
            raise ValueError("smart_turn_min_speech_ms must be >= 0")

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


def parse_assignment(text: str) -> tuple[str, object]:
    """`name=value` → (name, typed value), typed by the field's default; ValueError if unknown.

    A per-family choice also takes ``name=scope:value,scope:value`` (scope: a family name or a
    canonical model id), which overrides those scopes and keeps the other defaults.
    """
    name, sep, raw = text.partition("=")
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
