"""`serve --workers 2` serves one port from two processes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _serve_two_workers() -> subprocess.Popen[str]:
    """`serve --workers 2` on a free port, its banner on a pipe."""
    return subprocess.Popen(
        [sys.executable, "-m", "dashscope_realtime_mock", "serve", "--port", "0", "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _banner(process: subprocess.Popen[str]) -> tuple[int, list[int]]:
    """The port and the worker pids the parent prints once every worker listens."""
    assert process.stdout is not None
    lines = [process.stdout.readline()]
    while not lines[-1].startswith("Workers:") and lines[-1]:
        lines.append(process.stdout.readline())
    port = int(re.search(r"listening on http://[^:]+:(\d+)", lines[0]).group(1))
    assert lines[-1].startswith("Workers: 2 processes")
    return port, [int(p) for p in lines[-1].split("(")[1].rstrip(")\n").split(", ")]


def test_two_workers_share_one_port():
    """Both workers listen on the printed port; /healthz answers; an interrupt stops them all."""
    with _serve_two_workers() as process:
        try:
            port, pids = _banner(process)
            for _ in range(4):
                url = f"http://127.0.0.1:{port}/healthz"
                with urllib.request.urlopen(url, timeout=10) as answer:
                    assert json.load(answer)["status"] == "ok"
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(20)
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids)  # stopped and reaped


def test_workers_stop_when_their_parent_is_killed():
    """SIGKILL reaches no handler of the parent: the workers notice it is gone and stop."""
    with _serve_two_workers() as process:
        _, pids = _banner(process)
        process.kill()
        process.wait(20)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in pids)
    finally:
        for pid in filter(_alive, pids):  # never leave a worker behind, even when this fails
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    """Still running (an exited worker whose parent is gone is reaped by init, or is a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
