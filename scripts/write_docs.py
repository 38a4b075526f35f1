"""Rewrite every part of the docs generated from the code: in README.md the command synopsis and
the table of the models served, in docs/options.md the table of the server's options (each
between its ``<!-- generated: ... -->`` marker comments), and the whole of docs/behaviours.md.

Run it after adding or changing an option, a model, a family or a behaviour:

    python scripts/write_docs.py

tests/mockserver/test_generated_docs.py fails while a file differs from what this writes.
"""

from __future__ import annotations

from pathlib import Path

from dashscope_realtime_mock.cli import generated_blocks, generated_pages
from dashscope_realtime_mock.generated_docs import rewrite_generated

ROOT = Path(__file__).resolve().parent.parent


def written() -> dict[Path, str]:
    """Each generated file as this script writes it."""
    texts = {
        ROOT / name: rewrite_generated((ROOT / name).read_text(encoding="utf-8"), blocks)
        for name, blocks in generated_blocks().items()
    }
    texts.update({ROOT / name: page for name, page in generated_pages().items()})
    return texts


def main() -> None:
    """Write every generated file; say which changed."""
    for path, text in written().items():
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            print(f"{path.relative_to(ROOT)} is up to date")
            continue
        path.write_text(text, encoding="utf-8")
        print(f"rewrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
