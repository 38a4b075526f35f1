"""Refusals you can see: every WebSocket handshake the mock refuses, logged with its reason.

An SDK whose handshake is refused shows none of the JSON body the mock answers with: it waits,
then reports a time-out. So each refused WebSocket handshake (a wrong model, path, query string
or key; a fault that refuses; the connection cap) is also logged at WARNING, URL and reason, in
the server's output, and handed to the observer (the pytest plugin adds it to a failing test's
report).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import hdrs, web

from .keys import OPTIONS_KEY
from .limits import redacted

__all__ = ["refusal_reason", "refusals_logged"]

log = logging.getLogger("mockserver")


def refusal_reason(response: web.Response) -> str:
    """A refusal as one line: ``404 ModelNotFound: Model 'x' is not supported ...`` (the status,
    then the `code` and `message` of a DashScope-style body, else the HTTP reason)."""
    try:
        body = json.loads(response.body) if isinstance(response.body, bytes) else None
    except ValueError:
        body = None
    if isinstance(body, dict) and "code" in body:
        return f"{response.status} {body['code']}: {body.get('message', '')}"
    return f"{response.status} {response.reason}"


@web.middleware
async def refusals_logged(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """A WebSocket handshake answered with an HTTP error: one WARNING line naming the URL (keys
    redacted) and the reason, and the observer told. Other requests (a browser's) are not."""
    response = await handler(request)
    websocket = request.headers.get(hdrs.UPGRADE, "").lower() == "websocket"
    if response.status >= 400 and isinstance(response, web.Response) and websocket:
        url, reason = redacted(str(request.rel_url)), refusal_reason(response)
        log.warning("refused the WebSocket handshake for %s: %s", url, reason)
        observer = request.app[OPTIONS_KEY].observer
        if observer is not None:
            observer.refused(url, reason)
    return response
