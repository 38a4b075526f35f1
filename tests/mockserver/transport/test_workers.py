"""`serve --workers 2` serves one port from two processes."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path


def test_two_workers_share_one_port():
    """Both workers listen on the printed port; /healthz answers; an interrupt stops them all."""
    with subprocess.Popen(
        [sys.executable, "-m", "dashscope_realtime_mock", "serve", "--port", "0", "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline()]
            while not lines[-1].startswith("Workers:") and lines[-1]:
                lines.append(process.stdout.readline())
            port = int(re.search(r"listening on http://[^:]+:(\d+)", lines[0]).group(1))
            assert lines[-1].startswith("Workers: 2 processes")
            pids = [int(p) for p in lines[-1].split("(")[1].rstrip(")\n").split(", ")]
            for _ in range(4):
                url = f"http://127.0.0.1:{port}/healthz"
                with urllib.request.urlopen(url, timeout=10) as answer:
                    assert json.load(answer)["status"] == "ok"
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(20)
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids)  # stopped and reaped
