"""Rewrite the parts of README.md generated from the code: the command synopsis and the table of
the server's options (between their ``<!-- generated: ... -->`` marker comments).

Run it after adding or changing an option (a field of ServerOptions, or a `serve` flag):

    python scripts/write_options_docs.py

tests/mockserver/transport/test_options.py fails while README.md differs from what this writes.
"""

from __future__ import annotations

from pathlib import Path

from dashscope_realtime_mock.cli import readme_blocks
from dashscope_realtime_mock.generated_docs import rewrite_generated

README = Path(__file__).resolve().parent.parent / "README.md"


def main() -> None:
    """Write the generated blocks into README.md; say whether anything changed."""
    text = README.read_text(encoding="utf-8")
    written = rewrite_generated(text, readme_blocks())
    if written == text:
        print(f"{README.name} is up to date")
        return
    README.write_text(written, encoding="utf-8")
    print(f"rewrote the generated parts of {README.name}")


if __name__ == "__main__":
    main()
