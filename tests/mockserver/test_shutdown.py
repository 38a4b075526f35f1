"""SIGTERM and SIGINT: every open session gets close 1001 and the process exits 0
within the grace period, in one process and with --workers."""

from __future__ import annotations

import asyncio
import signal
import subprocess

import aiohttp
import pytest

from tests.mockserver.banner import read_banner, start_serve
from tests.support import OMNI

GRACE_S = 1.0


def _start(*flags: str) -> tuple[subprocess.Popen[str], int]:
    """`serve` with a short shutdown grace, and the port its banner names once it listens."""
    process = start_serve("--no-inspector", "--shutdown-grace", str(GRACE_S), *flags)
    return process, read_banner(process).port


async def _close_codes_after(signum: int, process: subprocess.Popen, port: int) -> list[int | None]:
    url = f"http://127.0.0.1:{port}/api-ws/v1/realtime?model={OMNI}"
    async with aiohttp.ClientSession() as http:
        sockets = [
            await http.ws_connect(url, headers={"Authorization": "Bearer k"}) for _ in range(5)
        ]
        for ws in sockets:
            await ws.receive()  # session.created: the session is open
        process.send_signal(signum)
        codes = []
        for ws in sockets:
            while (
                message := await asyncio.wait_for(ws.receive(), 10)
            ).type == aiohttp.WSMsgType.TEXT:
                pass
            codes.append(message.data if message.type == aiohttp.WSMsgType.CLOSE else None)
            await ws.close()
        return codes


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("workers", [1, 2])
def test_a_signal_closes_every_session_with_1001_and_exits_0(signum, workers):
    """5 open sessions, then the signal: each gets 1001; the process exits 0 within the grace."""
    process, port = _start("--workers", str(workers))
    try:
        codes = asyncio.run(_close_codes_after(signum, process, port))
        assert process.wait(GRACE_S + 5) == 0  # wait() raises if it outlives the grace
        assert codes == [1001] * 5
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()
