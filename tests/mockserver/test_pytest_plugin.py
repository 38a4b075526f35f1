"""The pytest plugin, found through its `pytest11` entry point by a project outside this repository."""

from __future__ import annotations

import subprocess
import sys
import textwrap

OUTSIDE_TEST = textwrap.dedent("""
    import asyncio
    import pytest


    def test_x(realtime_mock):
        assert realtime_mock.url.startswith("ws://127.0.0.1:")


    def test_a_session_is_captured(realtime_mock, realtime_client):
        async def talk():
            async with realtime_client("qwen3-asr-flash-realtime") as rt:
                await rt.end_session(timeout=10)
        asyncio.run(talk())
        [session] = realtime_mock.sessions.values()
        assert session.types()[0] == "session.created" and session.types()[-1] == "session.finished"
        assert session.types("client") == ["session.finish"]


    @pytest.mark.realtime_mock(api_key="only-this-one")
    def test_options_come_from_the_marker(realtime_mock):
        import urllib.request, urllib.error
        request = urllib.request.Request(realtime_mock.url.replace("ws://", "http://") + "?model=qwen3-asr-flash-realtime",
                                         headers={"Authorization": "Bearer wrong"})
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)
        assert caught.value.code == 401
""")

FAILING_SERVER_TEST = textwrap.dedent("""
    import asyncio
    from dashscope_realtime_mock.families.omni import OmniSession


    def test_server_failure_surfaces_here(realtime_mock, realtime_client, monkeypatch):
        monkeypatch.setattr(OmniSession, "_on_response_cancel", lambda self, event: 1 / 0)

        async def talk():
            async with realtime_client("qwen3-omni-flash-realtime") as rt:
                await rt.cancel_response()
                await rt.wait_for("session.created")
                async for _ in rt:
                    pass
        asyncio.run(talk())
""")


def _run_outside(tmp_path, source: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_outside.py").write_text(source, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        check=False,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_project_outside_the_repo_gets_the_fixtures(tmp_path):
    """`def test_x(realtime_mock)` in a bare temp project passes: the plugin comes from the entry point."""
    result = _run_outside(tmp_path, OUTSIDE_TEST)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_a_failure_inside_the_server_fails_the_test_that_caused_it(tmp_path):
    """A crash inside the mock is reported at that test's teardown, naming the error."""
    result = _run_outside(tmp_path, FAILING_SERVER_TEST)
    assert result.returncode == 1
    assert (
        "the mock server failed in session" in result.stdout
        and "ZeroDivisionError" in result.stdout
    )
