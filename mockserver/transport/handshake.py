"""The checks the real service makes before a WebSocket exists (docs/protocol/events.md §1.3), and their refusals.

Each refusal is an HTTP error with a DashScope-style JSON body (`code`, `message`, `request_id`).
Where the URL itself is wrong (another path, no model, a doubled query string), the message
names the URL shape that works, with this server's own host, so it can be pasted as it is.
An SDK shows none of this, so each refusal is also logged (`refusals.py`).
"""

from __future__ import annotations

import uuid

from aiohttp import web

from ..families import REGISTRY
from ..session.registry import Model

__all__ = [
    "REALTIME_PATH",
    "check_api_key",
    "check_model",
    "expected_url",
    "http_error",
    "unknown_path",
]

REALTIME_PATH = "/api-ws/v1/realtime"


def http_error(status: int, code: str, message: str) -> web.Response:
    """A DashScope-style HTTP error: JSON {code, message, request_id} and an x-request-id header."""
    request_id = str(uuid.uuid4())
    body = {"code": code, "message": message, "request_id": request_id}
    return web.json_response(body, status=status, headers={"x-request-id": request_id})


def expected_url(request: web.Request) -> str:
    """The URL shape this server answers, as the client reached it: ws://HOST:PORT/…?model=<model>."""
    return f"ws://{request.host}{REALTIME_PATH}?model=<model>"


def check_api_key(request: web.Request, api_key: str | None) -> web.Response | None:
    """None if the Bearer key is acceptable (`api_key`, or any non-empty key when None)."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key or (api_key is not None and key != api_key):
        # docs/protocol/events.md §1.3 / §7.1 [inferred]: 401 with DashScope's usual body.
        return http_error(401, "InvalidApiKey", "Invalid API-key provided.")
    return None


def check_model(request: web.Request) -> Model | web.Response:
    """The model the query names, or the HTTP error that refuses the handshake."""
    model = request.query.get("model")
    if not model:
        # [assumed, docs/protocol/events.md §1.1: a third-party gateway answers 400 for a missing model]
        return http_error(
            400,
            "InvalidParameter",
            f"Missing required query parameter: 'model'. Connect to {expected_url(request)}.",
        )
    if "?" in model:
        # The legacy SDK appends ?model= to its url=; a url= that already has one doubles it.
        return http_error(
            400,
            "InvalidParameter",
            f"The URL has two query strings (?model={model}). Connect to {expected_url(request)}; "
            f"the legacy SDK's url= takes ws://{request.host}{REALTIME_PATH} and adds ?model= itself.",
        )
    found = REGISTRY.lookup(model)
    if found is None:
        # [assumed] DashScope's HTTP APIs answer an unknown model with 404 ModelNotFound.
        return http_error(
            404, "ModelNotFound", f"Model '{model}' is not supported by this endpoint."
        )
    return found


async def unknown_path(request: web.Request) -> web.Response:
    """Any path but the realtime endpoint and /healthz: 404 naming the URL to use."""
    return http_error(
        404,
        "NotFound",
        f"Nothing is served at {request.path}. The realtime endpoint is {expected_url(request)}.",
    )
