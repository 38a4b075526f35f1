"""`realtime-mock serve` as a user starts it, and the URLs its startup banner tells them to paste."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BANNER_LINES = 5


@dataclass(frozen=True)
class Banner:
    """The startup banner of a running `serve`, and the strings it offers for each SDK."""

    lines: list[str]

    def _quoted(self, keyword: str) -> str:
        [value] = [m[1] for line in self.lines for m in re.finditer(rf' {keyword}="([^"]+)"', line)]
        return value

    @property
    def legacy_url(self) -> str:
        """What the banner gives for the legacy SDK's `url=`."""
        return self._quoted("url")

    @property
    def v2_url(self) -> str:
        """What the banner gives for the v2 SDK's `ws_url=`."""
        return self._quoted("ws_url")

    @property
    def port(self) -> int:
        return int(re.search(r"http://127\.0\.0\.1:(\d+)", self.lines[0])[1])  # type: ignore[index]


@contextlib.contextmanager
def serving(*flags: str, python: str = sys.executable, cwd: Path | None = None) -> Iterator[Banner]:
    """`python -m dashscope_realtime_mock serve --port 0 FLAGS` in a subprocess, until the block ends."""
    process = subprocess.Popen(
        [python, "-m", "dashscope_realtime_mock", "serve", "--port", "0", *flags],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    try:
        yield Banner([process.stdout.readline() for _ in range(BANNER_LINES)])
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()
