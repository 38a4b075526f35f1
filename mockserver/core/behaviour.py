"""Named choices for what the docs leave open (events.md §7), one field per choice.

Every point the documentation marks UNCONFIRMED that the mock has to decide is a field here, with
the default closest to the documented behaviour of the sibling families (or OpenAI Realtime beta
where DashScope says nothing). Set them with ``--behaviour name=value`` on the command line, or
by passing a :class:`Behaviour` to the app or the session core. The README lists them all.

A choice between named values is an enum; a plain string is accepted and converted when the
Behaviour is built, so a typo fails at once with the list of values.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any

__all__ = [
    "Behaviour",
    "CommitInVadMode",
    "OmniSessionFinish",
    "OmniTranscriptPosition",
    "ResponseCreateWhileActive",
    "ToolCalls",
    "ToolResultContinuation",
    "parse_assignment",
]


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
    ERROR = "error"
    IGNORE = "ignore"


class ResponseCreateWhileActive(Choice):
    ERROR = "error"
    QUEUE = "queue"


class ToolResultContinuation(Choice):
    WAIT = "wait"
    AUTO = "auto"


class ToolCalls(Choice):
    AUTO = "auto"
    NEVER = "never"


@dataclass(frozen=True)
class Behaviour:
    """The mock's answers to the open questions of events.md §7."""

    # §7.4 Omni session.finish: "accept" answers session.finished (what the SDK's end_session()
    # waits for); "reject" answers the invalid-event error reported for qwen3.5-omni.
    omni_session_finish: OmniSessionFinish = OmniSessionFinish.ACCEPT
    # §7.5 after a cancel (or barge-in) the open parts get their .done events; whether a
    # response.done with status "cancelled" follows (Qwen-Audio and OpenAI beta: yes).
    cancel_sends_response_done: bool = True
    # §7.6 Omni: the user's transcription.completed goes "before_response" (as the VAD flow
    # lists it) or "after_response" (asynchronous, as in OpenAI beta).
    omni_transcript_position: OmniTranscriptPosition = OmniTranscriptPosition.BEFORE_RESPONSE
    # §7.9 input_audio_buffer.commit in VAD mode: "error" (documented as not allowed) or
    # "ignore" (a third party saw no harm).
    commit_in_vad_mode: CommitInVadMode = CommitInVadMode.ERROR
    # §7.10 ASR manual mode: send the user item's conversation.item.created after committed
    # (as in VAD mode and OpenAI beta).
    asr_manual_item_created: bool = True
    # §7.13 ASR session.finished carries `transcript` (the official samples read it).
    asr_finished_transcript: bool = False
    # §7.12 accept the legacy format strings pcm16/pcm24 on models whose newest docs name only
    # pcm (the official SDK sends pcm16 by default; the ASR docs show it rejected).
    legacy_format_strings: bool = True
    # §7.11 / §7.2 session duration cap in seconds; 0 uses the family's documented cap
    # (Omni 120 minutes, none for ASR and LiveTranslate). Closed with `cap_close_code`.
    session_cap_s: float = 0.0
    cap_close_code: int = 1000
    # Omni response.create while a response is still in progress: "error" (Qwen-Audio, same
    # endpoint, rejects it) or "queue" (answered after the current one).
    response_create_while_active: ResponseCreateWhileActive = ResponseCreateWhileActive.ERROR
    # sequences.md §3.5: after a function_call_output, "wait" for response.create (newer docs)
    # or "auto" continue (older revision).
    tool_result_continuation: ToolResultContinuation = ToolResultContinuation.WAIT
    # When tools are configured, "auto" answers each user turn with a call of the first tool
    # (its arguments built from the tool's JSON Schema); "never" always answers with text.
    tool_calls: ToolCalls = ToolCalls.AUTO
    # Auto-detected source language (ASR, Omni): the mock cannot listen, so it assumes this.
    assumed_language: str = "en"

    def __post_init__(self) -> None:
        for spec in fields(self):
            if isinstance(spec.default, Choice):
                value = type(spec.default).parse(spec.name, getattr(self, spec.name))
                object.__setattr__(self, spec.name, value)
        if self.session_cap_s < 0:
            raise ValueError("session_cap_s must be >= 0")

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
            if isinstance(default, Choice):
                described[spec.name] = "|".join(m.value for m in type(default))
            elif isinstance(default, bool):
                described[spec.name] = "true|false"
            else:
                described[spec.name] = type(default).__name__
        return described


def parse_assignment(text: str) -> tuple[str, object]:
    """`name=value` → (name, typed value), typed by the field's default; ValueError if unknown."""
    name, sep, raw = text.partition("=")
    known = {f.name: f for f in fields(Behaviour)}
    if not sep or name not in known:
        raise ValueError(f"unknown behaviour {name!r}; known: {', '.join(sorted(known))}")
    default = known[name].default
    if isinstance(default, Choice):
        return name, type(default).parse(name, raw)
    if isinstance(default, bool):
        if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"{name} takes true or false, not {raw!r}")
        return name, raw.lower() in ("true", "1", "yes")
    if default is dataclasses.MISSING:
        raise TypeError(f"behaviour {name!r} has no default to type its value by")
    kind = type(default)
    try:
        return name, kind(raw)
    except ValueError:
        raise ValueError(f"{name} takes a {kind.__name__}, not {raw!r}") from None
