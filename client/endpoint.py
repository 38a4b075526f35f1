"""Which endpoint and key a client uses: one setting switches between the mock and the live service.

Order of precedence for the URL: the explicit ``url=`` argument, else ``DASHSCOPE_REALTIME_URL``,
else the live endpoint of the region (``region=`` or ``DASHSCOPE_REGION``: ``cn`` — the SDK's
default, Beijing — or ``intl``, Singapore; docs/protocol/events.md §1.1). The key: ``api_key=``, else
``DASHSCOPE_API_KEY``. The model always travels as the ``model`` query parameter.

``DASHSCOPE_REALTIME_TARGET=live`` (the setting that moves the pytest plugin's
``realtime_endpoint`` to the live service) makes the client ignore ``DASHSCOPE_REALTIME_URL``
too, so one setting moves a test suite, the client and the demo together.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .errors import EndpointError

__all__ = [
    "LIVE_ENDPOINTS",
    "TARGET_VARIABLE",
    "Endpoint",
    "Target",
    "live_endpoint",
    "resolve",
    "target",
]

TARGET_VARIABLE = "DASHSCOPE_REALTIME_TARGET"  # mock (the default) or live


class Target(str, Enum):
    """What a test suite runs against: the mock (the default) or the live service."""

    MOCK = "mock"
    LIVE = "live"

    def __str__(self) -> str:
        return str(self.value)


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
    chosen_live = target() is Target.LIVE
    base = url or (None if chosen_live else os.environ.get("DASHSCOPE_REALTIME_URL"))
    fallback = not base and not chosen_live
    if not base:
        base = live_endpoint(region)
    key = api_key or os.environ.get("DASHSCOPE_API_KEY")
    full = _with_model(base, model)
    live = any(full.startswith(endpoint) for endpoint in LIVE_ENDPOINTS.values())
    return Endpoint(full, key, live, fallback)


def target(given: str | None = None) -> Target:
    """`given` (a command-line option), else DASHSCOPE_REALTIME_TARGET, else the mock. Raises
    EndpointError, one line, for a value that is neither ``mock`` nor ``live``."""
    chosen = (given or os.environ.get(TARGET_VARIABLE) or "mock").strip().lower()
    try:
        return Target(chosen)
    except ValueError:
        allowed = ", ".join(t.value for t in Target)
        raise EndpointError(f"{TARGET_VARIABLE} must be one of {allowed}; got {chosen!r}") from None


def live_endpoint(region: str | None = None) -> str:
    """The live service's realtime URL (no query) for `region`, else DASHSCOPE_REGION, else
    ``cn``. Raises EndpointError for a region that has none."""
    region = region or os.environ.get("DASHSCOPE_REGION", "cn")
    if region not in LIVE_ENDPOINTS:
        raise EndpointError(f"unknown region {region!r}; use one of {', '.join(LIVE_ENDPOINTS)}")
    return LIVE_ENDPOINTS[region]
