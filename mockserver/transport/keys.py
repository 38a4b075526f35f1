"""What the aiohttp application holds, under typed keys: set once by `create_app`, read by the
handlers and the connection tasks (and by `serve`, for its banner and its collector)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from ..answers.corpus import CorpusResponder
from ..replay.store import Fixture
from .building import BuildQueue
from .injector import RefusalCounts
from .options import ServerOptions

__all__ = [
    "BUILDS_KEY",
    "LIBRARY_KEY",
    "OPTIONS_KEY",
    "REFUSED_KEY",
    "RESPONDER_KEY",
    "SENDERS_KEY",
    "SOCKETS_KEY",
]

OPTIONS_KEY = web.AppKey("options", ServerOptions)
LIBRARY_KEY: web.AppKey[dict[str, Fixture]] = web.AppKey("library", dict)
RESPONDER_KEY = web.AppKey("responder", CorpusResponder)
# the send task of every live connection (cancelled at shutdown)
SENDERS_KEY: web.AppKey[set[asyncio.Task[None]]] = web.AppKey("senders", set)
BUILDS_KEY: web.AppKey[BuildQueue] = web.AppKey("builds", BuildQueue)
# how many handshakes each injected RejectHandshake fault has refused so far, per client
REFUSED_KEY: web.AppKey[RefusalCounts] = web.AppKey("refused", RefusalCounts)
SOCKETS_KEY: web.AppKey[set[web.WebSocketResponse]] = web.AppKey("sockets", set)
