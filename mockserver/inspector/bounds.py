"""What the inspector's memory bounds dropped, in the sentences its page shows.

The store counts what each bound of :class:`~.store.Limits` dropped (sessions forgotten, events
kept as their type alone or not at all, audio not kept); here each count becomes one plain
statement naming how much, the bound's value and its name in ``Limits`` (the one place the bounds
are set: ``Inspector(Limits(...))``). The page shows them where a user looks: the server-wide ones
above the list of sessions, a session's above its events, and its audio ones where the waveform
would be. Nothing dropped, no statement.
"""

from __future__ import annotations

from typing import Any

from .store import Limits, SessionRecord, SessionStore

__all__ = ["bound_text", "session_notes", "store_notes"]

# What each bound keeps, with {n} (so many sessions or events) or {size} (characters) for the
# bound's value.
_KEEPS = {
    "sessions": "the latest {n}",
    "events_per_session": "at most {n} per session",
    "audio_per_session": "at most {size} of base64 audio per session",
    "audio_total": "at most {size} of base64 audio in all sessions together",
    "content_per_event": "at most {size} of non-audio content per event",
    "content_per_session": "at most {size} of non-audio content per session",
    "content_total": "at most {size} of non-audio content in all sessions together",
}
_LACKING = "The waveform, the players and the downloads lack that audio."


def bound_text(bound: str, limits: Limits) -> str:
    """'the inspector keeps … (Limits.NAME)': what the bound named `bound` keeps, and its name."""
    value: int = getattr(limits, bound)
    n = _many(value, "session" if bound == "sessions" else "event")
    keeps = _KEEPS[bound].format(n=n, size=_size(value))
    return f"the inspector keeps {keeps} (Limits.{bound})"


def store_notes(store: SessionStore) -> list[dict[str, Any]]:
    """The server-wide statements: sessions forgotten, per bound that forgot them."""
    return [
        _note(
            "sessions",
            bound,
            store.limits,
            count,
            f"{_many(count, 'session')} {_was(count)} forgotten to make room for newer ones",
        )
        for bound, count in store.forgotten_by.items()
    ]


def session_notes(record: SessionRecord, limits: Limits) -> list[dict[str, Any]]:
    """One session's statements: events not kept, events kept as their type only, audio not
    kept (`what` is "events" or "audio"), per bound that dropped them."""
    notes = []
    if count := record.dropped_events:
        said = f"{_many(count, 'event')} of this session {_was(count)} not kept, only counted"
        notes.append(_note("events", "events_per_session", limits, count, said))
    for bound, count in record.not_kept_by.items():
        said = f"{_many(count, 'event')} of this session {_was(count)} kept as {_their(count)} type only"
        notes.append(_note("events", bound, limits, count, said))
    if record.audio_stripped:
        said = (
            "The audio of this session was dropped after it closed, to make room for newer sessions"
        )
        notes.append(_note("audio", "audio_total", limits, 1, said, _LACKING))
        return notes
    for bound, count in record.audio_not_kept_by.items():
        said = f"{_many(count, 'audio event')} of this session {_was(count)} kept without {_their(count)} audio"
        notes.append(_note("audio", bound, limits, count, said, _LACKING))
    return notes


def _note(
    what: str, bound: str, limits: Limits, count: int, said: str, then: str = ""
) -> dict[str, Any]:
    text = f"{said}: {bound_text(bound, limits)}." + (f" {then}" if then else "")
    return {
        "what": what,
        "bound": bound,
        "limit": getattr(limits, bound),
        "count": count,
        "text": text,
    }


def _many(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _was(count: int) -> str:
    return "was" if count == 1 else "were"


def _their(count: int) -> str:
    return "its" if count == 1 else "their"


def _size(characters: int) -> str:
    """A bound in characters, in MiB or KiB when it is a whole number of them."""
    for unit, name in ((2**20, "MiB"), (2**10, "KiB")):
        if characters and characters % unit == 0:
            return f"{characters // unit:,} {name}"
    return f"{characters:,} characters"
