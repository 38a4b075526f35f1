"""Server-side identifiers in the documented shapes (docs/protocol/events.md §1.5).

One :class:`IdFactory` per session; pass a seeded ``random.Random`` to get reproducible ids
in tests. Without one, the session gets its own ``random.Random`` seeded from ``os.urandom``
(ids stay unpredictable to clients without a system call per character).
"""

from __future__ import annotations

import random
import string

__all__ = ["IdFactory"]

_BASE62 = string.ascii_letters + string.digits
_HEX = "0123456789abcdef"
_REJECTED = "!"  # not in any alphabet: marks a draw that `Random.choice` would have redrawn


def _top_bits_table(alphabet: str) -> bytes:
    """Maps the top byte of a 32-bit Mersenne Twister word to the character `choice` picks.

    ``Random.choice(alphabet)`` draws ``getrandbits(k)`` (k = len(alphabet).bit_length()), the top
    k bits of one 32-bit word, and draws again while that is >= len(alphabet).
    """
    k = len(alphabet).bit_length()
    assert k <= 8
    return bytes(
        ord(alphabet[v >> (8 - k)]) if v >> (8 - k) < len(alphabet) else ord(_REJECTED)
        for v in range(256)
    )


_TABLES = {alphabet: _top_bits_table(alphabet) for alphabet in (_BASE62, _HEX)}


class IdFactory:
    """Makes `event_…`, `sess_…`, `resp_…`, `conv_…`, `item_…` ids: prefix + 21 base62 chars."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng if rng is not None else random.Random()  # seeded from os.urandom
        # Drawing whole 32-bit words at once gives exactly `choice`'s characters for a plain
        # Mersenne Twister (tests/mockserver/protocol/test_ids.py); anything else goes the slow way.
        self._fast = type(self._rng) is random.Random

    def new(self, prefix: str) -> str:
        """A fresh id such as ``resp_P79OOMs8LnrXVpiIHUCKR``."""
        return prefix + "_" + self._chars(_BASE62, 21)

    def new_many(self, prefix: str, count: int) -> list[str]:
        """`count` fresh ids: the same as `count` calls of :meth:`new`, drawn at once (the events
        of a response are stamped together)."""
        chars = self._chars(_BASE62, 21 * count)
        return [prefix + "_" + chars[k : k + 21] for k in range(0, 21 * count, 21)]

    def fork(self) -> IdFactory:
        """A factory of its own, seeded by one draw from this one: the ids of a response are
        drawn from it as its events are made, so how many there are need not be known when the
        response starts, and what this factory draws next does not depend on how far the
        response got (the transport's progress)."""
        return IdFactory(random.Random(self._rng.getrandbits(64)))

    def new_hex(self, prefix: str, length: int) -> str:
        """A fresh lowercase-hex id such as ``call_62c24725afdb4c2680ac54`` (docs/protocol/events.md §1.5)."""
        return prefix + "_" + self._chars(_HEX, length)

    def _chars(self, alphabet: str, length: int) -> str:
        """`length` characters, the same as `length` calls of ``rng.choice(alphabet)``.

        It draws only the words it needs (a rejected character is made up by drawing as many
        words again), so one call for `a + b` characters gives what a call for `a` then one for
        `b` give: :meth:`new_many` relies on that.
        """
        if not self._fast:
            return "".join(self._rng.choice(alphabet) for _ in range(length))
        table = _TABLES[alphabet]
        out = ""
        need = length
        while need:
            # getrandbits(32 * n) is n consecutive 32-bit words, the first one lowest; byte 3 of
            # each word holds its top bits, which is what getrandbits(k <= 8) returns.
            words = self._rng.getrandbits(32 * need).to_bytes(4 * need, "little")
            drawn = words[3::4].translate(table).decode("ascii").replace(_REJECTED, "")
            out += drawn
            need -= len(drawn)
        return out
