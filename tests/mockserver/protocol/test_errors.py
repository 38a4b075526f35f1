"""One exception base for the server, one for the client, and no two public classes of one name."""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

from dashscope_realtime_mock.client import RealtimeClientError
from dashscope_realtime_mock.protocol.errors import ProtocolError, RealtimeMockError
from tests.package_walk import PACKAGE, package_sources


def _modules() -> list[ModuleType]:
    """Every module of the package, the client's and the schemas' included (the CLIs' __main__
    modules left out: importing one runs it)."""
    return [
        importlib.import_module(name)
        for name in package_sources()
        if not name.endswith(".__main__")
    ]


def _exceptions_defined() -> list[type[BaseException]]:
    return [
        obj
        for module in _modules()
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, BaseException)
        and obj.__module__ == module.__name__
    ]


def test_every_exception_of_the_server_derives_from_one_base():
    """`except RealtimeMockError` catches every exception the server defines."""
    server = [e for e in _exceptions_defined() if ".client." not in f"{e.__module__}."]
    assert server, "no exception class found: the walk is broken"
    assert [e.__qualname__ for e in server if not issubclass(e, RealtimeMockError)] == []


def test_every_exception_of_the_client_derives_from_its_base():
    """`except RealtimeClientError` catches every exception the reference client defines."""
    client = [e for e in _exceptions_defined() if e.__module__.startswith(f"{PACKAGE}.client")]
    assert client, "no client exception class found: the walk is broken"
    assert [e.__qualname__ for e in client if not issubclass(e, RealtimeClientError)] == []


def test_no_two_public_classes_share_a_name():
    """A name in any module's `__all__` names one class only (the client's and the server's too)."""
    homes: dict[str, set[str]] = {}
    for module in _modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if inspect.isclass(obj):
                homes.setdefault(name, set()).add(f"{obj.__module__}.{obj.__qualname__}")
    assert {name: sorted(where) for name, where in homes.items() if len(where) > 1} == {}


def test_a_protocol_error_is_a_mock_error_with_the_documented_error_object():
    """A ProtocolError renders the documented `error` object and is caught by the base."""
    error = ProtocolError("invalid_value", "Invalid value: 'x'.", "session.voice")
    assert isinstance(error, RealtimeMockError)
    assert error.to_error_object("event_1", include_event_id=True) == {
        "type": "invalid_request_error",
        "code": "invalid_value",
        "message": "Invalid value: 'x'.",
        "param": "session.voice",
        "event_id": "event_1",
    }
