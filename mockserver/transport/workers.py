"""Serve one port from several processes (`realtime-mock serve --workers N`).

Sessions are independent (each lives in one process, on one WebSocket), so N processes can share
a port: each worker binds it with SO_REUSEPORT and the kernel spreads new connections over them.
The parent forks the workers, waits until each listens, prints the banner, and stops them all
when it is interrupted or terminated. Nothing is shared between workers but the port.

A worker never outlives its parent: each holds the reading end of a pipe whose only writer is
the parent, and a thread waits on it. When the parent is gone, however it went (SIGKILL
included, which no handler sees), the pipe ends and the worker stops as on SIGTERM. Before this,
a parent killed outright left its workers serving the port with no one to stop them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable

__all__ = ["serve"]

READY_TIMEOUT_S = 60.0


def serve(
    count: int,
    run_worker: Callable[[int, Callable[[], None]], int],
    host: str,
    port: int,
    banner: Callable[[int], Iterable[str]],
) -> int:
    """Run `count` workers on host:port; `run_worker(port, ready)` serves in a worker until
    interrupted and calls `ready()` once it listens. Port 0 picks a free port for all of them."""
    context = multiprocessing.get_context("fork")  # the workers start from this process's imports
    holder = None
    if port == 0:
        # Reserve a free port with a bound, never listening SO_REUSEPORT socket the workers join.
        holder = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind((host, 0))
        port = holder.getsockname()[1]
    ready = context.SimpleQueue()
    lifeline = os.pipe()  # nothing is written to it: it ends when this process does
    processes = [
        context.Process(
            target=_worker,
            args=(run_worker, port, ready, lifeline),
            name=f"realtime-mock-{i}",
            daemon=True,
        )
        for i in range(count)
    ]
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        for process in processes:
            process.start()
        for _ in processes:
            if ready.get() is None:
                return 2  # a worker failed to start; it printed why
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
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(5)
        for end in lifeline:
            os.close(end)
        if holder is not None:
            holder.close()


def _worker(
    run_worker: Callable[[int, Callable[[], None]], int],
    port: int,
    ready,
    lifeline: tuple[int, int],
) -> None:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    reader, writer = lifeline
    os.close(writer)  # the parent's copy must be the only one left
    threading.Thread(
        target=_stop_with_parent, args=(reader,), name="parent-watch", daemon=True
    ).start()
    try:
        code = run_worker(port, lambda: ready.put(True))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        ready.put(None)
        raise
    if code:
        ready.put(None)
    sys.exit(code)


def _stop_with_parent(reader: int) -> None:
    """Wait until the parent's end of the lifeline closes, then stop this worker as SIGTERM
    does (its server closes every session with 1001 first)."""
    while os.read(reader, 1):
        pass
    os.kill(os.getpid(), signal.SIGTERM)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)
