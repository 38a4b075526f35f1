"""The former name of scripts/write_docs.py, which rewrites every generated part of the docs
(the options included): ``python scripts/write_options_docs.py`` runs it."""

from __future__ import annotations

import runpy
from pathlib import Path

if __name__ == "__main__":
    runpy.run_path(str(Path(__file__).with_name("write_docs.py")), run_name="__main__")
