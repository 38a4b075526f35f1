"""The families the mock serves, and the model ids that pick them: the one list of families.

Register a family with :meth:`FamilyRegistry.register` (the built-in three are registered by
:mod:`dashscope_realtime_mock.families`, which holds the registry every server uses). A connection's `model`
query parameter is the only way the real service picks a model (docs/protocol/events.md §1.1):
:meth:`FamilyRegistry.lookup` resolves it, dated snapshots included, and the wire id the client
asked for is what gets echoed. :meth:`FamilyRegistry.open_session` opens the right session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..protocol.spec import ModelSpec
from .base import Session
from .family import Family

__all__ = ["FamilyRegistry", "Model"]


@dataclass(frozen=True)
class Model:
    """A wire model id resolved: the family serving it and the spec of its model."""

    family: Family
    spec: ModelSpec
    model_id: str  # as the client asked for it (a snapshot id stays a snapshot id)


class FamilyRegistry:
    """Families by name and models by wire id; registration checks a family is complete."""

    def __init__(self) -> None:
        self._families: dict[str, Family] = {}
        self._models: dict[str, tuple[Family, ModelSpec]] = {}

    def register(self, family: Family) -> Family:
        """Add `family`; ValueError if its name or a model id is taken, or a schema is missing."""
        if family.name in self._families:
            raise ValueError(f"a family named {family.name!r} is already registered")
        taken = [m for m in family.model_ids() if m in self._models]
        if taken:
            raise ValueError(f"model ids already served by another family: {', '.join(taken)}")
        if not issubclass(family.session_class, Session):
            raise ValueError(f"{family.session_class!r} is not a Session subclass")
        unschematised = [
            kind
            for kind in family.dialect.client_events
            if family.schemas.validator("client", kind, family.name) is None
        ]
        if unschematised:
            raise ValueError(
                f"family {family.name!r} has no client schema for: {', '.join(unschematised)}"
            )
        self._families[family.name] = family
        for spec in family.models:
            for model_id in (spec.model_id, *spec.snapshots):
                self._models[model_id] = (family, spec)
        return family

    def unregister(self, name: str) -> None:
        """Remove a family (a test's toy family, once the test is done)."""
        family = self._families.pop(name)
        for model_id in family.model_ids():
            self._models.pop(model_id, None)

    def families(self) -> tuple[Family, ...]:
        """Every registered family, in registration order."""
        return tuple(self._families.values())

    def family(self, name: str) -> Family:
        """The family called `name` (KeyError naming the known ones)."""
        try:
            return self._families[name]
        except KeyError:
            raise KeyError(f"unknown family {name!r}; known: {', '.join(self._families)}") from None

    def names(self) -> list[str]:
        return list(self._families)

    def lookup(self, model_id: str | None) -> Model | None:
        """The model for a wire id (canonical or dated snapshot), or None if unsupported."""
        found = self._models.get(model_id) if model_id else None
        return None if found is None or model_id is None else Model(found[0], found[1], model_id)

    def supported_models(self) -> list[str]:
        """Every model id served: canonical ids first, sorted within each group."""
        canonical = sorted(m.model_id for f in self._families.values() for m in f.models)
        snapshots = sorted(
            s for f in self._families.values() for m in f.models for s in m.snapshots
        )
        return canonical + snapshots

    def open_session(self, model: Model | str, **options: Any) -> Session:
        """A session of the right family (options: responder, rng, behaviour, strict)."""
        resolved = self.lookup(model) if isinstance(model, str) else model
        if resolved is None:
            raise KeyError(
                f"model {model!r} is not served; known: {', '.join(self.supported_models())}"
            )
        return resolved.family.session_class(
            resolved.family, resolved.spec, resolved.model_id, **options
        )
