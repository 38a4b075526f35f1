"""Who may read the inspector: the checks every `/inspect` route makes before it answers.

The inspector shows every session's text and audio, so it is guarded more closely than the
realtime endpoint:

- **Loopback only** unless :attr:`Access.remote`: a client at another address gets 403, even
  when the server listens on 0.0.0.0 (`serve --inspector-remote` opens it).
- **The server's key**: when the server has an API key, every route (the page, its assets, the
  API, the update stream, the downloads) wants it, as ``Authorization: Bearer KEY`` or as the
  session cookie the login form (`/inspect/login`) sets. The cookie holds an HMAC of the key,
  never the key.
- **The Host header**: an IP literal, ``localhost`` (or a name under it) or a name in
  :attr:`Access.hosts`; anything else is 403, so a page on another site cannot reach the
  inspector by pointing its own name at 127.0.0.1 (DNS rebinding).
- **Headers** on every answer: a Content-Security-Policy allowing only the inspector's own
  files, ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``, no referrer, no cache.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from ..transport.handshake import http_error
from ..transport.keys import OPTIONS_KEY

__all__ = [
    "COOKIE",
    "LOGIN_SUFFIX",
    "SECURITY_HEADERS",
    "Access",
    "Handler",
    "cookie_value",
    "login_page",
    "refusal",
    "same_key",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

COOKIE = "inspector_session"
LOGIN_SUFFIX = "/login"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_COOKIE_CONTEXT = b"dashscope-realtime-mock inspector session"


@dataclass(frozen=True)
class Access:
    """Who may read the inspector besides a loopback client with the server's key (if any).

    `remote`: serve clients at any address, not only loopback ones. `hosts`: Host names
    accepted besides IP literals and ``localhost`` (the name the server is reached by, when it
    is not an address).
    """

    remote: bool = False
    hosts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "hosts", tuple(host.lower() for host in self.hosts))

    def host_allowed(self, host: str | None) -> bool:
        """The Host header's name (without port) is one the inspector answers to."""
        if not host:
            return False
        name = host.lower().rstrip(".")
        if name == "localhost" or name.endswith(".localhost") or name in self.hosts:
            return True
        try:
            ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            return False
        return True

    def peer_allowed(self, remote: str | None) -> bool:
        """The client's address may read the inspector (a Unix socket's None: yes)."""
        if self.remote or remote is None:
            return True
        try:
            address = ipaddress.ip_address(remote)
        except ValueError:
            return False
        mapped = getattr(address, "ipv4_mapped", None)
        return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def cookie_value(api_key: str) -> str:
    """The session cookie that stands for `api_key` (an HMAC of it: the key itself never leaves)."""
    return hmac.new(api_key.encode(), _COOKIE_CONTEXT, hashlib.sha256).hexdigest()


def same_key(given: str, expected: str) -> bool:
    """`given` is `expected`, compared in constant time."""
    return hmac.compare_digest(given.encode(), expected.encode())


def key_given(request: web.Request, api_key: str) -> bool:
    """The request carries the server's key: a Bearer header, or the login form's cookie."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and same_key(key.strip(), api_key):
        return True
    return same_key(request.cookies.get(COOKIE, ""), cookie_value(api_key))


def refusal(request: web.Request, access: Access, login_path: str) -> web.StreamResponse | None:
    """The answer that refuses `request` (None: it may read the inspector).

    `login_path` is where a browser without the key is sent; the login form itself is refused
    only for its address or its Host, never for a missing key.
    """
    if not access.peer_allowed(request.remote):
        return http_error(
            403,
            "AccessDenied",
            "The inspector answers loopback clients only (serve --inspector-remote opens it).",
        )
    if not access.host_allowed(request.url.host):
        return http_error(
            403,
            "AccessDenied",
            "The inspector answers only to an IP address or localhost in the Host header "
            "(serve --inspector-host NAME adds a name).",
        )
    api_key = request.app[OPTIONS_KEY].api_key
    if api_key is None or request.path == login_path or key_given(request, api_key):
        return None
    if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
        raise web.HTTPSeeOther(login_path)
    return http_error(
        401,
        "InvalidApiKey",
        "The inspector wants the server's API key (Authorization: Bearer KEY, or log in at "
        f"{login_path}).",
    )


def login_page(action: str, wrong: bool = False) -> web.Response:
    """The login form: one field for the server's API key (a POST to `action`)."""
    notice = '<p role="alert">That is not the server\'s API key.</p>' if wrong else ""
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Session inspector: log in</title></head><body>"
        "<h1>Session inspector</h1>"
        f"{notice}"
        f'<form method="post" action="{html.escape(action)}">'
        '<label>API key <input type="password" name="key" autocomplete="current-password" '
        "required autofocus></label> <button>Log in</button></form></body></html>"
    )
    return web.Response(
        text=body, content_type="text/html", charset="utf-8", status=401 if wrong else 200
    )
