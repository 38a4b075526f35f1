"""docs/answers.md: its example rules files and corpus are what the mock accepts."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dashscope_realtime_mock.answers.corpus import load_corpus
from dashscope_realtime_mock.transport.options import ServerOptions

DOC = Path(__file__).resolve().parents[2] / "docs" / "answers.md"
BLOCKS = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", DOC.read_text("utf-8"), re.S)]


def test_every_example_rules_file_is_accepted():
    """Each JSON example with `answers` loads as the server's scripted answers."""
    examples = [block for block in BLOCKS if "answers" in block]
    assert len(examples) == 2
    for example in examples:
        assert len(ServerOptions(answers=example["answers"]).answer_book) == len(example["answers"])


def test_the_example_corpus_is_accepted(tmp_path: Path):
    """The corpus example loads as a corpus.json."""
    [corpus] = [block for block in BLOCKS if "sentences" in block]
    path = tmp_path / "corpus.json"
    path.write_text(json.dumps(corpus), encoding="utf-8")
    assert load_corpus(path)["sentences"] == corpus["sentences"]
