"""One connection's faults: which apply (server, scenario, query, header) and the handshake's refusal."""

from __future__ import annotations

import json

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from dashscope_realtime_mock.transport.faults import FaultPlan, RejectHandshake, SessionCap
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.injector import (
    FAULTS_HEADER,
    RefusalCounts,
    handshake_refusal,
    plan_for,
    scenario_plan,
    session_cap,
)


def _request(query: str = "", header: str | None = None) -> web.Request:
    """A handshake with this query string and X-Mock-Faults header."""
    headers = {FAULTS_HEADER: header} if header is not None else {}
    return make_mocked_request("GET", f"{REALTIME_PATH}?model=m{query}", headers=headers)


def test_a_connections_plan_adds_query_and_header_to_server_and_scenario() -> None:
    """server + scenario + ?faults= + X-Mock-Faults, in that order."""
    server = FaultPlan((SessionCap(seconds=1.0),))
    scenario = FaultPlan((SessionCap(seconds=2.0),))
    plan = plan_for(
        _request("&faults=session_cap:seconds=3", "session_cap:seconds=4"), server, scenario
    )
    assert isinstance(plan, FaultPlan)
    assert [cap.seconds for cap in plan.of_kind(SessionCap)] == [1.0, 2.0, 3.0, 4.0]


def test_a_bad_fault_in_the_header_is_refused_with_400_naming_where() -> None:
    """An unknown fault kind in X-Mock-Faults: 400 InvalidParameter naming the header."""
    refused = plan_for(_request(header="no_such_fault"), FaultPlan(), FaultPlan())
    assert isinstance(refused, web.Response) and refused.status == 400
    assert refused.text is not None
    assert f"Bad fault in the {FAULTS_HEADER} header" in json.loads(refused.text)["message"]


def test_a_scenarios_bad_fault_fails_naming_the_scenario() -> None:
    """A fixture header with a bad fault: ValueError naming where it came from."""
    with pytest.raises(ValueError, match=r"^scenario x: faults: "):
        scenario_plan({"faults": "no_such_fault"}, "scenario x")


def test_a_scenario_without_faults_has_an_empty_plan() -> None:
    """No `faults` in the fixture's header: no fault."""
    assert scenario_plan({}, "scenario x").faults == ()


def test_the_last_session_cap_named_wins() -> None:
    """Several session_cap faults: the last one applies; none, None."""
    plan = FaultPlan((SessionCap(seconds=1.0), SessionCap(seconds=2.0)))
    cap = session_cap(plan)
    assert cap is not None and cap.seconds == 2.0
    assert session_cap(FaultPlan()) is None


def test_a_reject_with_times_refuses_that_many_handshakes_then_none() -> None:
    """reject times=2: the first two handshakes get its status, the third goes through."""
    plan = FaultPlan((RejectHandshake(status=403, times=2),))
    refused = RefusalCounts()
    answers = [handshake_refusal(plan, refused, _request()) for _ in range(3)]
    assert [a.status if a is not None else None for a in answers] == [403, 403, None]


def test_a_reject_carries_dashscopes_body_for_its_status() -> None:
    """A 401 refusal: DashScope's InvalidApiKey body."""
    answer = handshake_refusal(
        FaultPlan((RejectHandshake(status=401),)), RefusalCounts(), _request()
    )
    assert answer is not None and answer.text is not None
    assert json.loads(answer.text)["code"] == "InvalidApiKey"
