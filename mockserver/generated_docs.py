"""The docs generated from the code: a command line's synopsis, the models served and the
named behaviours, spliced between marker comments or written as whole pages.

The synopsis is read off the argparse parser itself (which `serve` builds from the declared
:class:`~.options.ServerOptions`), the models off the family records, the behaviours off the
`Behaviour` dataclass and the comments above its fields. ``python scripts/write_docs.py``
rewrites every generated part; tests/mockserver/test_generated_docs.py fails while one differs.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .session.family import Family

__all__ = ["behaviours_page", "models_table", "rewrite_generated", "synopsis"]

WIDTH = 100  # the synopsis wraps at this many characters
INDENT = "    "  # a wrapped synopsis line starts with this


def _value(action: argparse.Action) -> str:
    """What stands for the value of `action` in a synopsis: its metavar, else its default,
    else its choices, else its name in capitals."""
    if isinstance(action.metavar, str):
        return action.metavar
    if action.default is not None and not isinstance(action.default, list):
        return str(action.default)
    if action.choices is not None:
        return "|".join(str(choice) for choice in action.choices)
    return action.dest.upper()


def _word(action: argparse.Action) -> str:
    """`action` as a synopsis shows it, without brackets: ``--port 8765``, ``--strict``, ``FILE``."""
    if not action.option_strings:
        return _value(action)
    flag = max(action.option_strings, key=len)
    if action.nargs == 0:
        return flag
    repeated = " ..." if isinstance(action, argparse._AppendAction) else ""
    return f"{flag} {_value(action)}{repeated}"


def _words(parser: argparse.ArgumentParser) -> list[str]:
    """Each argument of `parser` as a synopsis shows it, in the order they were added; the
    arguments of a mutually exclusive group together, as ``[a | b]``; no ``-h``."""
    groups = {
        id(action): group
        for group in parser._mutually_exclusive_groups
        for action in group._group_actions
    }
    words: list[str] = []
    done: set[int] = set()
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or id(action) in done:
            continue
        group = groups.get(id(action))
        members = group._group_actions if group is not None else [action]
        done.update(id(member) for member in members)
        text = " | ".join(_word(member) for member in members)
        required = action.required or (not action.option_strings and group is None)
        words.append(text if required else f"[{text}]")
    return words


def _wrapped(words: list[str]) -> list[str]:
    """`words` joined by spaces into lines of at most WIDTH characters (a longer word alone)."""
    lines = [words[0]]
    for word in words[1:]:
        if len(lines[-1]) + 1 + len(word) <= WIDTH:
            lines[-1] += f" {word}"
        else:
            lines.append(f"{INDENT}{word}")
    return lines


def synopsis(parser: argparse.ArgumentParser, prog: str) -> str:
    """Every subcommand of `parser` with every argument it takes, as typed after `prog`
    (``prog serve [--host 127.0.0.1] ...``), one command a paragraph, wrapped at WIDTH."""
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    lines: list[str] = []
    for name, command in commands.choices.items():
        lines.extend(_wrapped([f"{prog} {name}", *_words(command)]))
    return "\n".join(lines) + "\n"


def _markers(name: str) -> tuple[str, str]:
    return (
        f"<!-- generated: {name} (python scripts/write_docs.py) -->\n",
        f"<!-- end generated: {name} -->\n",
    )


def rewrite_generated(text: str, blocks: Mapping[str, str]) -> str:
    """`text` with what stands between the marker comments of each block replaced by it.

    Each block ``name`` sits between ``<!-- generated: name ... -->`` and ``<!-- end
    generated: name -->`` lines; ValueError names a block whose markers are missing.
    """
    for name, block in blocks.items():
        start, end = _markers(name)
        pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
        found = pattern.search(text)
        if found is None:
            raise ValueError(f"no {start.strip()} ... {end.strip()} lines to write {name} between")
        text = text[: found.start()] + start + block + end + text[found.end() :]
    return text


def models_table(families: Iterable[Family]) -> str:
    """The README's table of the models served (Markdown): each canonical id, its family and its
    dated snapshots, in registration order, read off the family records."""
    lines = ["| model | family | snapshots |", "| --- | --- | --- |"]
    for family in families:
        for spec in family.models:
            snapshots = ", ".join(f"`{s}`" for s in spec.snapshots) or "—"
            lines.append(f"| `{spec.model_id}` | {family.name}: {family.summary} | {snapshots} |")
    return "\n".join(lines) + "\n"


def _field_comments(source: str, cls: str) -> dict[str, str]:
    """The comment lines right above each annotated field of class `cls` in `source`, joined:
    where a Behaviour field says which passage of the docs its choice rests on."""
    tree = ast.parse(source)
    [body] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls]
    lines = source.splitlines()
    comments: dict[str, str] = {}
    for node in body.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        above: list[str] = []
        row = node.lineno - 2
        while row >= 0 and lines[row].strip().startswith("#"):
            above.insert(0, lines[row].strip().lstrip("#").strip())
            row -= 1
        comments[node.target.id] = " ".join(above)
    return comments


def _cell(value: object) -> str:
    """`value` as a Markdown table cell shows it: true, not True; a bar escaped."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return text.replace("|", "\\|")


def behaviours_page(behaviour: type[Any], source: str) -> str:
    """docs/behaviours.md: every field of `behaviour` (the dataclass of named choices) with its
    values, its default (per family or model where they differ) and the passage it rests on,
    the comment above its declaration in `source`."""
    comments = _field_comments(source, behaviour.__name__)
    choices = behaviour.choices()
    rows = ["| name | values | default | why (the passage the choice rests on) |"]
    rows.append("| --- | --- | --- | --- |")
    for spec in dataclasses.fields(behaviour):
        rows.append(
            f"| `{spec.name}` | {_cell(choices[spec.name])} | {_cell(spec.default)} "
            f"| {_cell(comments.get(spec.name, ''))} |"
        )
    return BEHAVIOURS_INTRO + "\n".join(rows) + "\n"


BEHAVIOURS_INTRO = """\
# Behaviours: the choices where the docs are open

<!-- This page is generated from mockserver/protocol/behaviour.py by `python scripts/write_docs.py`;
do not edit it by hand (tests/mockserver/test_generated_docs.py fails while it differs). -->

Each point the documentation leaves open (docs/protocol/events.md §7) that the mock had to decide
is a named choice, a field of `Behaviour`. Set one with `serve --behaviour NAME=VALUE`, the
pytest marker `@pytest.mark.realtime_mock(behaviour=Behaviour(NAME=VALUE))`, or
`ServerOptions(behaviour=...)`. A choice whose default differs per family or model takes
`NAME=VALUE` (every scope) or `NAME=SCOPE:VALUE,...` (a family name or a canonical model id;
the other scopes keep their defaults), e.g. `--behaviour commit_in_vad_mode=asr:ignore`.

"""
