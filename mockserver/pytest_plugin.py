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
strict-mode violation) fails the test that caused it, at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from .testing import MockServer

if TYPE_CHECKING:
    from .client import RealtimeClient


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
