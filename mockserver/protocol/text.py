"""Text facts every part of the mock shares: which characters are CJK, display units, token counts.

One home for the CJK character ranges, so that display (streamed text steps, live transcripts),
billing (text tokens) and speech synthesis (syllables) count Chinese, Japanese and Korean the same
way. Text tokens are estimated: one per CJK character, one per other word or punctuation mark
[assumed: no tokenizer is documented for the mock to copy].

A display unit holds at most :data:`UNIT_CHARS` characters besides its trailing space: a longer
run without space (a base64 blob in a tool output, a URL) is shown, billed and spoken as several
units, as a tokenizer would split it into several tokens. Tokens and syllables are the sum of
those of the units, so an answer can be measured a unit at a time (responses/walk.py), and no
one unit costs more than a few microseconds to measure.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt

__all__ = [
    "CHARACTER_LANGUAGES",
    "CJK_CHARS",
    "UNIT_CHARS",
    "iter_units",
    "per_unit",
    "split_units",
    "text_tokens",
    "units_per_second",
]

# Kana, CJK ideographs (extension A and the unified block) and Hangul syllables.
CJK_CHARS = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
# Languages read, streamed and billed character by character rather than word by word.
CHARACTER_LANGUAGES = ("zh", "ja", "yue", "ko")

_CJK_PUNCTUATION = "。，！？、"  # one of them goes with the CJK character before it
UNIT_CHARS = 64  # the most characters of a display unit, besides its trailing space
_UNIT = re.compile(rf"[{CJK_CHARS}][{_CJK_PUNCTUATION}]?|[^\s{CJK_CHARS}]{{1,{UNIT_CHARS}}}\s*|\s+")
# A run without space or CJK longer than a unit, from its start (never from inside one)
_LONG_RUN = re.compile(rf"(?<![^\s{CJK_CHARS}])[^\s{CJK_CHARS}]{{{UNIT_CHARS + 1},}}")
_CJK = re.compile(f"[{CJK_CHARS}]")
# A word is a run of word characters that are not CJK: "abc中" is two tokens, as the rule above
# says, and the tokens of a text are the sum of those of its display units (an answer is cut to
# `max_tokens` a unit at a time: responses/walk.py).
_TOKEN = re.compile(rf"[{CJK_CHARS}]|[^\W{CJK_CHARS}]+|[^\w\s]")


def split_units(text: str) -> list[str]:
    """Split text into display units (a CJK character, or a word with its trailing space).

    Joining the units gives the text back exactly, so prefixes of units are prefixes of text.
    """
    return _UNIT.findall(text)


def iter_units(text: str) -> Iterator[str]:
    """:func:`split_units`, one at a time: reading the first units of a long text costs those
    units, not the text."""
    return (match[0] for match in _UNIT.finditer(text))


def units_per_second(language: str) -> float:
    """Read-speech rate: display units (CJK characters, or words) per second of speech."""
    return 4.5 if language in CHARACTER_LANGUAGES else 2.6


def per_unit(joined: re.Pattern[str]) -> Callable[[Callable[[str], int]], Callable[[str], int]]:
    """A count of matches (of tokens, of vowel groups) made the sum of its value on each display
    unit of a text. A match never spans a unit's edge: where a run longer than a unit is cut
    between two characters a match continues through (both match `joined`), the unit-by-unit
    count has one more. Counted whole, then corrected at those edges, it costs a regex pass, not
    one per unit."""

    def decorate(count: Callable[[str], int]) -> Callable[[str], int]:
        @functools.wraps(count)
        def counted(text: str) -> int:
            total = count(text)
            if len(text) <= UNIT_CHARS:
                return total
            for run in _LONG_RUN.finditer(text):
                first = run.start()
                if first and text[first] in _CJK_PUNCTUATION and _CJK.match(text[first - 1]):
                    first += 1  # its first character belongs to the CJK unit before it
                for edge in range(first + UNIT_CHARS, run.end(), UNIT_CHARS):
                    if joined.match(text[edge - 1]) and joined.match(text[edge]):
                        total += 1
            return total

        return counted

    return decorate


@per_unit(re.compile(rf"[^\W{CJK_CHARS}]"))
def _counted_tokens(text: str) -> int:
    """Tokens by the regex, corrected at the edges of units inside long runs."""
    return len(_TOKEN.findall(text))


# Above this many characters a text's tokens are counted with numpy, not the regex (which makes a
# Python string per token: 60 ms for a quarter of a million CJK characters).
_VECTOR_CHARS = 4096
# What each character is, as bits: a regex word character (\w: str.isalnum, or "_"), a space
# (\s: str.isspace), CJK (CJK_CHARS), a CJK punctuation mark; made once, with numpy's string
# functions (the same answers as str's, tests/mockserver/protocol/test_text.py), for every code
# point below _TABLE_END; every one from there on is none of them (Unicode has no letter, digit
# or space past plane 3), the table's last entry.
_WORD, _SPACE, _CJK_BIT, _CJK_MARK = 1, 2, 4, 8
_TABLE_END = 0x40000


def _char_classes() -> npt.NDArray[np.uint8]:
    chars = np.arange(_TABLE_END, dtype=np.uint32).view("<U1")
    classes = np.zeros(_TABLE_END + 1, dtype=np.uint8)
    classes[:_TABLE_END] = np.char.isalnum(chars) * np.uint8(_WORD)
    classes[:_TABLE_END] |= np.char.isspace(chars) * np.uint8(_SPACE)
    classes[ord("_")] |= _WORD
    classes[[ord(c) for c in _CJK_PUNCTUATION]] |= _CJK_MARK
    for low, high in ((0x3040, 0x30FF), (0x3400, 0x9FFF), (0xAC00, 0xD7AF)):  # CJK_CHARS
        classes[low : high + 1] |= _CJK_BIT
    return classes


_CHAR_CLASSES = _char_classes()


def text_tokens(text: str) -> int:
    """Estimated text tokens of `text` (what `usage` bills): the sum of those of its display
    units. A long text (a tool output, instructions) is counted with numpy, a few array passes
    whatever its length, to the same count (tests/mockserver/protocol/test_text.py)."""
    if len(text) <= _VECTOR_CHARS:
        return _counted_tokens(text)
    # its code points, lone surrogates too (encoding them with "surrogatepass" goes through the
    # error handler one character at a time: 40 ms for a quarter of a million)
    code = np.array([text]).view(np.uint32)
    classes = _CHAR_CLASSES[np.minimum(code, _TABLE_END)]
    cjk = (classes & _CJK_BIT).astype(bool)
    space = (classes & _SPACE).astype(bool)
    word = (classes & _WORD).astype(bool)
    latin = word & ~cjk  # a word character that is not CJK: part of a word token
    starts = latin.copy()
    starts[1:] &= ~latin[:-1]
    marks = ~word & ~space & ~cjk
    tokens = np.count_nonzero(cjk) + np.count_nonzero(starts) + np.count_nonzero(marks)
    return int(tokens) + _edges_inside_words(classes, cjk, space, latin)


def _edges_inside_words(
    classes: npt.NDArray[np.uint8],
    cjk: npt.NDArray[np.bool_],
    space: npt.NDArray[np.bool_],
    latin: npt.NDArray[np.bool_],
) -> int:
    """How many unit edges (every UNIT_CHARS characters of a run without space or CJK) fall
    between two characters of one word: each splits a word token in two."""
    run = ~space & ~cjk
    # a CJK punctuation mark right after a CJK character belongs to that character's unit
    run[1:] &= ~(cjk[:-1] & (classes[1:] & _CJK_MARK).astype(bool))
    changes = np.flatnonzero(run[1:] != run[:-1]) + 1
    head = np.array([0] if run[0] else [], dtype=np.intp)
    tail = np.array([len(run)] if run[-1] else [], dtype=np.intp)
    bounds = np.concatenate((head, changes, tail))
    starts, lengths = bounds[::2], bounds[1::2] - bounds[::2]
    long = lengths > UNIT_CHARS
    if not long.any():
        return 0
    inside = (lengths[long] - 1) // UNIT_CHARS  # edges inside each long run
    first = np.repeat(starts[long], inside)
    nth = np.arange(int(inside.sum())) - np.repeat(np.cumsum(inside) - inside, inside) + 1
    edges = first + nth * UNIT_CHARS
    return int(np.count_nonzero(latin[edges] & latin[edges - 1]))
