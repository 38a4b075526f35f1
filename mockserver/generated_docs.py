"""The README's usage docs, generated: a command line's synopsis, spliced between marker comments.

The synopsis is read off the argparse parser itself (which `serve` builds from the declared
:class:`~.options.ServerOptions`), so a flag added to the code shows up in the docs by running
``scripts/write_options_docs.py``; a test fails while README.md still differs.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping

__all__ = ["rewrite_generated", "synopsis"]

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
        f"<!-- generated: {name} (python scripts/write_options_docs.py) -->\n",
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
