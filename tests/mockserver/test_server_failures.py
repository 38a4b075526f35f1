"""A crash anywhere inside the mock fails the test that caused it, at teardown, naming the exception.

One outside project (the plugin from its entry point) holds one test per place a crash can
happen; it runs once, and each test here reads the report of one of them.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import pytest

OUTSIDE_TESTS = textwrap.dedent("""
    import asyncio

    import pytest
    from dashscope_realtime_mock.client import HandshakeError
    from dashscope_realtime_mock.protocol.behaviour import Behaviour
    from dashscope_realtime_mock.families import REGISTRY
    from dashscope_realtime_mock.transport import answering, timers
    from dashscope_realtime_mock.transport.connection import Connection

    ASR = "qwen3-asr-flash-realtime"


    async def listen(realtime_client, model=ASR):
        async with realtime_client(model) as rt:
            async for _ in rt:
                pass


    def test_opening_the_session(realtime_mock, realtime_client, monkeypatch):
        def shadowed(*args, **kwargs):
            raise AttributeError("module 'schemas' has no attribute 'errors'")

        monkeypatch.setattr(REGISTRY, "open_session", shadowed)
        asyncio.run(listen(realtime_client))


    def test_sending_an_event(realtime_mock, realtime_client, monkeypatch):
        async def broken(connection, event):
            raise KeyError("event_id")

        monkeypatch.setattr(Connection, "deliver", broken)
        asyncio.run(listen(realtime_client))


    def test_before_the_websocket(realtime_mock, realtime_client, monkeypatch):
        def broken(request, model):
            raise LookupError("no responder")

        monkeypatch.setattr(answering, "choose_answering", broken)
        with pytest.raises(HandshakeError) as refused:
            asyncio.run(listen(realtime_client))
        assert refused.value.status == 500 and "LookupError" in refused.value.message


    @pytest.mark.realtime_mock(behaviour=Behaviour(session_cap_s=0.05))
    def test_in_a_timer_callback(realtime_mock, realtime_client, monkeypatch):
        def broken(session, wake):
            raise OverflowError("cap")

        monkeypatch.setattr(timers, "expire_session", broken)

        async def wait_past_the_cap():
            async with realtime_client(ASR) as rt:
                await rt.wait_for("session.created")
                await asyncio.sleep(0.3)

        asyncio.run(wait_past_the_cap())


    def test_a_clean_session(realtime_mock, realtime_client):
        async def finish():
            async with realtime_client(ASR) as rt:
                await rt.end_session(timeout=10)

        asyncio.run(finish())
""")


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, ET.Element]:
    """Run the outside project once; each of its tests' junit <testcase>, by name."""
    project = tmp_path_factory.mktemp("outside")
    (project / "test_crashes.py").write_text(OUTSIDE_TESTS, encoding="utf-8")
    (project / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    report = project / "report.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"],
        check=False,
        cwd=project,
        capture_output=True,
        timeout=120,
    )
    cases = ET.parse(report).getroot().iter("testcase")
    return {case.get("name", ""): case for case in cases}


def _teardown_error(case: ET.Element) -> str:
    """The message of the test's teardown error ('' if it has none)."""
    [error] = case.findall("error") or [ET.Element("error")]
    return error.get("message", "")


def test_a_crash_opening_the_session_fails_the_test(outcomes):
    """An exception while opening the session: the test errors at teardown, naming it."""
    message = _teardown_error(outcomes["test_opening_the_session"])
    assert "the mock server failed outside any session" in message
    assert "AttributeError: module 'schemas' has no attribute 'errors'" in message


def test_a_crash_in_the_send_task_fails_the_test(outcomes):
    """An exception while pacing or sending an event: the test errors, naming it and the session."""
    message = _teardown_error(outcomes["test_sending_an_event"])
    assert "the mock server failed in session sess_" in message
    assert "KeyError: 'event_id'" in message


def test_a_crash_before_the_websocket_fails_the_test(outcomes):
    """An exception before the upgrade: the client gets a 500 naming it, and the test errors."""
    message = _teardown_error(outcomes["test_before_the_websocket"])
    assert "LookupError: no responder" in message


def test_a_crash_in_a_timer_callback_fails_the_test(outcomes):
    """An exception nothing awaits (a timer callback): asyncio's last resort reports it."""
    message = _teardown_error(outcomes["test_in_a_timer_callback"])
    assert "OverflowError: cap" in message


def test_a_clean_session_passes(outcomes):
    """No crash, no teardown error: the reporting adds nothing to a passing test."""
    case = outcomes["test_a_clean_session"]
    assert case.findall("error") == [] and case.findall("failure") == []
