"""`realtime-mock serve` as a user starts it, and the URLs its startup banner tells them to paste."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

BANNER_LINES = 5  # every banner has at least these; the port is on the first
WORKERS_LINE = "Workers: "  # with --workers N > 1, the parent's last line names the worker pids


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
        """The port the server listens on (the banner's first line names it)."""
        return int(re.search(r"listening on http://[^:]+:(\d+)", self.lines[0])[1])  # type: ignore[index]

    @property
    def worker_pids(self) -> list[int]:
        """The worker processes of `serve --workers N` (read with `workers=True`)."""
        [line] = [line for line in self.lines if line.startswith(WORKERS_LINE)]
        return [int(pid) for pid in line.split("(")[1].rstrip(")\n").split(", ")]


def start_serve(
    *flags: str,
    python: str = sys.executable,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[str]:
    """Start `python -m dashscope_realtime_mock serve --port 0 FLAGS`, its stdout on a pipe; when
    a test needs the process itself (signals, its pid); read its banner with `read_banner`."""
    return subprocess.Popen(
        [python, "-m", "dashscope_realtime_mock", "serve", "--port", "0", *flags],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def read_banner(process: subprocess.Popen[str], *, workers: bool = False) -> Banner:
    """The banner `process` prints once it listens: its first lines, or with `workers` up to the
    parent's `Workers:` line (printed once every worker listens). Fails if the server exits."""
    assert process.stdout is not None
    lines: list[str] = []
    while len(lines) < BANNER_LINES or (workers and not lines[-1].startswith(WORKERS_LINE)):
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"serve exited before its banner (status {process.wait(10)})")
        lines.append(line)
    return Banner(lines)


@contextlib.contextmanager
def serving(
    *flags: str,
    python: str = sys.executable,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[Banner]:
    """`python -m dashscope_realtime_mock serve --port 0 FLAGS` in a subprocess, until the block ends."""
    process = start_serve(*flags, python=python, cwd=cwd, env=env)
    assert process.stdout is not None
    try:
        yield read_banner(process)
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()
