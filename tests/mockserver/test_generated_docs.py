"""The docs generated from the code: spliced between their marker comments or written whole, and
equal to what the code generates (`python scripts/write_docs.py` rewrites them all)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from dashscope_realtime_mock.cli import generated_blocks, generated_pages
from dashscope_realtime_mock.families import REGISTRY
from dashscope_realtime_mock.generated_docs import behaviours_page, models_table, rewrite_generated
from dashscope_realtime_mock.protocol.behaviour import Behaviour

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "run `python scripts/write_docs.py`"


@pytest.mark.parametrize("name", sorted(generated_blocks()))
def test_generated_blocks_are_what_the_code_generates(name):
    """Each file's generated blocks (README's synopsis and models, the options table) match the code."""
    text = (ROOT / name).read_text(encoding="utf-8")
    assert rewrite_generated(text, generated_blocks()[name]) == text, (
        f"{name} differs from the code: {REGENERATE}"
    )


@pytest.mark.parametrize("name", sorted(generated_pages()))
def test_generated_pages_are_what_the_code_generates(name):
    """Each generated page (docs/behaviours.md) is what the code generates."""
    assert (ROOT / name).read_text(encoding="utf-8") == generated_pages()[name], (
        f"{name} differs from the code: {REGENERATE}"
    )


def test_rewriting_without_markers_names_the_missing_block():
    """A text without a block's marker comments: ValueError naming the block."""
    with pytest.raises(ValueError, match="to write options between"):
        rewrite_generated("no markers here\n", {"options": "| a |\n"})


def test_models_table_lists_every_model_and_snapshot():
    """Every wire id the registry serves appears in the models table, with its family."""
    table = models_table(REGISTRY.families())
    for model_id in REGISTRY.supported_models():
        assert f"`{model_id}`" in table
    assert "| `qwen3-asr-flash-realtime` | asr:" in table


def test_behaviours_page_names_each_field_with_its_default_and_passage():
    """Each Behaviour field is a row: its values, its per-scope default, the comment above it."""
    page = behaviours_page(Behaviour, (ROOT / "mockserver/protocol/behaviour.py").read_text())
    rows = dict(re.findall(r"^\| `([a-z_0-9]+)` \| (.*)$", page, re.MULTILINE))
    assert set(rows) == {f.name for f in dataclasses.fields(Behaviour)}
    assert "error (omni: commit)" in rows["commit_in_vad_mode"]
    assert "Default: en (English)" in rows["assumed_language"]


def test_a_field_without_a_comment_gets_an_empty_passage():
    """A field declared with no comment above it still gets its row (the passage left empty)."""

    @dataclasses.dataclass(frozen=True)
    class Toy:
        plain: int = 3

        @classmethod
        def choices(cls) -> dict[str, str]:
            return {"plain": "int"}

    source = "class Toy:\n    x = 1\n    plain: int = 3\n"
    assert "| `plain` | int | 3 |  |" in behaviours_page(Toy, source)


def test_every_behaviour_says_which_passage_it_rests_on():
    """Each Behaviour field has a comment above it, its row's "why": no choice without a reason."""
    page = behaviours_page(Behaviour, (ROOT / "mockserver/protocol/behaviour.py").read_text())
    rows = re.findall(r"^\| `([a-z_0-9]+)` \| .* \| (.*) \|$", page, re.MULTILINE)
    assert len(rows) == len(dataclasses.fields(Behaviour))
    assert [name for name, why in rows if not why.strip()] == []
