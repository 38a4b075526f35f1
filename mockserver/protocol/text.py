"""Text facts every part of the mock shares: which characters are CJK, display units, token counts.

One home for the CJK character ranges, so that display (streamed text steps, live transcripts),
billing (text tokens) and speech synthesis (syllables) count Chinese, Japanese and Korean the same
way. Text tokens are estimated: one per CJK character, one per other word or punctuation mark
[assumed: no tokenizer is documented for the mock to copy].
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = [
    "CHARACTER_LANGUAGES",
    "CJK_CHARS",
    "iter_units",
    "split_units",
    "text_tokens",
    "units_per_second",
]

# Kana, CJK ideographs (extension A and the unified block) and Hangul syllables.
CJK_CHARS = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
# Languages read, streamed and billed character by character rather than word by word.
CHARACTER_LANGUAGES = ("zh", "ja", "yue", "ko")

_UNIT = re.compile(rf"[{CJK_CHARS}][。，！？、]?|[^\s{CJK_CHARS}]+\s*|\s+")
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


def text_tokens(text: str) -> int:
    """Estimated text tokens of `text` (what `usage` bills)."""
    return len(_TOKEN.findall(text))
