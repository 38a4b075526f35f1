"""dashscope-realtime-mock: a protocol-faithful mock of DashScope's realtime WebSocket API.

What a user needs, from one place::

    from dashscope_realtime_mock import MockServer, ServerOptions, Behaviour, Pace, RealtimeClient

    with MockServer(ServerOptions(fixtures="builtin", pace=Pace.REALTIME)) as server:
        ...  # server.url, server.url_for(model), server.sessions; server.check() at the end

The reference client's names are looked up on first use (the client itself imports parts of
the mock, so importing it here at once would be a circle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# After __version__, which the modules below read (and setuptools reads without importing).
from .builtin import BUILTIN
from .core.behaviour import Behaviour
from .testing import CapturedSession, MockServer, ThreadedServer
from .transport.app import OptionError, ServerOptions, create_app
from .transport.faults import (
    Delay,
    Disconnect,
    DropEvent,
    DuplicateEvent,
    FaultPlan,
    FaultSpecError,
    IdleTimeout,
    InjectError,
    RejectHandshake,
    SessionCap,
)
from .transport.pacing import Pace

if TYPE_CHECKING:
    from dashscope_realtime_mock.client import RealtimeClient, RealtimeClientError

__all__ = [
    "BUILTIN",
    "Behaviour",
    "CapturedSession",
    "Delay",
    "Disconnect",
    "DropEvent",
    "DuplicateEvent",
    "FaultPlan",
    "FaultSpecError",
    "IdleTimeout",
    "InjectError",
    "MockServer",
    "OptionError",
    "Pace",
    "RealtimeClient",
    "RealtimeClientError",
    "RejectHandshake",
    "ServerOptions",
    "SessionCap",
    "ThreadedServer",
    "__version__",
    "create_app",
]

_FROM_THE_CLIENT = ("RealtimeClient", "RealtimeClientError")


def __getattr__(name: str) -> Any:
    """The reference client's names, imported on first use."""
    if name in _FROM_THE_CLIENT:
        from dashscope_realtime_mock import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_FROM_THE_CLIENT})
