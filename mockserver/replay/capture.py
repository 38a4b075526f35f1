"""`python -m dashscope_realtime_mock validate FILE.jsonl`: check a captured session against `schemas/`.

A capture is one JSON object per line: either bare events (the direction follows from the event
type), or our fixture format — a header line with ``format`` (and ``model``/``family``), then
lines ``{"t_ms": …, "dir": "client" | "server", "event": {…}}``. The family comes from
``--model``/``--family``, else the header, else the model named by ``session.created``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dashscope_realtime_mock import schemas

from ..families import REGISTRY
from ..protocol.schema_checks import param_of

__all__ = ["Violation", "family_of", "validate_lines"]


@dataclass(frozen=True)
class Violation:
    line: int
    where: str  # "server response.done" or "line"
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.where}: {self.message}"


def _family_of_model(model: object) -> str | None:
    found = REGISTRY.lookup(model) if isinstance(model, str) else None
    return found.family.name if found else None


def _catalogue(family: str) -> schemas.Catalogue:
    """The schemas of a registered family, else the built-in ones."""
    known = {f.name: f for f in REGISTRY.families()}
    return known[family].schemas if family in known else schemas.catalogue()


def family_of(records: list[tuple[int, dict[str, Any]]]) -> str | None:
    """The family a capture belongs to: its header's family or model, else session.created's model."""
    for _, record in records:
        if "format" in record:
            return record.get("family") or _family_of_model(record.get("model"))
        event = record.get("event", record)
        if isinstance(event, dict) and event.get("type") == "session.created":
            return _family_of_model((event.get("session") or {}).get("model"))
    return None


def _parse(lines: Iterable[str]) -> tuple[list[tuple[int, dict[str, Any]]], list[Violation]]:
    records, problems = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            problems.append(Violation(number, "line", f"not JSON: {exc}"))
            continue
        if not isinstance(record, dict):
            problems.append(Violation(number, "line", "not a JSON object"))
            continue
        records.append((number, record))
    return records, problems


def validate_lines(
    lines: Iterable[str], family: str | None = None
) -> tuple[list[Violation], int, str | None]:
    """(violations, events checked, family used) for the lines of a capture."""
    records, violations = _parse(lines)
    family = family or family_of(records)
    if family is None:
        violations.append(
            Violation(
                0,
                "capture",
                "cannot tell the model family: no header and no "
                "session.created with a known model; pass --model or --family",
            )
        )
        return violations, 0, None
    catalogue = _catalogue(family)
    checked = 0
    for number, record in records:
        if "format" in record:
            continue
        if "event" in record:
            direction, event = record.get("dir"), record["event"]
            if direction not in schemas.DIRECTIONS:
                violations.append(
                    Violation(number, "line", f"'dir' must be client or server, not {direction!r}")
                )
                continue
        else:
            event = record
            direction = (
                "client"
                if record.get("type") in catalogue.event_types("client", family)
                else "server"
            )
        checked += 1
        for error in catalogue.errors(direction, event, family):
            at = param_of(error.absolute_path) or "(event)"
            kind = event.get("type") if isinstance(event, dict) else repr(event)
            where = f"{direction} {kind}"
            violations.append(Violation(number, where, f"{error.message} (at {at})"))
    return sorted(violations, key=lambda v: v.line), checked, family
