"""What a model family is: one :class:`Family` record holding every fact about it.

A family (LiveTranslate, ASR, Omni, or one a user registers) is its name, its session class, its
`session.update` rules, its dialect (event names and field shapes, events.md §5), the folder of
its schemas and the models it serves. The server, the schema catalogue, the CLI, ``/healthz`` and
the tests all read these records from the registry (:mod:`.registry`); nothing else lists
families. Per-model facts live in a :class:`ModelSpec`, which each family extends with the
fields that apply to it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import schemas

from .behaviour import Behaviour

if TYPE_CHECKING:
    from .session import Session

__all__ = ["ConfigRules", "Dialect", "Family", "ModelSpec"]


@dataclass(frozen=True, kw_only=True)
class Dialect:
    """Event names and field shapes that differ between families (events.md §5)."""

    client_events: tuple[str, ...]  # the client event types this family accepts
    text_stream: str = ""  # streaming assistant text, text-only output
    transcript_stream: str = ""  # streaming assistant text, audio output
    user_transcript_stream: str = ""  # live source-speech transcript
    stream_has_stash: bool = False  # `text`+`stash` (LiveTranslate, ASR) vs `delta` (Omni)
    error_has_event_id: bool = False  # error.event_id (ASR pages; Omni: the v2 SDK relies on it)
    committed_fields: tuple[str, ...] = ()  # input_audio_buffer.committed (events.md §5)
    item_created_has_previous_id: bool = False  # conversation.item.created has previous_item_id
    completed_has_language: bool = False  # transcription.completed has language (not Omni)
    user_stream_has_obfuscation: bool = False  # Omni's transcription.delta carries `obfuscation`


@dataclass(frozen=True, kw_only=True)
class ModelSpec:
    """The facts of one model (and its dated snapshots) that every family has."""

    model_id: str
    snapshots: tuple[str, ...] = ()
    defaults: Mapping[str, Any]  # the documented default configuration (session.created)
    # optional session keys echoed even when the client never set them
    echoed_by_default: frozenset[str] = frozenset()
    session_cap_s: float = 0.0  # documented session duration cap; 0 = none documented

    def default_session(self) -> dict[str, Any]:
        """A fresh copy of the documented default configuration (what session.created shows)."""
        return copy.deepcopy(dict(self.defaults))


class ConfigRules(Protocol):
    """A family's `session.update` rules: what its schema cannot say, plus merge and echo.

    The schema has already checked every shape, type, enum and range when these run.
    """

    def apply_update(self, model: Any, current: dict, update: dict, behaviour: Behaviour) -> dict:
        """The configuration after `update`, or ProtocolError; `current` is never modified."""
        ...

    def render(
        self, model: Any, config: dict, session_id: str, model_id: str, *, updated: bool
    ) -> dict:
        """The `session` object of `session.created` (updated=False) or `session.updated`."""
        ...


@dataclass(frozen=True, kw_only=True)
class Family:
    """One model family, registered once (:mod:`.registry`); everything else derives from it."""

    name: str  # as schemas name it in `x-families`
    summary: str  # one line for --help, /healthz and the docs
    session_class: type[Session]
    rules: ConfigRules
    dialect: Dialect
    models: tuple[ModelSpec, ...]
    # the folder holding this family's event schemas (common/, client/, server/); its files may
    # $ref the built-in ones by $id
    schema_folder: schemas.Folder = field(default=schemas.FOLDER)

    @property
    def schemas(self) -> schemas.Catalogue:
        """The schemas this family's events are checked against (built once)."""
        return schemas.catalogue(self.schema_folder)

    def model_ids(self) -> list[str]:
        """Every wire id this family answers to: canonical ids, then snapshots."""
        return [m.model_id for m in self.models] + [s for m in self.models for s in m.snapshots]
