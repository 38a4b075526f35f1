"""A family registered from outside `mockserver/` is served, validated and listed end to end."""

from __future__ import annotations

import dataclasses
import json

import aiohttp
import pytest

from dashscope_realtime_mock.families import (
    REGISTRY,
    lookup,
    open_session,
    register_family,
    unregister_family,
)
from dashscope_realtime_mock.session.family import Dialect
from dashscope_realtime_mock.testing import MockServer
from tests.mockserver.families.echo import ECHO, MODEL_ID

AUTH = {"Authorization": "Bearer sk-test"}


@pytest.fixture
def echo_family():
    """The toy family, registered for one test and removed after it."""
    register_family(ECHO)
    yield ECHO
    unregister_family(ECHO.name)


def test_a_registered_family_resolves_its_model(echo_family):
    """lookup() finds the toy family's model, and the family is listed with the built-in ones."""
    found = lookup(MODEL_ID)
    assert found is not None and found.family is echo_family
    assert [f.name for f in REGISTRY.families()][-1] == "echo"
    assert MODEL_ID in REGISTRY.supported_models()


def test_unregistering_removes_the_family_and_its_models(echo_family):
    """After unregister_family the model id is no longer served."""
    unregister_family("echo")
    try:
        assert lookup(MODEL_ID) is None and "echo" not in REGISTRY.names()
    finally:
        register_family(ECHO)  # the fixture removes it again


def test_a_family_without_a_schema_for_a_client_event_is_refused():
    """Registration names the client events that have no schema in the family's folder."""
    incomplete = dataclasses.replace(
        ECHO, dialect=Dialect(client_events=("session.update", "echo.shout"))
    )
    with pytest.raises(ValueError, match=r"no client schema for: echo\.shout"):
        register_family(incomplete)
    assert lookup(MODEL_ID) is None


def test_a_second_family_with_the_same_name_is_refused(echo_family):
    """Names and model ids are unique across the registry."""
    with pytest.raises(ValueError, match="already registered"):
        register_family(ECHO)


def test_the_core_session_of_the_toy_family_echoes(echo_family):
    """The pure session: session.created with the defaults, then an echo per echo.say."""
    session = open_session(MODEL_ID, strict=True)
    session.receive_event({"type": "session.update", "session": {"uppercase": True, "repeat": 2}})
    session.receive_event({"type": "echo.say", "text": "hello"})
    events = session.events_to_send()
    assert [e["type"] for e in events] == [
        "session.created",
        "session.updated",  # the one connect triggers
        "session.updated",
        "echo.said",
        "echo.said",
    ]
    assert events[0]["session"] == {
        "id": session.id,
        "object": "realtime.session",
        "model": MODEL_ID,
        "uppercase": False,
        "repeat": 1,
    }
    assert [e["text"] for e in events[3:]] == ["HELLO", "HELLO"]


def test_the_toy_familys_schema_decides_the_error_wording(echo_family):
    """A range and a type broken in the toy's own schema get the documented error wording."""
    session = open_session(MODEL_ID, strict=True)
    session.receive_event({"type": "session.update", "session": {"repeat": 9}})
    session.receive_event({"type": "echo.say", "text": 5})
    errors = [e["error"] for e in session.events_to_send() if e["type"] == "error"]
    assert [(e["code"], e["param"], e["message"]) for e in errors] == [
        (
            "invalid_value",
            "session.repeat",
            "Invalid value for 'session.repeat': 9. It must be in [1, 3].",
        ),
        ("invalid_type", "text", "Invalid type for 'text': expected a string."),
    ]


def test_an_event_of_another_family_is_unknown_to_the_toy(echo_family):
    """Dispatch follows the toy's dialect: an audio append is an unknown event type for it."""
    session = open_session(MODEL_ID)
    session.receive_event({"type": "input_audio_buffer.append", "audio": ""})
    (error,) = [e for e in session.events_to_send() if e["type"] == "error"]
    assert error["error"]["param"] == "type"
    assert "'echo.say', 'session.finish', 'session.update'" in error["error"]["message"]


async def _talk(url: str, events: list[dict]) -> list[dict]:
    received = []
    async with aiohttp.ClientSession() as http, http.ws_connect(url, headers=AUTH) as ws:
        for event in events:
            await ws.send_str(json.dumps(event))
        async for message in ws:
            received.append(json.loads(message.data))
            if received[-1]["type"] == "session.finished":
                await ws.close()
    return received


@pytest.mark.asyncio
async def test_the_toy_family_is_served_over_a_socket_in_strict_mode(echo_family):
    """Over a real socket, strict mode on: every server event is checked against the toy's schemas."""
    with MockServer(strict=True) as server:
        received = await _talk(
            server.url_for(MODEL_ID),
            [
                {"type": "session.update", "session": {"uppercase": True}},
                {"type": "echo.say", "text": "over the wire"},
                {"type": "echo.say"},
                {"type": "session.finish"},
            ],
        )
    server.check()  # no strict-mode violation inside the server
    assert [e["type"] for e in received] == [
        "session.created",
        "session.updated",
        "session.updated",
        "echo.said",
        "error",
        "session.finished",
    ]
    assert received[3]["text"] == "OVER THE WIRE"
    assert received[4]["error"]["message"] == "Missing required parameter: 'text'."


@pytest.mark.asyncio
async def test_healthz_lists_the_toy_family(echo_family):
    """/healthz derives its family list from the registry, the toy included."""
    with MockServer() as server:
        async with aiohttp.ClientSession() as http:
            url = server.ws_base.replace("ws://", "http://").split("/api-ws")[0] + "/healthz"
            body = await (await http.get(url)).json()
    assert body["families"]["echo"] == {"summary": ECHO.summary, "models": [MODEL_ID]}
    assert MODEL_ID in body["models"]
