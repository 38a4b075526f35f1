"""The robustness matrix, long answers: a tool output or a fixture's text of any length is spoken
only up to what the documented output-token limit could let through."""

from __future__ import annotations

import pytest

from dashscope_realtime_mock.answers.corpus import CorpusResponder
from dashscope_realtime_mock.protocol.text import text_tokens
from tests.support import OMNI, OMNI_TURBO, new_session, send

LONG_TOOL_OUTPUT = " ".join(f"word{n % 97}." for n in range(8000))  # 8,000 words, ~55 KB


class CountingResponder(CorpusResponder):
    """The built-in responder, remembering the longest text it was asked to speak."""

    longest_spoken = 0

    def speech(self, text, voice):
        self.longest_spoken = max(self.longest_spoken, text_tokens(text))
        return super().speech(text, voice)


def _answer_a_long_tool_output(model: str, max_tokens: int | None = None):
    responder = CountingResponder()
    s = new_session(model, responder=responder)
    update = {"turn_detection": None} | ({"max_tokens": max_tokens} if max_tokens else {})
    send(s, type="session.update", session=update)
    item = {"type": "function_call_output", "call_id": "call_1", "output": LONG_TOOL_OUTPUT}
    send(s, type="conversation.item.create", item=item)
    [done] = [e for e in send(s, type="response.create") if e["type"] == "response.done"]
    return responder, done["response"]


@pytest.mark.parametrize("model", [OMNI, OMNI_TURBO])
def test_a_long_tool_output_is_never_spoken_whole(model):
    """The answer to an 8,000-word tool output is spoken only as far as max_tokens could reach."""
    responder, _ = _answer_a_long_tool_output(model)
    assert responder.longest_spoken < text_tokens(LONG_TOOL_OUTPUT) / 2


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
    assert responder.longest_spoken <= 100
    assert response["usage"]["output_tokens"] <= 100
