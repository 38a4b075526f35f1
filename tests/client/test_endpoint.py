"""client.endpoint: one setting chooses mock or live."""

from __future__ import annotations

import pytest

from dashscope_realtime_mock.client import LIVE_ENDPOINTS, resolve
from dashscope_realtime_mock.client.endpoint import Target, target

MODEL = "qwen3-asr-flash-realtime"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in (
        "DASHSCOPE_REALTIME_URL",
        "DASHSCOPE_API_KEY",
        "DASHSCOPE_REGION",
        "DASHSCOPE_REALTIME_TARGET",
    ):
        monkeypatch.delenv(name, raising=False)


def test_explicit_url_wins_over_the_environment(monkeypatch):
    """url= beats DASHSCOPE_REALTIME_URL; the model is added as the query."""
    monkeypatch.setenv("DASHSCOPE_REALTIME_URL", "ws://elsewhere:1/api-ws/v1/realtime")
    endpoint = resolve(MODEL, url="ws://127.0.0.1:8765/api-ws/v1/realtime", api_key="k")
    assert endpoint.url == f"ws://127.0.0.1:8765/api-ws/v1/realtime?model={MODEL}"
    assert endpoint.api_key == "k" and not endpoint.live


def test_environment_url_and_key_are_used(monkeypatch):
    """No url=: DASHSCOPE_REALTIME_URL and DASHSCOPE_API_KEY decide; a bare host gets the path."""
    monkeypatch.setenv("DASHSCOPE_REALTIME_URL", "ws://127.0.0.1:9000")
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-env")
    endpoint = resolve(MODEL)
    assert endpoint.url == f"ws://127.0.0.1:9000/api-ws/v1/realtime?model={MODEL}"
    assert endpoint.api_key == "sk-env"


@pytest.mark.parametrize(
    ("region", "host"), [(None, "dashscope.aliyuncs.com"), ("intl", "dashscope-intl.aliyuncs.com")]
)
def test_live_endpoint_by_region(region, host):
    """Nothing set: the live endpoint, Beijing by default (as the SDK), Singapore for intl."""
    endpoint = resolve(MODEL, region=region)
    assert endpoint.url == f"wss://{host}/api-ws/v1/realtime?model={MODEL}" and endpoint.live
    assert set(LIVE_ENDPOINTS) == {"cn", "intl"}


def test_a_model_already_in_the_url_is_replaced():
    """The model argument is the one asked for, whatever the URL carried."""
    assert resolve(MODEL, url="ws://h:1/api-ws/v1/realtime?model=other").url.endswith(
        f"?model={MODEL}"
    )


def test_unknown_region_is_refused():
    with pytest.raises(ValueError, match="region"):
        resolve(MODEL, region="mars")


def test_target_live_ignores_the_mock_url(monkeypatch):
    """DASHSCOPE_REALTIME_TARGET=live: the region's live endpoint, whatever DASHSCOPE_REALTIME_URL says."""
    monkeypatch.setenv("DASHSCOPE_REALTIME_URL", "ws://127.0.0.1:8765")
    monkeypatch.setenv("DASHSCOPE_REALTIME_TARGET", "live")
    monkeypatch.setenv("DASHSCOPE_REGION", "intl")
    endpoint = resolve(MODEL)
    assert endpoint.url.startswith("wss://dashscope-intl.aliyuncs.com/api-ws/v1/realtime?")
    assert endpoint.live and not endpoint.fallback


def test_an_explicit_url_still_wins_over_target_live(monkeypatch):
    """url= is the caller's own choice: even DASHSCOPE_REALTIME_TARGET=live keeps it."""
    monkeypatch.setenv("DASHSCOPE_REALTIME_TARGET", "live")
    assert resolve(MODEL, url="ws://127.0.0.1:1").url.startswith("ws://127.0.0.1:1/")


def test_the_target_is_the_option_then_the_environment_then_the_mock(monkeypatch):
    """target(): the option given, else DASHSCOPE_REALTIME_TARGET, else the mock."""
    assert target() is Target.MOCK
    monkeypatch.setenv("DASHSCOPE_REALTIME_TARGET", "LIVE")
    assert (target(), target("mock")) == (Target.LIVE, Target.MOCK)


def test_an_unknown_target_is_one_line_naming_the_values(monkeypatch):
    """DASHSCOPE_REALTIME_TARGET=staging: a ValueError naming the variable and mock, live."""
    monkeypatch.setenv("DASHSCOPE_REALTIME_TARGET", "staging")
    with pytest.raises(
        ValueError, match="DASHSCOPE_REALTIME_TARGET must be one of mock, live; got 'staging'"
    ):
        target()
