"""Server-side identifiers in the documented shapes (events.md §1.5).

One :class:`IdFactory` per session; pass a seeded ``random.Random`` to get reproducible ids
in tests.
"""

from __future__ import annotations

import random
import string

__all__ = ["IdFactory"]

_BASE62 = string.ascii_letters + string.digits


class IdFactory:
    """Makes `event_…`, `sess_…`, `resp_…`, `conv_…`, `item_…` ids: prefix + 21 base62 chars."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng or random.SystemRandom()

    def new(self, prefix: str) -> str:
        """A fresh id such as ``resp_P79OOMs8LnrXVpiIHUCKR``."""
        return prefix + "_" + "".join(self._rng.choice(_BASE62) for _ in range(21))

    def new_hex(self, prefix: str, length: int) -> str:
        """A fresh lowercase-hex id such as ``call_62c24725afdb4c2680ac54`` (events.md §1.5)."""
        return prefix + "_" + "".join(self._rng.choice("0123456789abcdef") for _ in range(length))
