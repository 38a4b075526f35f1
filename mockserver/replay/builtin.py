"""The fixture library that ships with the package, by name: ``fixtures="builtin"``.

The library (recorded scenarios, speech, corpus) lives in the repository's top-level
``fixtures/`` folder and is installed inside the package as ``mockserver/fixtures/``
(``setup.py`` maps it). :func:`fixtures_dir` finds it in either place, so the name works from
a wheel and from a checkout alike.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["BUILTIN", "builtin_fixtures", "fixtures_dir"]

BUILTIN = "builtin"

_PACKAGE = Path(__file__).resolve().parent.parent  # the package root (replay/ sits inside it)


def builtin_fixtures() -> Path:
    """The shipped library's folder: inside the installed package, else beside it (a checkout)."""
    for folder in (_PACKAGE / "fixtures", _PACKAGE.parent / "fixtures"):
        if (folder / "scenarios").is_dir():
            return folder
    raise FileNotFoundError(f"the built-in fixture library is missing from {_PACKAGE}")


def fixtures_dir(fixtures: str | Path | None) -> Path | None:
    """A ``fixtures=`` value as a folder: ``"builtin"`` is the shipped library, anything else a path."""
    if fixtures is None:
        return None
    if isinstance(fixtures, str) and fixtures == BUILTIN:
        return builtin_fixtures()
    return Path(fixtures)
