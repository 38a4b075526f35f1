"""Scripted answers: rules a user writes to say what a session hears and answers, turn by turn.

A rule may give `heard` (the user's transcript as the mock reports it: ASR text, LiveTranslate's
source transcript, Omni's input transcription), `say` (the answer: Omni's reply, LiveTranslate's
translation; its audio is synthesized from it) and `tool` (Omni: the function call answering the
turn, then `say` after the client returns its output). It fits a turn when its `model` (a model
id or a family name; none: every model) and its 1-based `turn` (none: every turn) do. The first
rule that fits a turn decides it; a turn no rule fits is answered as usual. `serve --answers
FILE` reads them from JSON (``{"answers": [{"heard": ..., "say": ...}]}``), Python adds them
through :class:`AnswerBook` (``MockServer.answers``). docs/answers.md is the user's guide.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_RULES",
    "MAX_TEXT",
    "AnswerBook",
    "AnswerRule",
    "ToolAnswer",
    "load_answers",
    "parse_answers",
    "parse_rule",
]

# Bounds (the docs state none; these keep a file or a test's rules from holding the server's
# memory or a session's answer hostage).
MAX_FILE_BYTES = 1 << 20
MAX_RULES = 1000
MAX_TEXT = 4000  # characters of `heard` or `say`
MAX_TOOL_NAME = 64  # the function-name limit of the tools schema
MAX_ARGUMENTS = 16384  # characters of a tool call's arguments JSON
MAX_TURN = 1_000_000
_KEYS = ("heard", "say", "model", "turn", "tool")


@dataclass(frozen=True)
class ToolAnswer:
    """The function call that answers a turn: its name and its arguments as JSON text."""

    name: str
    arguments: str


@dataclass(frozen=True)
class AnswerRule:
    """One scripted answer (see the module's docstring); `number` is its 1-based place in its book."""

    heard: str | None = None
    say: str | None = None
    model: str | None = None
    turn: int | None = None
    tool: ToolAnswer | None = None
    number: int = 0

    def fits(self, model_id: str, family: str, turn: int) -> bool:
        """Whether this rule decides turn `turn` of a session of `model_id` (of `family`)."""
        if self.model is not None and self.model not in (model_id, family):
            return False
        return self.turn is None or self.turn == turn

    def describe(self) -> str:
        """One line for the log and the inspector: which rule, and what it makes heard and said."""
        parts = [f"rule {self.number}"]
        if self.heard is not None:
            parts.append(f"heard {self.heard!r}")
        if self.tool is not None:
            parts.append(f"tool {self.tool.name}({self.tool.arguments})")
        if self.say is not None:
            parts.append(f"say {self.say!r}")
        return ", ".join(parts)


def _text(rule: Mapping[str, Any], key: str, where: str) -> str | None:
    value = rule.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {key!r} must be a non-empty string")
    if len(value) > MAX_TEXT:
        raise ValueError(f"{where}: {key!r} is {len(value)} characters; at most {MAX_TEXT}")
    return value


def _turn(rule: Mapping[str, Any], where: str) -> int | None:
    value = rule.get("turn")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TURN:
        raise ValueError(
            f"{where}: 'turn' must be an integer from 1 (the first turn), not {value!r}"
        )
    return value


def _tool(rule: Mapping[str, Any], where: str) -> ToolAnswer | None:
    value = rule.get("tool")
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"name", "arguments"}:
        raise ValueError(f"{where}: 'tool' must be an object with 'name' and 'arguments'")
    name = value.get("name")
    if not isinstance(name, str) or not name or len(name) > MAX_TOOL_NAME:
        raise ValueError(
            f"{where}: 'tool.name' must be a function name of 1-{MAX_TOOL_NAME} characters"
        )
    arguments = value.get("arguments", {})
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except ValueError:
            raise ValueError(f"{where}: 'tool.arguments' is not JSON") from None
    if not isinstance(arguments, dict):
        raise ValueError(f"{where}: 'tool.arguments' must be a JSON object")
    text = json.dumps(arguments, ensure_ascii=False)
    if len(text) > MAX_ARGUMENTS:
        raise ValueError(
            f"{where}: 'tool.arguments' is {len(text)} characters; at most {MAX_ARGUMENTS}"
        )
    return ToolAnswer(name, text)


def parse_rule(rule: object, where: str = "rule", number: int = 0) -> AnswerRule:
    """One rule from its JSON object; ValueError (one line, starting with `where`) if it is wrong."""
    if not isinstance(rule, dict):
        raise ValueError(f'{where}: a rule is an object, e.g. {{"heard": "Hi", "say": "Hello"}}')
    unknown = [key for key in rule if key not in _KEYS]
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r} (a rule has {', '.join(_KEYS)})")
    model = rule.get("model")
    if model is not None and (not isinstance(model, str) or not model):
        raise ValueError(f"{where}: 'model' must be a model id or a family name")
    parsed = AnswerRule(
        heard=_text(rule, "heard", where),
        say=_text(rule, "say", where),
        model=model,
        turn=_turn(rule, where),
        tool=_tool(rule, where),
        number=number,
    )
    if parsed.heard is None and parsed.say is None and parsed.tool is None:
        raise ValueError(f"{where}: a rule needs 'heard', 'say' or 'tool'")
    return parsed


def parse_answers(document: object, source: str = "answers") -> tuple[AnswerRule, ...]:
    """The rules of an answers document (``{"answers": [...]}``, or the list alone)."""
    rules = document.get("answers") if isinstance(document, dict) else document
    if isinstance(document, dict) and set(document) - {"answers"}:
        extra = sorted(set(document) - {"answers"})[0]
        raise ValueError(f'{source}: unknown key {extra!r} (the file holds {{"answers": [...]}})')
    if not isinstance(rules, list):
        raise ValueError(f'{source}: expected {{"answers": [rule, ...]}}')
    if len(rules) > MAX_RULES:
        raise ValueError(f"{source}: {len(rules)} rules; at most {MAX_RULES}")
    return tuple(
        parse_rule(rule, f"{source}: answers[{index}]", index + 1)
        for index, rule in enumerate(rules)
    )


def load_answers(path: str | os.PathLike[str]) -> tuple[AnswerRule, ...]:
    """The rules of an answers file; ValueError (one line naming the file) if it is unusable."""
    source = os.fspath(path)
    try:
        if not os.path.isfile(source):
            raise ValueError(f"{source}: not a file")
        if os.path.getsize(source) > MAX_FILE_BYTES:
            raise ValueError(f"{source}: larger than {MAX_FILE_BYTES} bytes")
        with open(source, encoding="utf-8") as f:
            document = json.load(f)
    except OSError as exc:
        raise ValueError(f"{source}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{source}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{source}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    return parse_answers(document, source)


class AnswerBook:
    """The scripted answers a server applies, changeable while it runs (``MockServer.answers``).

    Each session takes the rules as they are when it opens, so a test may change them between
    sessions without restarting the server. Safe to change from another thread than the server's.
    `check` is called with each rule added (the server passes one that refuses a model it does
    not serve).
    """

    def __init__(
        self, rules: Iterable[AnswerRule] = (), check: Callable[[AnswerRule], None] | None = None
    ) -> None:
        self._lock = threading.Lock()
        self._rules: tuple[AnswerRule, ...] = ()
        self.check = check
        self.replace(rules)

    def add(
        self,
        heard: str | None = None,
        say: str | None = None,
        *,
        model: str | None = None,
        turn: int | None = None,
        tool: str | None = None,
        arguments: Mapping[str, Any] | str | None = None,
    ) -> AnswerRule:
        """Add a rule at the end (ValueError if it is wrong); returns it, numbered."""
        raw: dict[str, Any] = {"heard": heard, "say": say, "model": model, "turn": turn}
        if tool is not None:
            raw["tool"] = {"name": tool, "arguments": {} if arguments is None else arguments}
        elif arguments is not None:
            raise ValueError("rule: 'arguments' needs 'tool' (the function's name)")
        with self._lock:
            if len(self._rules) >= MAX_RULES:
                raise ValueError(f"rule: at most {MAX_RULES} rules")
            rule = parse_rule(
                {k: v for k, v in raw.items() if v is not None}, "rule", len(self._rules) + 1
            )
            if self.check is not None:
                self.check(rule)
            self._rules = (*self._rules, rule)
        return rule

    def replace(self, rules: Iterable[AnswerRule]) -> None:
        """Use `rules` instead of the current ones (renumbered in order)."""
        numbered = tuple(
            AnswerRule(r.heard, r.say, r.model, r.turn, r.tool, number)
            for number, r in enumerate(rules, 1)
        )
        if len(numbered) > MAX_RULES:
            raise ValueError(f"rule: at most {MAX_RULES} rules")
        for rule in numbered:
            if self.check is not None:
                self.check(rule)
        with self._lock:
            self._rules = numbered

    def load(self, path: str | os.PathLike[str]) -> None:
        """Use the rules of an answers file instead of the current ones."""
        self.replace(load_answers(path))

    def clear(self) -> None:
        """No rules: every turn is answered as usual."""
        with self._lock:
            self._rules = ()

    @property
    def rules(self) -> tuple[AnswerRule, ...]:
        """The rules now, in order (what a session opening now takes)."""
        return self._rules

    def __len__(self) -> int:
        return len(self._rules)

    def __repr__(self) -> str:
        return f"AnswerBook({len(self._rules)} rules)"
