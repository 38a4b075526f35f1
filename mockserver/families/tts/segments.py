"""How a TTS session cuts the text it is given into responses (docs/protocol/tts.md §6.2).

One piece of code for the session (which speaks the pieces) and the inspector (which shows
which text each response spoke): :class:`TextBuffer` holds what was appended and not spoken
yet, and says what to speak when text arrives, on a commit and at the finish.
"""

from __future__ import annotations

__all__ = ["SEGMENT_CHARS", "SENTENCE_ENDS", "TextBuffer"]

# docs/protocol/tts.md §6.2: segmentation is undocumented; the mock ends a segment at these marks,
# or after this many characters without one (cut at the last space).
SENTENCE_ENDS = frozenset("。！？.!?\n")
SEGMENT_CHARS = 300


def _bounded(text: str) -> list[str]:
    """`text` in pieces of at most SEGMENT_CHARS, cut at sentence ends, else at spaces."""
    pieces = []
    while len(text) > SEGMENT_CHARS:
        window = text[:SEGMENT_CHARS]
        cut = max(window.rfind(mark) for mark in SENTENCE_ENDS) + 1
        cut = cut or window.rfind(" ") + 1 or SEGMENT_CHARS
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text]


class TextBuffer:
    """The text appended and not spoken yet."""

    def __init__(self) -> None:
        self.text = ""

    def append(self, text: str, by_sentence: bool) -> list[str]:
        """Add `text`; the pieces to speak now (server_commit with sentence segmentation: every
        completed sentence, and overlong text without one cut at a space)."""
        before = len(self.text)
        self.text += text
        if not by_sentence:
            return []
        spoken: list[str] = []
        # the text before `before` held no sentence end (it would have been spoken)
        ends = (i for i in range(before, len(self.text)) if self.text[i] in SENTENCE_ENDS)
        last_end = max(ends, default=-1)
        if last_end >= 0:
            spoken += _bounded(self.text[: last_end + 1])
            self.text = self.text[last_end + 1 :]
        while len(self.text) > SEGMENT_CHARS:
            cut = self.text.rfind(" ", 0, SEGMENT_CHARS) + 1 or SEGMENT_CHARS
            spoken.append(self.text[:cut])
            self.text = self.text[cut:]
        return spoken

    def flush(self) -> str:
        """Everything buffered (a commit, the finish); the buffer is then empty."""
        text, self.text = self.text, ""
        return text
