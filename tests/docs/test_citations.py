"""Every citation of the protocol documents resolves to a section of `docs/protocol/`.

A citation names one of the protocol files (`events`, `sequences`, `omni-next`, `qwen-audio`,
`tts`, with the `.md` suffix) by its path from the repository root, optionally followed by section
numbers (`§4.2`, `§2.3/§4.3`, `§2.1 / §3.1`, `§1.8, §7.2`). Each test names every offender as
`file:line`, so one run lists everything to fix. Code comments and docstrings also never cite an
issue number (STYLE.md: a citation names a file in this repository or a public URL).
"""

from __future__ import annotations

import ast
import functools
import io
import json
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = ROOT / "docs" / "protocol"
PREFIX = "docs/protocol/"
NAMES = ("events", "sequences", "omni-next", "qwen-audio", "tts")
SCANNED = (
    "mockserver",
    "client",
    "schemas",
    "tests",
    "bench",
    "scripts",
    "README.md",
    "ARCHITECTURE.md",
    "docs",
)
NO_ISSUES_IN = ("mockserver", "client", "schemas", "tests", "bench", "scripts")
SUFFIXES = {".py", ".json", ".md", ".txt", ".toml", ".yaml", ".yml", ".cfg", ".sh", ".js", ".html"}
SKIPPED_DIRS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
# The verbatim doc payloads and their provenance notes, which speak of the original files.
# docs/protocol/ itself names its files relative to itself.
SKIPPED_UNDER = (ROOT / "tests" / "schemas" / "examples", PROTOCOL)

_NAME = "|".join(re.escape(name) for name in NAMES)
_SECTION = r"§\s*\d+(?:\.\d+)*"
# A path prefix (possibly empty, each part ending in "/"), the file name (perhaps in backticks),
# then its sections.
CITATION = re.compile(
    rf"(?<![\w./-])(?P<prefix>(?:[\w.-]+/)*)(?P<name>{_NAME})\.md\b`?"
    rf"(?P<sections>(?:\s*(?:,|/|and)?\s*{_SECTION})*)"
)
# A protocol file named without its `.md` suffix, then a section sign.
SUFFIXLESS = re.compile(rf"(?<![\w./-])(?P<name>{_NAME})\s+§")
SECTION_NUMBER = re.compile(r"§\s*(\d+(?:\.\d+)*)")
HEADING = re.compile(r"^#{1,6}\s+(\d+(?:\.\d+)*)\.?(?:\s|$)")
ISSUE = re.compile(r"\bissues?\s*#?\d+\b|(?<![\w&/])#\d+\b", re.IGNORECASE)


@dataclass(frozen=True)
class Citation:
    """One citation: where it stands, the path it gives, and the section numbers it names."""

    where: str
    prefix: str
    name: str
    sections: tuple[str, ...]

    @property
    def text(self) -> str:
        cited = f"{self.prefix}{self.name}.md"
        return " ".join([cited, *(f"§{s}" for s in self.sections)])


def _scanned_files(roots: tuple[str, ...]) -> list[Path]:
    """The text files under `roots` (folders or single files), in a stable order."""
    found: list[Path] = []
    for root in roots:
        path = ROOT / root
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        for file in candidates:
            if not file.is_file() or file.suffix not in SUFFIXES:
                continue
            if SKIPPED_DIRS.intersection(file.relative_to(ROOT).parts):
                continue
            if any(file.is_relative_to(skipped) for skipped in SKIPPED_UNDER):
                continue
            found.append(file)
    return found


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


@functools.cache
def _citations() -> tuple[Citation, ...]:
    """Every citation in the scanned files."""
    found = []
    for path in _scanned_files(SCANNED):
        for number, line in enumerate(_lines(path), start=1):
            where = f"{path.relative_to(ROOT)}:{number}"
            for match in CITATION.finditer(line):
                sections = tuple(SECTION_NUMBER.findall(match["sections"]))
                found.append(Citation(where, match["prefix"], match["name"], sections))
    return tuple(found)


@functools.cache
def _headings(name: str) -> frozenset[str]:
    """The section numbers that have a heading in docs/protocol/<name>.md."""
    path = PROTOCOL / f"{name}.md"
    if not path.is_file():
        return frozenset()
    return frozenset(m[1] for line in _lines(path) if (m := HEADING.match(line)))


def _report(problem: str, offenders: list[str]) -> str:
    return f"{len(offenders)} {problem}:\n" + "\n".join(f"  {line}" for line in offenders)


def test_citations_are_prefixed_with_docs_protocol():
    """Every citation of a protocol file gives its path from the root, `docs/protocol/…`."""
    offenders = [f"{c.where}: {c.text}" for c in _citations() if c.prefix != PREFIX]
    assert not offenders, _report(f"citations without the {PREFIX} prefix", offenders)


def test_citations_name_the_file_with_its_suffix():
    """A protocol file is never cited without its `.md` suffix before a section number."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(0)}…"
        for path in _scanned_files(SCANNED)
        for number, line in enumerate(_lines(path), start=1)
        for match in SUFFIXLESS.finditer(line)
    ]
    assert not offenders, _report(f"citations without .md (cite {PREFIX}<name>.md §N)", offenders)


def test_cited_files_exist():
    """Every cited protocol file exists in the repository."""
    offenders = [
        f"{c.where}: {c.text} (no file {c.prefix}{c.name}.md)"
        for c in _citations()
        if not (ROOT / f"{c.prefix}{c.name}.md").is_file()
    ]
    assert not offenders, _report("citations of a file that does not exist", offenders)


def test_cited_sections_have_headings():
    """Every cited section number is the number of a heading in the cited file."""
    offenders = [
        f"{c.where}: {c.text} (no heading {section} in {PREFIX}{c.name}.md)"
        for c in _citations()
        for section in c.sections
        if section not in _headings(c.name)
    ]
    assert not offenders, _report("citations of a section with no heading", offenders)


def test_every_protocol_file_is_in_the_docs():
    """Each protocol file the citations may name exists under docs/protocol/, with headings."""
    missing = [f"{PREFIX}{name}.md" for name in NAMES if not _headings(name)]
    assert not missing, _report("protocol files missing or without numbered headings", missing)


def _python_comments_and_docstrings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every comment and docstring in a Python file."""
    source = path.read_text(encoding="utf-8")
    found = [
        (token.start[0], token.string)
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    ]
    documented = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, documented)
            and (docstring := ast.get_docstring(node, clean=False)) is not None
        ):
            first = node.body[0]
            for offset, line in enumerate(docstring.splitlines()):
                found.append((first.lineno + offset, line))
    return found


def _json_descriptions(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every line of a JSON file that holds a description or a comment."""
    json.loads(path.read_text(encoding="utf-8"))  # a file that does not parse fails loudly
    keys = ('"description"', '"$comment"')
    return [
        (number, line)
        for number, line in enumerate(_lines(path), start=1)
        if any(key in line for key in keys)
    ]


def test_no_issue_numbers_in_comments_or_docstrings():
    """No comment, docstring or schema description cites an issue number."""
    offenders = []
    for path in _scanned_files(NO_ISSUES_IN):
        if path.suffix == ".py":
            texts = _python_comments_and_docstrings(path)
        elif path.suffix == ".json":
            texts = _json_descriptions(path)
        else:
            continue
        for number, text in sorted(texts):
            for match in ISSUE.finditer(text):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)!r}")
    assert not offenders, _report("issue numbers in comments or docstrings", offenders)
