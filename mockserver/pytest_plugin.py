"""pytest plugin (entry point `pytest11`): a running mock in one line.

    def test_my_app(realtime_mock):            # a mock on a free port, strict mode on
        app = MyApp(url=realtime_mock.url)     # ws://127.0.0.1:PORT/api-ws/v1/realtime
        ...
        assert realtime_mock.sessions          # the traffic of every session, per session

    async def test_with_our_client(realtime_client):
        async with realtime_client("qwen3-asr-flash-realtime") as rt: ...

Server options go in a marker: ``@pytest.mark.realtime_mock(pace="realtime", speed=10,
behaviour=Behaviour(omni_session_finish="reject"))``; to replay recorded sessions,
``@pytest.mark.realtime_mock(fixtures=Path("fixtures"), scenario="omni-vad", strict_replay=True)``
(or pick one per connection: ``realtime_mock.url_for(model, scenario="omni-vad")``). A failure inside the server (a crash, a
strict-mode violation) fails the test that caused it, at teardown. A handshake the mock refused
(a wrong model, URL or key), which an SDK reports only as a time-out, is named in the report of
a test that fails, and in its one-line summary.

One setting moves a suite to the live service: tests written against ``realtime_endpoint``
(``.url``, ``.api_key``, ``.ws_url(model)``) get a mock by default, and with
``DASHSCOPE_REALTIME_TARGET=live`` or ``pytest --realtime-target=live`` the live endpoint
(``DASHSCOPE_REGION=intl`` for the international one) with ``DASHSCOPE_API_KEY``; without a key
those tests are skipped, saying why.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from .client.endpoint import Target, live_endpoint, target
from .client.errors import EndpointError
from .testing import MockServer

if TYPE_CHECKING:
    from .client import RealtimeClient


SERVER = pytest.StashKey[MockServer]()  # the test's mock, for its report
REFUSED_SECTION = "realtime mock: refused handshakes"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--realtime-target mock|live``: what ``realtime_endpoint`` gives (default: the
    DASHSCOPE_REALTIME_TARGET environment variable, else the mock)."""
    parser.getgroup("realtime_mock").addoption(
        "--realtime-target",
        choices=[t.value for t in Target],
        default=None,
        help="realtime_endpoint: the mock (default) or the live service "
        "(default: $DASHSCOPE_REALTIME_TARGET, else mock)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Declare the `realtime_mock` marker (the suite runs with --strict-markers)."""
    config.addinivalue_line(
        "markers", "realtime_mock(**options): ServerOptions for the realtime_mock fixture"
    )


@pytest.fixture
def realtime_mock(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """A mock DashScope realtime server on a free loopback port (strict mode), closed after the test."""
    marker = request.node.get_closest_marker("realtime_mock")
    options = {"strict": True, **(marker.kwargs if marker else {})}
    with MockServer(**options) as server:
        request.node.stash[SERVER] = server
        yield server
    server.check()


@pytest.fixture
def realtime_client(realtime_mock: MockServer) -> Callable[..., RealtimeClient]:
    """Factory: `realtime_client(model, **kw)` → a strict RealtimeClient aimed at `realtime_mock`."""
    from dashscope_realtime_mock.client import RealtimeClient

    def make(model: str, **options: Any) -> RealtimeClient:
        options = {"url": realtime_mock.url, "api_key": "mock-key", "strict": True, **options}
        return RealtimeClient(model, **options)

    return make


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing test whose mock refused a handshake: the refusals in its report, and the first
    one in its summary line (the SDK's own error is a time-out that says nothing of why)."""
    report = yield
    server = item.stash.get(SERVER, None)
    if server is None or not report.failed or not server.refusals:
        return report
    report.sections.append((REFUSED_SECTION, "\n".join(server.refusals)))
    # longrepr is a string, a tuple or an exception's representation (pytest exports no type
    # for the last); only that one has the crash line the summary shows
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None and not crash.message.startswith("the mock refused"):
        crash.message = f"the mock refused {server.refusals[0]} (the client saw: {crash.message})"
    return report


@dataclass(frozen=True)
class RealtimeEndpoint:
    """Where a test's client connects: a mock on a free port, or the live service."""

    url: str  # the realtime endpoint without the model (the legacy SDK's url=)
    api_key: str
    live: bool

    def ws_url(self, model: str) -> str:
        """The endpoint for `model` (the v2 SDK's ws_url=)."""
        return f"{self.url}?model={model}"


@pytest.fixture
def realtime_endpoint(request: pytest.FixtureRequest) -> RealtimeEndpoint:
    """The mock (``realtime_mock``) by default; the live service with
    DASHSCOPE_REALTIME_TARGET=live or --realtime-target=live, skipped without DASHSCOPE_API_KEY."""
    try:
        chosen = target(request.config.getoption("realtime_target"))
        base = live_endpoint() if chosen is Target.LIVE else ""
    except EndpointError as exc:
        raise pytest.UsageError(str(exc)) from None
    if chosen is Target.MOCK:
        mock: MockServer = request.getfixturevalue("realtime_mock")
        return RealtimeEndpoint(mock.url, "mock-key", live=False)
    key = os.environ.get("DASHSCOPE_API_KEY")
    if not key:
        pytest.skip(f"the live target ({base}) needs DASHSCOPE_API_KEY, which is not set")
    return RealtimeEndpoint(base, key, live=True)
