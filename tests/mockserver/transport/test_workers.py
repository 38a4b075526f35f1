"""`serve --workers 2` serves one port from two processes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path


def test_two_workers_share_one_port():
    """Both workers listen on the printed port; /healthz answers; an interrupt stops them all."""
    with subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(4)]
            port = int(lines[0].rsplit(":", 1)[1])
            assert lines[3].startswith("Workers: 2 processes")
            pids = [int(p) for p in lines[3].split("(")[1].rstrip(")\n").split(", ")]
            for _ in range(4):
                url = f"http://127.0.0.1:{port}/healthz"
                with urllib.request.urlopen(url, timeout=10) as answer:
                    assert json.load(answer)["status"] == "ok"
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(20)
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids)  # stopped and reaped
