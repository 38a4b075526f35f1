"""JSON Schemas (draft-07) for every client and server event of the DashScope realtime protocol.

One file per wire event, named by its type: ``client/session.update.<family>.json``,
``server/response.audio.delta.json``; shared parts under ``common/``. Where the families differ
in an event's shape there is one variant file per family (``<type>.<family>.json``); otherwise
one file whose ``x-families`` lists the families that send it.

A :class:`Catalogue` indexes one or more schema folders: this package's own (:data:`FOLDER`)
and, for a family registered from outside (a test's toy family), that family's folder, whose
files may ``$ref`` ours by ``$id``. :func:`catalogue` gives the cached catalogue of a set of
folders. The module-level functions (:func:`validator`, :func:`errors`, ...) read the built-in
catalogue. Which families exist is read from the files' ``x-families``, never listed here.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Hashable
from functools import cache, cached_property
from importlib import resources
from importlib.abc import Traversable
from typing import TYPE_CHECKING, Any, Protocol, cast

from jsonschema import Draft7Validator, ValidationError
from referencing import Registry, Resource

if TYPE_CHECKING:  # what Registry.resolver() returns; referencing exports no public name for it
    from referencing._core import Resolver

__all__ = [
    "DIRECTIONS",
    "FOLDER",
    "Catalogue",
    "Folder",
    "catalogue",
    "errors",
    "event_types",
    "families",
    "resolved",
    "schema",
    "validator",
]

DIRECTIONS = ("client", "server")


class Folder(Traversable, Hashable, Protocol):
    """A folder of schemas: package resources or a :class:`~pathlib.Path`.

    Hashable, because :func:`catalogue` is cached by its folders (a type checker does not assume
    that of a bare :class:`Traversable`).
    """


# The package's resources are a hashable Path (or MultiplexedPath); typeshed only says Traversable.
FOLDER = cast(Folder, resources.files(__name__))


def _read_folder(root: Folder) -> dict[str, dict[str, Any]]:
    """Every schema in one folder tree (`common/`, `client/`, `server/`), by relative path."""
    found = {}
    for sub in ("common", *DIRECTIONS):
        folder = root.joinpath(sub)
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".json"):
                found[f"{sub}/{entry.name}"] = json.loads(entry.read_text(encoding="utf-8"))
    return found


class Catalogue:
    """The event schemas of some folders, indexed by (direction, type, family), validators cached."""

    def __init__(self, folders: tuple[Folder, ...]) -> None:
        self.folders = folders
        self._files: dict[str, dict[str, Any]] = {}
        for number, root in enumerate(folders):
            for path, contents in _read_folder(root).items():
                self._files[path if number == 0 else f"{number}:{path}"] = contents
        self._validators: dict[tuple[str, str, str], Draft7Validator | None] = {}

    @cached_property
    def registry(self) -> Registry:
        pairs = [(s["$id"], Resource.from_contents(s)) for s in self._files.values()]
        return Registry().with_resources(pairs)

    @cached_property
    def index(self) -> dict[tuple[str, str, str], str]:
        """(direction, type, family) → file, from each event schema's `type` const and families."""
        index = {}
        for path, contents in self._files.items():
            direction = path.rsplit(":", 1)[-1].split("/", 1)[0]
            if direction == "common":
                continue
            kind = contents["properties"]["type"]["const"]
            for family in contents["x-families"]:
                index[(direction, kind, family)] = path
        return index

    def families(self) -> list[str]:
        """The families some event schema names, sorted."""
        return sorted({family for (_, _, family) in self.index})

    def event_types(self, direction: str, family: str) -> set[str]:
        """The event types `family` has in `direction` (client: sends; server: receives)."""
        return {kind for (d, kind, f) in self.index if d == direction and f == family}

    def schema(self, direction: str, kind: str, family: str) -> dict[str, Any] | None:
        """The raw schema of one event for one family, or None if the family has no such event."""
        path = self.index.get((direction, kind, family))
        return None if path is None else self._files[path]

    def validator(self, direction: str, kind: str, family: str) -> Draft7Validator | None:
        """A compiled validator for one event of one family (None if the family has no such event)."""
        key = (direction, kind, family)
        if key not in self._validators:
            contents = self.schema(direction, kind, family)
            self._validators[key] = (
                None if contents is None else Draft7Validator(contents, registry=self.registry)
            )
        return self._validators[key]

    def errors(self, direction: str, event: Any, family: str) -> list[ValidationError]:
        """The schema violations of one event, best first; an unknown type is one violation."""
        kind = event.get("type") if isinstance(event, dict) else None
        check = self.validator(direction, kind, family) if isinstance(kind, str) else None
        if check is None:
            known = ", ".join(sorted(self.event_types(direction, family)))
            return [
                ValidationError(
                    f"{kind!r} is not a {direction} event of the {family} family; known: {known}",
                    validator="type",
                    path=["type"],
                    instance=kind,
                )
            ]
        return sorted(check.iter_errors(event), key=lambda e: (len(e.absolute_path), e.message))

    def resolved(self, direction: str, kind: str, family: str) -> dict[str, Any] | None:
        """The event's schema with every `$ref` replaced by what it points to (no references left)."""
        contents = self.schema(direction, kind, family)
        if contents is None:
            return None
        resolver = self.registry.resolver(base_uri=contents["$id"])

        def inline(node: Any, resolver: Resolver[Any]) -> Any:
            if isinstance(node, dict):
                if "$ref" in node:
                    target = resolver.lookup(node["$ref"])
                    return inline(target.contents, target.resolver)
                return {
                    k: inline(v, resolver) for k, v in node.items() if k not in ("$id", "$schema")
                }
            if isinstance(node, list):
                return [inline(v, resolver) for v in node]
            return node

        return {"$schema": contents["$schema"], **inline(copy.deepcopy(contents), resolver)}


@cache
def catalogue(*extra_folders: Folder) -> Catalogue:
    """The catalogue of this package's schemas plus `extra_folders` (built once per set)."""
    folders = (FOLDER, *(f for f in extra_folders if f != FOLDER))
    return Catalogue(folders)


def families() -> list[str]:
    """The families the built-in schemas describe."""
    return catalogue().families()


def event_types(direction: str, family: str) -> set[str]:
    return catalogue().event_types(direction, family)


def schema(direction: str, kind: str, family: str) -> dict[str, Any] | None:
    return catalogue().schema(direction, kind, family)


def validator(direction: str, kind: str, family: str) -> Draft7Validator | None:
    return catalogue().validator(direction, kind, family)


def errors(direction: str, event: Any, family: str) -> list[ValidationError]:
    return catalogue().errors(direction, event, family)


def resolved(direction: str, kind: str, family: str) -> dict[str, Any] | None:
    return catalogue().resolved(direction, kind, family)
