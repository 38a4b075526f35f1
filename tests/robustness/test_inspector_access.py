"""The robustness matrix, inspector access: loopback only, the server's key on every route, the
security headers, the Host header checked."""

from __future__ import annotations

from unittest import mock

import pytest
from aiohttp.test_utils import make_mocked_request

from dashscope_realtime_mock.inspector import INSPECT_PATH, Access, Inspector
from dashscope_realtime_mock.transport.app import create_app
from dashscope_realtime_mock.transport.options import ServerOptions

KEY = "sk-the-servers-own-key"
ROUTES = [
    INSPECT_PATH,
    INSPECT_PATH + "/static/inspector.js",
    INSPECT_PATH + "/api/sessions",
    INSPECT_PATH + "/api/updates",
    INSPECT_PATH + "/api/sessions/sess_x",
    INSPECT_PATH + "/api/sessions/sess_x/traffic.jsonl",
    INSPECT_PATH + "/api/sessions/sess_x/fixture.zip",
    INSPECT_PATH + "/api/sessions/sess_x/input.wav",
]


@pytest.fixture
def keyed(aiohttp_client):
    async def start(access: Access | None = None):
        app = create_app(ServerOptions(api_key=KEY, watcher=Inspector(access=access)))
        return await aiohttp_client(app)

    return start


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ROUTES)
async def test_every_route_wants_the_servers_key(keyed, path):
    """Without the key, every inspector route answers 401 (or sends a browser to log in)."""
    client = await keyed()
    response = await client.get(path, allow_redirects=False)
    assert response.status == 401
    assert (await response.json())["code"] == "InvalidApiKey"


@pytest.mark.asyncio
async def test_a_wrong_bearer_key_is_refused(keyed):
    """A key that is not the server's opens nothing."""
    client = await keyed()
    response = await client.get(
        INSPECT_PATH + "/api/sessions", headers={"Authorization": "Bearer sk-other"}
    )
    assert response.status == 401


@pytest.mark.asyncio
async def test_the_bearer_key_opens_the_api(keyed):
    """The server's key as a Bearer header opens the API."""
    client = await keyed()
    response = await client.get(
        INSPECT_PATH + "/api/sessions", headers={"Authorization": f"Bearer {KEY}"}
    )
    assert response.status == 200
    assert (await response.json())["sessions"] == []


@pytest.mark.asyncio
async def test_a_browser_without_the_key_is_sent_to_the_login_form(keyed):
    """The page, asked for by a browser without the key, redirects to the login form."""
    client = await keyed()
    response = await client.get(
        INSPECT_PATH, headers={"Accept": "text/html"}, allow_redirects=False
    )
    assert response.status == 303
    assert response.headers["Location"] == INSPECT_PATH + "/login"
    form = await client.get(INSPECT_PATH + "/login")
    assert form.status == 200
    assert 'name="key"' in await form.text()


@pytest.mark.asyncio
async def test_the_login_form_sets_a_cookie_that_opens_every_route(keyed):
    """Logging in with the key sets a session cookie (not the key) that opens the page and API."""
    client = await keyed()
    login = await client.post(INSPECT_PATH + "/login", data={"key": KEY}, allow_redirects=False)
    assert login.status == 303
    cookie = login.cookies["inspector_session"]
    assert KEY not in cookie.value
    assert cookie["httponly"]
    assert (await client.get(INSPECT_PATH)).status == 200
    assert (await client.get(INSPECT_PATH + "/api/sessions")).status == 200


@pytest.mark.asyncio
async def test_a_wrong_key_in_the_login_form_sets_no_cookie(keyed):
    """A wrong key at the login form says so and opens nothing."""
    client = await keyed()
    login = await client.post(
        INSPECT_PATH + "/login", data={"key": "sk-guess"}, allow_redirects=False
    )
    assert login.status == 401
    assert "inspector_session" not in login.cookies
    assert (await client.get(INSPECT_PATH + "/api/sessions")).status == 401


@pytest.mark.asyncio
@pytest.mark.parametrize("path", [INSPECT_PATH, INSPECT_PATH + "/api/sessions"])
async def test_every_answer_carries_the_security_headers(keyed, path):
    """CSP, X-Frame-Options and nosniff on answers and refusals alike."""
    client = await keyed()
    for headers in ({}, {"Authorization": f"Bearer {KEY}"}):
        response = await client.get(path, headers=headers, allow_redirects=False)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.asyncio
@pytest.mark.parametrize("host", ["evil.example:8765", "attacker.test"])
async def test_a_foreign_host_header_is_refused(keyed, host):
    """A Host that is neither an address nor localhost gets 403 (DNS rebinding), even with the key."""
    client = await keyed()
    response = await client.get(
        INSPECT_PATH + "/api/sessions", headers={"Host": host, "Authorization": f"Bearer {KEY}"}
    )
    assert response.status == 403


@pytest.mark.asyncio
@pytest.mark.parametrize("host", ["localhost:8765", "127.0.0.1", "[::1]:9", "mock.internal"])
async def test_addresses_localhost_and_named_hosts_are_accepted(keyed, host):
    """IP literals, localhost and the names given with --inspector-host are answered."""
    client = await keyed(Access(hosts=("mock.internal",)))
    response = await client.get(
        INSPECT_PATH + "/api/sessions", headers={"Host": host, "Authorization": f"Bearer {KEY}"}
    )
    assert response.status == 200


async def _from_address(app, remote: str) -> int:
    """The status a request for the sessions list from `remote` gets."""
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (
        (remote, 40000) if name == "peername" else default
    )
    request = make_mocked_request(
        "GET",
        INSPECT_PATH + "/api/sessions",
        headers={"Host": "127.0.0.1", "Authorization": f"Bearer {KEY}"},
        app=app,
        transport=transport,
    )
    match = await app.router.resolve(request)
    match.add_app(app)
    request._match_info = match
    response = await match.handler(request)
    return response.status


@pytest.mark.asyncio
@pytest.mark.parametrize("remote", ["10.1.2.3", "192.168.0.7", "2001:db8::1"])
async def test_another_address_is_refused_unless_remote_is_allowed(remote):
    """A client at a non-loopback address gets 403; with Access(remote=True) it is served."""
    closed = create_app(ServerOptions(api_key=KEY, watcher=Inspector()))
    opened = create_app(ServerOptions(api_key=KEY, watcher=Inspector(access=Access(remote=True))))
    assert await _from_address(closed, remote) == 403
    assert await _from_address(opened, remote) == 200


@pytest.mark.asyncio
@pytest.mark.parametrize("remote", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
async def test_loopback_addresses_are_served(remote):
    """Every loopback form (IPv4, IPv6, mapped) is a local client."""
    app = create_app(ServerOptions(api_key=KEY, watcher=Inspector()))
    assert await _from_address(app, remote) == 200
