"""Reference async client for the DashScope realtime API (mock or live, one setting apart).

from dashscope_realtime_mock.client import RealtimeClient
async with RealtimeClient("qwen3-asr-flash-realtime") as rt:   # DASHSCOPE_REALTIME_URL / _API_KEY
    ...

Every exception it raises derives from :class:`RealtimeClientError` (see :mod:`client.errors`).
"""

from .connection import RealtimeClient
from .endpoint import LIVE_ENDPOINTS, Endpoint, resolve
from .errors import (
    ConnectError,
    ConnectionClosed,
    EndpointError,
    EventTimeout,
    HandshakeError,
    RealtimeClientError,
    RealtimeError,
    ServerProtocolError,
)
from .events import Event

__all__ = [
    "LIVE_ENDPOINTS",
    "ConnectError",
    "ConnectionClosed",
    "Endpoint",
    "EndpointError",
    "Event",
    "EventTimeout",
    "HandshakeError",
    "RealtimeClient",
    "RealtimeClientError",
    "RealtimeError",
    "ServerProtocolError",
    "resolve",
]
