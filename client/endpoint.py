"""Which endpoint and key a client uses: one setting switches between the mock and the live service.

Order of precedence for the URL: the explicit ``url=`` argument, else ``DASHSCOPE_REALTIME_URL``,
else the live endpoint of the region (``region=`` or ``DASHSCOPE_REGION``: ``cn`` — the SDK's
default, Beijing — or ``intl``, Singapore; docs/protocol/events.md §1.1). The key: ``api_key=``, else
``DASHSCOPE_API_KEY``. The model always travels as the ``model`` query parameter.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .errors import EndpointError

__all__ = ["LIVE_ENDPOINTS", "Endpoint", "resolve"]

PATH = "/api-ws/v1/realtime"
LIVE_ENDPOINTS = {
    "cn": "wss://dashscope.aliyuncs.com" + PATH,
    "intl": "wss://dashscope-intl.aliyuncs.com" + PATH,
}


@dataclass(frozen=True)
class Endpoint:
    url: str  # with ?model=
    api_key: str | None
    live: bool  # the URL is one of the live service's
    fallback: bool = False  # no url= nor DASHSCOPE_REALTIME_URL: the region's live endpoint


def _with_model(url: str, model: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "model"] + [("model", model)]
    path = parts.path if parts.path not in ("", "/") else PATH
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))


def resolve(
    model: str, *, url: str | None = None, api_key: str | None = None, region: str | None = None
) -> Endpoint:
    """The endpoint for `model` from the arguments and the environment (see the module docstring).

    Raises EndpointError (a ValueError) for a region that has no live endpoint.
    """
    base = url or os.environ.get("DASHSCOPE_REALTIME_URL")
    fallback = not base
    if not base:
        region = region or os.environ.get("DASHSCOPE_REGION", "cn")
        if region not in LIVE_ENDPOINTS:
            raise EndpointError(
                f"unknown region {region!r}; use one of {', '.join(LIVE_ENDPOINTS)}"
            )
        base = LIVE_ENDPOINTS[region]
    key = api_key or os.environ.get("DASHSCOPE_API_KEY")
    full = _with_model(base, model)
    live = any(full.startswith(endpoint) for endpoint in LIVE_ENDPOINTS.values())
    return Endpoint(full, key, live, fallback)
