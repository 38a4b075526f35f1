"""The robustness matrix, long answers: a tool output or a fixture's text of any length is spoken
only up to what the documented output-token limit could let through."""

from __future__ import annotations

import numpy as np
import pytest

from dashscope_realtime_mock.answers.corpus import CorpusResponder
from dashscope_realtime_mock.media.speech import Speech
from tests.support import OMNI, OMNI_TURBO, new_session, send

LONG_TOOL_OUTPUT = " ".join(f"word{n % 97}." for n in range(8000))  # 8,000 words, ~55 KB


class CountingResponder(CorpusResponder):
    """The built-in responder, keeping the speech it gave for the longest text."""

    longest: Speech | None = None

    def speech(self, text: str, voice: str, sample_rate: int) -> np.ndarray | Speech:
        speech = super().speech(text, voice, sample_rate)
        assert isinstance(speech, Speech)
        if self.longest is None or len(text) > self.longest_text:
            self.longest, self.longest_text = speech, len(text)
        return speech

    longest_text = 0

    @property
    def longest_spoken(self) -> int:
        """Units (here words) of the longest text whose speech was laid out (made or measured)."""
        return self.longest.units_laid_out if self.longest is not None else 0


def _answer_a_long_tool_output(
    model: str, max_tokens: int | None = None, output: str = LONG_TOOL_OUTPUT
):
    responder = CountingResponder()
    s = new_session(model, responder=responder)
    update = {"turn_detection": None} | ({"max_tokens": max_tokens} if max_tokens else {})
    send(s, type="session.update", session=update)
    item = {"type": "function_call_output", "call_id": "call_1", "output": output}
    send(s, type="conversation.item.create", item=item)
    [done] = [e for e in send(s, type="response.create") if e["type"] == "response.done"]
    return responder, done["response"]


@pytest.mark.parametrize("model", [OMNI, OMNI_TURBO])
def test_a_long_tool_output_is_never_spoken_whole(model):
    """The answer to an 8,000-word tool output is spoken only as far as max_tokens reaches:
    the words after the cut are never laid out, let alone synthesized."""
    responder, response = _answer_a_long_tool_output(model)
    said = response["output"][0]["content"][0]["transcript"]
    assert 0 < responder.longest_spoken <= len(said.split()) + 1 < 8000


@pytest.mark.parametrize("model", [OMNI, OMNI_TURBO])
def test_a_long_answer_ends_incomplete_within_max_tokens(model):
    """The answer stops at the model's output-token limit and says so (max_output_tokens)."""
    _, response = _answer_a_long_tool_output(model)
    assert response["status"] == "incomplete"
    assert response["status_details"]["reason"] == "max_output_tokens"
    limit = 16384 if model == OMNI else 2048
    assert 0 < response["usage"]["output_tokens"] <= limit


def test_a_small_max_tokens_bounds_what_is_spoken():
    """With max_tokens 100 only a few dozen words are ever spoken."""
    responder, response = _answer_a_long_tool_output(OMNI, max_tokens=100)
    assert responder.longest_spoken <= 100 / 2
    assert response["usage"]["output_tokens"] <= 100


def test_a_long_chinese_output_without_a_space_is_read_a_character_at_a_time():
    """100,000 CJK characters and no space are one "word": its speech is laid out, and its
    syllables made, a character at a time, only as far as max_tokens reaches."""
    output = "帮助我们实时翻译语音。" * 10_000
    responder, response = _answer_a_long_tool_output(OMNI, max_tokens=300, output=output)
    said = response["output"][0]["content"][0]["transcript"]
    assert response["status"] == "incomplete"
    assert output.startswith(said) and 0 < len(said) < 300
    assert responder.longest_spoken <= len(said) + 1
