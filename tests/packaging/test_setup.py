"""setup.py lists every folder of the package, so setuptools has nothing to warn about."""

from __future__ import annotations

import runpy
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_importable_folder_is_a_listed_package():
    """Each folder Python could import (data folders too) is listed: no "Package would be ignored"."""
    setup = runpy.run_path(str(REPO / "setup.py"), run_name="setup")
    listed = set(setup["packages"]())
    importable = {
        ".".join([name, *path.relative_to(REPO / folder).parts])
        for name, folder in setup["FOLDERS"].items()
        for path in [REPO / folder, *(REPO / folder).rglob("*")]
        if path.is_dir()
        and path.name != "__pycache__"
        and all(part.isidentifier() for part in path.relative_to(REPO / folder).parts)
        and any(child.is_file() for child in path.iterdir())
    }
    assert importable - listed == set()
    assert {"dashscope_realtime_mock.data", "dashscope_realtime_mock.inspector.static"} <= listed
