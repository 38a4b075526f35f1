"""Reference async client for the DashScope realtime API (mock or live, one setting apart).

from client import RealtimeClient
async with RealtimeClient("qwen3-asr-flash-realtime") as rt:   # DASHSCOPE_REALTIME_URL / _API_KEY
    ...
"""

from .connection import RealtimeClient
from .endpoint import LIVE_ENDPOINTS, Endpoint, resolve
from .events import ConnectionClosed, Event, HandshakeError, RealtimeError

__all__ = [
    "LIVE_ENDPOINTS",
    "ConnectionClosed",
    "Endpoint",
    "Event",
    "HandshakeError",
    "RealtimeClient",
    "RealtimeError",
    "resolve",
]
