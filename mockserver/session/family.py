"""What a model family is: one :class:`Family` record holding every fact about it.

A family (LiveTranslate, ASR, Omni, or one a user registers) is its name, its session class, its
`session.update` rules, its dialect (event names and field shapes, docs/protocol/events.md §5), the folder of
its schemas and the models it serves. The server, the schema catalogue, the CLI, ``/healthz`` and
the tests all read these records from the registry (:mod:`.registry`); nothing else lists
families. Per-model facts live in a :class:`ModelSpec`, which each family extends with the
fields that apply to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dashscope_realtime_mock import schemas

from ..protocol.dialect import Dialect
from ..protocol.rules import ConfigRules
from ..protocol.spec import ModelSpec
from .base import Session

__all__ = ["ConfigRules", "Dialect", "Family", "ModelSpec"]


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
