"""The pytest plugin, found through its `pytest11` entry point by a project outside this repository."""

from __future__ import annotations

import os
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


def _run_outside(
    tmp_path, source: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    (tmp_path / "test_outside.py").write_text(source, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(tmp_path)],
        env=env,
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


REFUSED_SDK_TEST = textwrap.dedent("""
    import threading

    from dashscope.audio.qwen_omni import OmniRealtimeCallback, OmniRealtimeConversation


    def test_the_sdk_asks_for_a_model_the_mock_does_not_serve(realtime_mock):
        conversation = OmniRealtimeConversation(
            model="qwen3-omni-flash", callback=OmniRealtimeCallback(), url=realtime_mock.url,
            api_key="sk-user",
        )
        conversation.connect()  # the SDK waits 5 s, then raises its own TimeoutError
""")


def test_a_refused_sdk_names_the_refusal_in_the_failing_tests_report(tmp_path):
    """An SDK refused at the handshake: the failing test's report and summary give the reason."""
    result = _run_outside(tmp_path, REFUSED_SDK_TEST, "-rf", env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "realtime mock: refused handshakes" in result.stdout
    assert "404 ModelNotFound: Model 'qwen3-omni-flash' is not supported" in result.stdout
    [summary] = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    assert "the mock refused /api-ws/v1/realtime?model=qwen3-omni-flash" in summary


LIVE_ENDPOINT_TEST = textwrap.dedent("""
    def test_endpoint(realtime_endpoint):
        print("ENDPOINT", realtime_endpoint.url, realtime_endpoint.ws_url("m"), realtime_endpoint.live)
""")


def _endpoint_run(tmp_path, env, *args):
    """The endpoint test in a project outside the repo, with `env` over a clean environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DASHSCOPE_")}
    return _run_outside(tmp_path, LIVE_ENDPOINT_TEST, "-s", "-rs", *args, env={**clean, **env})


def test_realtime_endpoint_is_a_mock_by_default(tmp_path):
    """No setting: realtime_endpoint is a mock on a free loopback port, with the model in ws_url."""
    result = _endpoint_run(tmp_path, {})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ENDPOINT ws://127.0.0.1:" in result.stdout and "?model=m False" in result.stdout


def test_realtime_endpoint_live_without_a_key_skips_saying_why(tmp_path):
    """DASHSCOPE_REALTIME_TARGET=live and no key: skipped, one line naming the endpoint and the key."""
    result = _endpoint_run(tmp_path, {"DASHSCOPE_REALTIME_TARGET": "live"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "the live target (wss://dashscope.aliyuncs.com/api-ws/v1/realtime) needs "
        "DASHSCOPE_API_KEY, which is not set" in result.stdout
    )


def test_realtime_target_live_option_with_a_key_gives_the_international_endpoint(tmp_path):
    """--realtime-target=live, DASHSCOPE_REGION=intl and a key: the international live URL."""
    env = {"DASHSCOPE_API_KEY": "sk-test", "DASHSCOPE_REGION": "intl"}
    result = _endpoint_run(tmp_path, env, "--realtime-target=live")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ENDPOINT wss://dashscope-intl.aliyuncs.com/api-ws/v1/realtime " in result.stdout
    assert "/api-ws/v1/realtime?model=m True" in result.stdout


def test_an_unknown_target_stops_pytest_with_one_line(tmp_path):
    """DASHSCOPE_REALTIME_TARGET=staging: a usage error naming the variable and the values."""
    result = _endpoint_run(tmp_path, {"DASHSCOPE_REALTIME_TARGET": "staging"})
    assert result.returncode != 0
    assert "DASHSCOPE_REALTIME_TARGET must be one of mock, live; got 'staging'" in (
        result.stdout + result.stderr
    )
