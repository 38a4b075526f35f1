"""Serve one port from several processes (`realtime-mock serve --workers N`).

Sessions are independent (each lives in one process, on one WebSocket), so N processes can share
a port: each worker binds it with SO_REUSEPORT and the kernel spreads new connections over them.
The parent forks the workers, waits until each listens, prints the banner, and stops them all
when it is interrupted or terminated. Nothing is shared between workers but the port.

A worker that does not listen within `READY_TIMEOUT_S` (it hangs while loading its fixtures, or
on a lock) fails the start: the parent reports it (the CLI prints one line), stops every worker
and exits with 2.
Before this, the parent waited for it forever and printed nothing.

A worker never outlives its parent: each holds the reading end of a pipe whose only writer is
the parent, and a thread waits on it. When the parent is gone, however it went (SIGKILL
included, which no handler sees), the pipe ends and the worker stops as on SIGTERM. Before this,
a parent killed outright left its workers serving the port with no one to stop them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from multiprocessing.process import BaseProcess

__all__ = ["READY_TIMEOUT_S", "serve"]

READY_TIMEOUT_S = 60.0  # a worker that takes longer to listen fails the start
STOP_GRACE_S = 5.0  # after SIGTERM, how long a worker may take to stop before SIGKILL
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # either stops the parent and every worker

_READY = b"+"  # one byte per worker on the readiness pipe: atomic, so writers never interleave
_FAILED = b"-"

RunWorker = Callable[[int, Callable[[], None]], int]


def serve(
    count: int,
    run_worker: RunWorker,
    host: str,
    port: int,
    banner: Callable[[int], Iterable[str]],
    *,
    fail: Callable[[str], int],
    ready_timeout_s: float = READY_TIMEOUT_S,
) -> int:
    """Run `count` workers on host:port; `run_worker(port, ready)` serves in a worker until
    interrupted and calls `ready()` once it listens. Port 0 picks a free port for all of them.

    Returns the exit status: 2 when a worker fails to start (it printed why), else what
    `fail(problem)` returns when the workers do not all listen within `ready_timeout_s` (the CLI
    prints the one-line error and gives its exit status); no worker outlives the call."""
    context = multiprocessing.get_context("fork")  # the workers start from this process's imports
    holder = None
    if port == 0:
        # Reserve a free port with a bound, never listening SO_REUSEPORT socket the workers join.
        holder = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind((host, 0))
        port = holder.getsockname()[1]
    ready = os.pipe()  # each worker writes _READY or _FAILED once
    lifeline = os.pipe()  # nothing is written to it: it ends when this process does
    processes = [
        context.Process(
            target=_worker,
            args=(run_worker, port, ready[1], lifeline),
            name=f"realtime-mock-{i}",
            daemon=True,
        )
        for i in range(count)
    ]
    # SIGINT and SIGTERM stop the workers the same way. SIGINT is set here, not left to
    # Python's KeyboardInterrupt: a process started with SIGINT ignored (a shell's background
    # job) keeps it ignored, and `kill -INT` would stop nothing.
    previous = {signum: signal.signal(signum, _exit_on_signal) for signum in STOP_SIGNALS}
    try:
        for process in processes:
            process.start()
        os.close(ready[1])  # once every worker has exited, reading ends
        failure = _wait_until_ready(ready[0], count, ready_timeout_s)
        if failure is not None:
            return fail(failure) if failure else 2
        if holder is not None:
            holder.close()
        for line in banner(port):
            print(line, flush=True)
        print(
            f"Workers: {count} processes ({', '.join(str(p.pid) for p in processes)})", flush=True
        )
        for process in processes:
            process.join()
        return max((p.exitcode or 0) for p in processes)
    finally:
        for signum in STOP_SIGNALS:  # a second signal must not cut the stopping short
            signal.signal(signum, signal.SIG_IGN)
        _stop(processes)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        os.close(ready[0])
        for end in lifeline:
            os.close(end)
        if holder is not None:
            holder.close()


def _wait_until_ready(reader: int, count: int, timeout_s: float) -> str | None:
    """Wait for `count` workers to report; None once all listen, "" when one failed to start
    (it printed why), else the line that says what went wrong."""
    deadline = time.monotonic() + timeout_s
    listening = 0
    while listening < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([reader], [], [], remaining)[0]:
            return (
                f"{count - listening} of {count} workers did not listen within "
                f"{timeout_s:g} s; stopped them all"
            )
        reports = os.read(reader, count - listening)
        if not reports:
            return f"{count - listening} of {count} workers exited before they listened"
        if _FAILED in reports:
            return ""
        listening += len(reports)
    return None


def _stop(processes: Sequence[BaseProcess]) -> None:
    """Stop every worker still running: SIGTERM (its server closes its sessions with 1001),
    then SIGKILL for one still running after STOP_GRACE_S, so none is left behind."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + STOP_GRACE_S
    for process in processes:
        if process.pid is not None:
            process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join()


def _worker(run_worker: RunWorker, port: int, ready: int, lifeline: tuple[int, int]) -> None:
    """A worker's process: serve until SIGTERM or the parent's end, and report to the parent
    on `ready` whether it listens (once, one byte) or failed to start."""
    signal.signal(signal.SIGTERM, _exit_on_signal)
    reader, writer = lifeline
    os.close(writer)  # the parent's copy must be the only one left
    threading.Thread(
        target=_stop_with_parent, args=(reader,), name="parent-watch", daemon=True
    ).start()
    try:
        code = run_worker(port, lambda: _report(ready, _READY))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        _report(ready, _FAILED)
        raise
    if code:
        _report(ready, _FAILED)
    sys.exit(code)


def _report(ready: int, report: bytes) -> None:
    """Tell the parent this worker listens or failed; a parent already gone hears nothing."""
    with contextlib.suppress(BrokenPipeError):
        os.write(ready, report)


def _stop_with_parent(reader: int) -> None:
    """Wait until the parent's end of the lifeline closes, then stop this worker as SIGTERM
    does (its server closes every session with 1001 first)."""
    while os.read(reader, 1):
        pass
    os.kill(os.getpid(), signal.SIGTERM)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)
