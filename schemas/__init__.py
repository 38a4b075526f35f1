"""JSON Schemas (draft-07) for every client and server event of the DashScope realtime protocol.

One file per wire event, named by its type: ``client/session.update.<family>.json``,
``server/response.audio.delta.json``; shared parts under ``common/``. Where the families differ
in an event's shape there is one variant file per family (``<type>.<family>.json``); otherwise
one file whose ``x-families`` lists the families that send it.

Look a validator up with :func:`validator` (direction, type, family); each is compiled once.
:func:`errors` lists the violations of one event; :func:`resolved` gives a schema with every
``$ref`` inlined (for tools that cannot follow references, e.g. hypothesis-jsonschema).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft7Validator, ValidationError
from referencing import Registry, Resource

__all__ = ["DIRECTIONS", "FAMILIES", "errors", "event_types", "resolved", "schema", "validator"]

FAMILIES = ("livetranslate", "asr", "omni")
DIRECTIONS = ("client", "server")


@cache
def _files() -> dict[str, dict]:
    """Every schema shipped in this package, by its path relative to the package."""
    root = resources.files(__name__)
    found = {}
    for folder in ("common", *DIRECTIONS):
        for entry in root.joinpath(folder).iterdir():
            if entry.name.endswith(".json"):
                found[f"{folder}/{entry.name}"] = json.loads(entry.read_text(encoding="utf-8"))
    return found


@cache
def _registry() -> Registry:
    resources_ = [(s["$id"], Resource.from_contents(s)) for s in _files().values()]
    return Registry().with_resources(resources_)


@cache
def _index() -> dict[tuple[str, str, str], str]:
    """(direction, type, family) → file, from each event schema's `type` const and families."""
    index = {}
    for path, contents in _files().items():
        direction = path.split("/", 1)[0]
        if direction == "common":
            continue
        kind = contents["properties"]["type"]["const"]
        for family in contents["x-families"]:
            index[(direction, kind, family)] = path
    return index


def event_types(direction: str, family: str) -> set[str]:
    """The event types `family` has in `direction` (client: sends; server: receives)."""
    return {kind for (d, kind, f) in _index() if d == direction and f == family}


def schema(direction: str, kind: str, family: str) -> dict | None:
    """The raw schema of one event for one family, or None if the family has no such event."""
    path = _index().get((direction, kind, family))
    return None if path is None else _files()[path]


@cache
def validator(direction: str, kind: str, family: str) -> Draft7Validator | None:
    """A compiled validator for one event of one family (None if the family has no such event)."""
    contents = schema(direction, kind, family)
    if contents is None:
        return None
    return Draft7Validator(contents, registry=_registry())


def errors(direction: str, event: Any, family: str) -> list[ValidationError]:
    """The schema violations of one event, best first; an unknown type is one violation."""
    kind = event.get("type") if isinstance(event, dict) else None
    check = validator(direction, kind, family) if isinstance(kind, str) else None
    if check is None:
        known = ", ".join(sorted(event_types(direction, family)))
        return [
            ValidationError(
                f"{kind!r} is not a {direction} event of the {family} family; known: {known}",
                validator="type",
                path=["type"],
                instance=kind,
            )
        ]
    return sorted(check.iter_errors(event), key=lambda e: (len(e.absolute_path), e.message))


def resolved(direction: str, kind: str, family: str) -> dict | None:
    """The event's schema with every `$ref` replaced by what it points to (no references left)."""
    contents = schema(direction, kind, family)
    if contents is None:
        return None
    resolver = _registry().resolver(base_uri=contents["$id"])

    def inline(node: Any, resolver) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                target = resolver.lookup(node["$ref"])
                return inline(target.contents, target.resolver)
            return {k: inline(v, resolver) for k, v in node.items() if k not in ("$id", "$schema")}
        if isinstance(node, list):
            return [inline(v, resolver) for v in node]
        return node

    return {"$schema": contents["$schema"], **inline(copy.deepcopy(contents), resolver)}
