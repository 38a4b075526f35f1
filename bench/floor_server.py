"""The I/O floor of the fast-pace benchmark: a bare aiohttp WebSocket server, in its own process.

It does what no mock can skip: it decodes the same client input (JSON + base64 audio), and after
`session.finish` it sends back, byte for byte and frame by frame, what the mock sent that session
(`?session=K` picks the K-th session of the frames file, a JSON list of lists of text frames).

Run by `bench/bench_load.py`: `python bench/floor_server.py FRAMES.json` prints its URL.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import sys

from aiohttp import web

PATH = "/api-ws/v1/realtime"


def main(frames_file: str) -> None:
    with open(frames_file, encoding="utf-8") as f:
        replies: list[list[str]] = json.load(f)

    async def handler(request: web.Request) -> web.WebSocketResponse:
        frames = replies[int(request.query.get("session", "0")) % len(replies)]
        ws = web.WebSocketResponse(max_msg_size=32 * 1024 * 1024)
        await ws.prepare(request)
        async for message in ws:
            event = json.loads(message.data)
            if event.get("type") == "input_audio_buffer.append":
                base64.b64decode(event["audio"], validate=True)
            elif event.get("type") == "session.finish":
                for frame in frames:
                    await ws.send_str(frame)
        return ws

    async def serve() -> None:
        app = web.Application()
        app.router.add_get(PATH, handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        print(f"floor listening on http://127.0.0.1:{port}", flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main(sys.argv[1])
