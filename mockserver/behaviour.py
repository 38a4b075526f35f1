"""Named choices for what the docs leave open (events.md §7), one field per choice.

Every point the documentation marks UNCONFIRMED that the mock has to decide is a field here, with
the default closest to the documented behaviour of the sibling families (or OpenAI Realtime beta
where DashScope says nothing). Set them with ``--behaviour name=value`` on the command line, or
by passing a :class:`Behaviour` to the app or the session core. The README lists them all.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields

__all__ = ["Behaviour", "parse_assignment"]


@dataclass(frozen=True)
class Behaviour:
    """The mock's answers to the open questions of events.md §7."""

    # §7.4 Omni session.finish: "accept" answers session.finished (what the SDK's end_session()
    # waits for); "reject" answers the invalid-event error reported for qwen3.5-omni.
    omni_session_finish: str = "accept"
    # §7.5 after a cancel (or barge-in) the open parts get their .done events; whether a
    # response.done with status "cancelled" follows (Qwen-Audio and OpenAI beta: yes).
    cancel_sends_response_done: bool = True
    # §7.6 Omni: the user's transcription.completed goes "before_response" (as the VAD flow
    # lists it) or "after_response" (asynchronous, as in OpenAI beta).
    omni_transcript_position: str = "before_response"
    # §7.9 input_audio_buffer.commit in VAD mode: "error" (documented as not allowed) or
    # "ignore" (a third party saw no harm).
    commit_in_vad_mode: str = "error"
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
    response_create_while_active: str = "error"
    # sequences.md §3.5: after a function_call_output, "wait" for response.create (newer docs)
    # or "auto" continue (older revision).
    tool_result_continuation: str = "wait"
    # When tools are configured, "auto" answers each user turn with a call of the first tool
    # (its arguments built from the tool's JSON Schema); "never" always answers with text.
    tool_calls: str = "auto"
    # Auto-detected source language (ASR, Omni): the mock cannot listen, so it assumes this.
    assumed_language: str = "en"

    def __post_init__(self) -> None:
        choices = {
            "omni_session_finish": ("accept", "reject"),
            "omni_transcript_position": ("before_response", "after_response"),
            "commit_in_vad_mode": ("error", "ignore"),
            "response_create_while_active": ("error", "queue"),
            "tool_result_continuation": ("wait", "auto"),
            "tool_calls": ("auto", "never"),
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"{name} must be one of {', '.join(allowed)}; got {getattr(self, name)!r}"
                )
        if self.session_cap_s < 0:
            raise ValueError("session_cap_s must be >= 0")

    def with_assignments(self, assignments: list[str]) -> Behaviour:
        """A copy with `name=value` strings applied (the CLI's --behaviour flags)."""
        changes = dict(parse_assignment(a) for a in assignments)
        return dataclasses.replace(self, **changes)


def parse_assignment(text: str) -> tuple[str, object]:
    """`name=value` → (name, typed value), typed by the field's default; ValueError if unknown."""
    name, sep, raw = text.partition("=")
    known = {f.name: f for f in fields(Behaviour)}
    if not sep or name not in known:
        raise ValueError(f"unknown behaviour {name!r}; known: {', '.join(sorted(known))}")
    kind = type(known[name].default)
    if kind is bool:
        if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"{name} takes true or false, not {raw!r}")
        return name, raw.lower() in ("true", "1", "yes")
    try:
        return name, kind(raw)
    except ValueError:
        raise ValueError(f"{name} takes a {kind.__name__}, not {raw!r}") from None
