"""answers.rules: what an answers document may hold, and the one-line errors for what it may not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashscope_realtime_mock.answers.rules import (
    MAX_RULES,
    MAX_TEXT,
    AnswerBook,
    AnswerRule,
    ToolAnswer,
    load_answers,
    parse_answers,
)


def test_a_document_gives_numbered_rules():
    """Each rule keeps its fields and its 1-based place."""
    rules = parse_answers(
        {"answers": [{"heard": "Hi", "say": "Hello"}, {"say": "Bye", "model": "omni", "turn": 2}]}
    )
    assert rules == (
        AnswerRule(heard="Hi", say="Hello", number=1),
        AnswerRule(say="Bye", model="omni", turn=2, number=2),
    )


def test_tool_arguments_are_kept_as_json_text():
    """A tool's arguments, an object or its JSON text, become JSON text."""
    (rule,) = parse_answers([{"tool": {"name": "get_weather", "arguments": {"city": "París"}}}])
    assert rule.tool == ToolAnswer("get_weather", '{"city": "París"}')


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"answer": []}, "unknown key 'answer'"),
        ({"answers": {}}, 'expected {"answers": [rule, ...]}'),
        ({"answers": ["hi"]}, "answers[0]: a rule is an object"),
        ({"answers": [{"heard": "a", "sai": "b"}]}, "answers[0]: unknown key 'sai'"),
        ({"answers": [{"model": "omni"}]}, "answers[0]: a rule needs 'heard', 'say' or 'tool'"),
        ({"answers": [{"say": "x", "turn": 0}]}, "'turn' must be an integer from 1"),
        ({"answers": [{"say": "x", "turn": True}]}, "'turn' must be an integer from 1"),
        ({"answers": [{"say": ""}]}, "'say' must be a non-empty string"),
        ({"answers": [{"say": "x" * (MAX_TEXT + 1)}]}, f"at most {MAX_TEXT}"),
        ({"answers": [{"tool": {"name": "f", "arguments": "[1]"}}]}, "must be a JSON object"),
        ({"answers": [{"say": "x"}] * (MAX_RULES + 1)}, f"at most {MAX_RULES}"),
    ],
)
def test_a_wrong_document_is_one_line_naming_the_rule(document, problem):
    """The error names the source and the rule, on one line."""
    with pytest.raises(ValueError) as caught:
        parse_answers(document, "a.json")
    message = str(caught.value)
    assert message.startswith("a.json: ") and problem in message and "\n" not in message


def test_a_file_that_is_not_json_says_where(tmp_path: Path):
    """Bad JSON: the file, line and column."""
    path = tmp_path / "answers.json"
    path.write_text('{"answers": [\n  {"say": }]}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"answers.json: not JSON \(line 2, column 11"):
        load_answers(path)


def test_a_file_too_large_is_refused(tmp_path: Path):
    """Over 1 MiB: refused before it is read."""
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"answers": [{"say": "x" * 4000}] * 300}), encoding="utf-8")
    with pytest.raises(ValueError, match="larger than 1048576 bytes"):
        load_answers(path)


def test_a_book_takes_rules_added_and_cleared():
    """add() numbers the rules in order; clear() empties the book."""
    book = AnswerBook()
    book.add(heard="Hi", say="Hello")
    rule = book.add(say="Sunny", tool="get_weather", arguments={"city": "Paris"})
    assert rule.number == 2 and rule.tool == ToolAnswer("get_weather", '{"city": "Paris"}')
    book.clear()
    assert book.rules == ()


def test_a_book_runs_its_check_on_each_rule_added():
    """The server's check (a served model) refuses a rule at add() with its message."""

    def refuse(rule: AnswerRule) -> None:
        raise ValueError(f"rule {rule.number}: no")

    book = AnswerBook(check=refuse)
    with pytest.raises(ValueError, match="rule 1: no"):
        book.add(say="x")
    assert len(book) == 0
