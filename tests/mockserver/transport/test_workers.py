"""`serve --workers 2` serves one port from two processes."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from dashscope_realtime_mock import cli
from dashscope_realtime_mock.transport import workers
from tests.mockserver.banner import read_banner, start_serve


def _banner(process: subprocess.Popen[str]) -> tuple[int, list[int]]:
    """The port and the worker pids the parent prints once every worker listens."""
    banner = read_banner(process, workers=True)
    assert banner.lines[-1].startswith("Workers: 2 processes")
    return banner.port, banner.worker_pids


def test_two_workers_share_one_port():
    """Both workers listen on the printed port; /healthz answers; an interrupt stops them all."""
    with start_serve("--workers", "2") as process:
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
    with start_serve("--workers", "2") as process:
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


def _children() -> set[int]:
    """The pids of this process's children (the workers `workers.serve` forks are among them)."""
    return {
        int(pid)
        for task in Path("/proc/self/task").iterdir()
        for pid in (task / "children").read_text().split()
    }


def _hang(port: int, ready: Callable[[], None]) -> int:
    """A worker that never listens (it hangs while starting) until it is stopped."""
    while True:
        time.sleep(1)


SERVE_FAILS = functools.partial(cli.fail, "serve")  # what `serve --workers N` passes


def _no_banner(port: int) -> list[str]:
    """The banner of a start that must never print one."""
    raise AssertionError("the banner is printed only once every worker listens")


def test_a_worker_that_never_listens_fails_the_start(capfd: pytest.CaptureFixture[str]) -> None:
    """A worker silent past the ready timeout: one error line, exit status 2, no worker left."""
    before = _children()
    code = workers.serve(2, _hang, "127.0.0.1", 0, _no_banner, fail=SERVE_FAILS, ready_timeout_s=1)
    assert (code, capfd.readouterr()) == (
        2,
        (
            "",
            "realtime-mock serve: error: 2 of 2 workers did not listen within 1 s; stopped them all\n",
        ),
    )
    assert _children() <= before


def test_workers_that_exit_without_listening_fail_the_start(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Workers that end (status 0) before they listen: one error line and exit status 2 at once."""
    code = workers.serve(2, lambda port, ready: 0, "127.0.0.1", 0, _no_banner, fail=SERVE_FAILS)
    assert (code, capfd.readouterr().err) == (
        2,
        "realtime-mock serve: error: 2 of 2 workers exited before they listened\n",
    )


def test_a_worker_that_fails_to_start_has_the_last_word(capfd: pytest.CaptureFixture[str]) -> None:
    """A worker that fails (status 2) printed why itself: the parent adds nothing and exits 2."""

    def fail(port: int, ready: Callable[[], None]) -> int:
        print("realtime-mock serve: error: cannot listen", file=sys.stderr, flush=True)
        return 2

    code = workers.serve(1, fail, "127.0.0.1", 0, _no_banner, fail=SERVE_FAILS)
    assert (code, capfd.readouterr().err) == (2, "realtime-mock serve: error: cannot listen\n")


def _ignore_sigint() -> None:
    """As a shell starts a background job: SIGINT ignored, inherited across exec."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_background_job_stops_on_sigint_and_sigterm_alike(signum):
    """Started with SIGINT ignored (`serve --workers 2 &`), SIGINT stops parent and workers as SIGTERM does."""
    command = [sys.executable, "-m", "dashscope_realtime_mock", "serve", "--port", "0"]
    with subprocess.Popen(
        [*command, "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        preexec_fn=_ignore_sigint,
    ) as process:
        try:
            _, pids = _banner(process)
            process.send_signal(signum)
            assert process.wait(30) == 0
        finally:
            if process.poll() is None:
                process.kill()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in pids)
    finally:
        for pid in filter(_alive, pids):
            os.kill(pid, signal.SIGKILL)
