"""The facts of one model that every family has; each family extends :class:`ModelSpec`."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ModelSpec"]


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
