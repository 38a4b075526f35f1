"""The README's generated parts: spliced between their marker comments, and equal to the code's."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashscope_realtime_mock.cli import readme_blocks
from dashscope_realtime_mock.generated_docs import rewrite_generated

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_shows_the_synopsis_and_options_the_code_declares():
    """README.md's generated synopsis and options table are what the code generates."""
    readme = README.read_text(encoding="utf-8")
    assert rewrite_generated(readme, readme_blocks()) == readme, (
        "README.md's synopsis or options table differs from the code: "
        "run `python scripts/write_options_docs.py`"
    )


def test_rewriting_without_markers_names_the_missing_block():
    """A text without a block's marker comments: ValueError naming the block."""
    with pytest.raises(ValueError, match="to write options between"):
        rewrite_generated("no markers here\n", {"options": "| a |\n"})
