"""The checks made before a WebSocket exists, and their DashScope-style HTTP refusals."""

from __future__ import annotations

import json

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from dashscope_realtime_mock.transport.handshake import (
    REALTIME_PATH,
    check_api_key,
    check_model,
    http_error,
    unknown_path,
)
from tests.support import OMNI

HOST = "127.0.0.1:8080"


def _request(query: str = "", authorization: str | None = None) -> web.Request:
    """A handshake request to the realtime path with this query and Authorization header."""
    headers = {"Host": HOST}
    if authorization is not None:
        headers["Authorization"] = authorization
    return make_mocked_request("GET", f"{REALTIME_PATH}{query}", headers=headers)


def _body(response: web.Response) -> dict[str, str]:
    """The JSON body of a refusal."""
    assert response.text is not None
    body: dict[str, str] = json.loads(response.text)
    return body


def test_an_http_error_carries_code_message_and_one_request_id() -> None:
    """The body names code, message and request_id; the x-request-id header repeats the id."""
    response = http_error(429, "Throttling", "Too many.")
    body = _body(response)
    assert (response.status, body["code"], body["message"]) == (429, "Throttling", "Too many.")
    assert response.headers["x-request-id"] == body["request_id"]


@pytest.mark.parametrize("authorization", [None, "", "Bearer ", "Basic sk-1", "sk-1"], ids=repr)
def test_a_missing_or_malformed_key_is_refused_with_401(authorization: str | None) -> None:
    """No Bearer key: 401 InvalidApiKey, whatever key the server expects."""
    refused = check_api_key(_request(authorization=authorization), None)
    assert refused is not None
    assert (refused.status, _body(refused)["code"]) == (401, "InvalidApiKey")


def test_any_bearer_key_passes_when_the_server_names_none() -> None:
    """api_key None: any non-empty Bearer key is accepted (the scheme in any case)."""
    assert check_api_key(_request(authorization="bearer sk-anything"), None) is None


def test_only_the_servers_key_passes_when_it_names_one() -> None:
    """api_key set: that key passes, another is refused with 401."""
    assert check_api_key(_request(authorization="Bearer sk-1"), "sk-1") is None
    refused = check_api_key(_request(authorization="Bearer sk-2"), "sk-1")
    assert refused is not None and refused.status == 401


def test_a_known_model_is_looked_up() -> None:
    """?model= naming a documented model: its registry entry, no refusal."""
    found = check_model(_request(f"?model={OMNI}"))
    assert not isinstance(found, web.Response)
    assert found.model_id == OMNI


def test_a_missing_model_is_refused_with_400_naming_the_url_to_use() -> None:
    """No ?model=: 400 InvalidParameter, and the message gives the URL shape on this host."""
    refused = check_model(_request())
    assert isinstance(refused, web.Response)
    body = _body(refused)
    assert (refused.status, body["code"]) == (400, "InvalidParameter")
    assert f"ws://{HOST}{REALTIME_PATH}?model=<model>" in body["message"]


def test_a_doubled_query_string_is_refused_with_400_explaining_the_legacy_url() -> None:
    """A url= that already had ?model= (the legacy SDK adds one): 400 saying what url= takes."""
    refused = check_model(_request(f"?model={OMNI}?model={OMNI}"))
    assert isinstance(refused, web.Response)
    body = _body(refused)
    assert (refused.status, body["code"]) == (400, "InvalidParameter")
    assert "two query strings" in body["message"]
    assert f"url= takes ws://{HOST}{REALTIME_PATH}" in body["message"]


def test_an_unknown_model_is_refused_with_404_model_not_found() -> None:
    """A model no family lists: 404 ModelNotFound naming it."""
    refused = check_model(_request("?model=gpt-4o-realtime"))
    assert isinstance(refused, web.Response)
    body = _body(refused)
    assert (refused.status, body["code"]) == (404, "ModelNotFound")
    assert "'gpt-4o-realtime'" in body["message"]


@pytest.mark.asyncio
async def test_an_unknown_path_is_404_naming_the_realtime_endpoint() -> None:
    """Any other path: 404 NotFound naming the path asked and the endpoint to use."""
    request = make_mocked_request("GET", "/v1/realtime", headers={"Host": HOST})
    refused = await unknown_path(request)
    body = _body(refused)
    assert (refused.status, body["code"]) == (404, "NotFound")
    assert body["message"] == (
        f"Nothing is served at /v1/realtime. The realtime endpoint is "
        f"ws://{HOST}{REALTIME_PATH}?model=<model>."
    )
