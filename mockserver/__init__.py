"""dashscope-realtime-mock: a protocol-faithful mock of DashScope's realtime WebSocket API.

What a user needs, from one place::

    from dashscope_realtime_mock import MockServer, ServerOptions, Behaviour, Pace, RealtimeClient

    with MockServer(ServerOptions(fixtures="builtin", pace=Pace.REALTIME)) as server:
        ...  # server.url, server.url_for(model), server.sessions; server.check() at the end

Every public name is imported on first use (PEP 562), so `import dashscope_realtime_mock`, or
importing one of its modules, loads neither the server nor aiohttp's web stack: a user's
`import` starts nothing, and the reference client loads only what it uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .client import RealtimeClient, RealtimeClientError
    from .protocol.behaviour import Behaviour
    from .protocol.errors import RealtimeMockError
    from .replay.builtin import BUILTIN
    from .testing import CapturedSession, MockServer, ThreadedServer
    from .transport.app import create_app
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
    from .transport.options import OptionError, ServerOptions
    from .transport.pacing import Pace

# Each public name and the module it lives in.
_HOMES = {
    "BUILTIN": ".replay.builtin",
    "Behaviour": ".protocol.behaviour",
    "CapturedSession": ".testing",
    "Delay": ".transport.faults",
    "Disconnect": ".transport.faults",
    "DropEvent": ".transport.faults",
    "DuplicateEvent": ".transport.faults",
    "FaultPlan": ".transport.faults",
    "FaultSpecError": ".transport.faults",
    "IdleTimeout": ".transport.faults",
    "InjectError": ".transport.faults",
    "MockServer": ".testing",
    "OptionError": ".transport.options",
    "Pace": ".transport.pacing",
    "RealtimeClient": ".client",
    "RealtimeClientError": ".client",
    "RealtimeMockError": ".protocol.errors",
    "RejectHandshake": ".transport.faults",
    "ServerOptions": ".transport.options",
    "SessionCap": ".transport.faults",
    "ThreadedServer": ".testing",
    "create_app": ".transport.app",
}

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
    "RealtimeMockError",
    "RejectHandshake",
    "ServerOptions",
    "SessionCap",
    "ThreadedServer",
    "__version__",
    "create_app",
]  # the names of _HOMES, and __version__


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use and kept."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
