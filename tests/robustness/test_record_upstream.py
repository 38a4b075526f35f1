"""The robustness matrix, `record --upstream`: anything but a WebSocket URL without credentials
is refused at start with one line and exit 2."""

from __future__ import annotations

import pytest

from dashscope_realtime_mock.cli import main
from dashscope_realtime_mock.transport.recorder import RecorderOptions


@pytest.mark.parametrize(
    ("upstream", "said"),
    [
        ("notaurl", "is not a WebSocket URL"),
        ("ftp://example.com/api-ws/v1/realtime", "is not a WebSocket URL"),
        ("", "is not a WebSocket URL"),
        ("http://[::1", "is not a URL"),
        ("wss://user:pw@example.com/api-ws/v1/realtime", "carries a user or password"),
        ("wss://example.com/api-ws/v1/realtime?model=x", "without a query"),
    ],
)
def test_a_bad_upstream_is_one_line_and_exit_2(tmp_path, capsys, upstream, said):
    """One line naming --upstream and the problem, exit 2, before anything listens."""
    with pytest.raises(SystemExit) as exit_:
        main(["record", "--upstream", upstream, "--out", str(tmp_path), "--port", "0"])
    assert exit_.value.code == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "--upstream" in line and said in line
    assert "pw@" not in line


def test_recorder_options_check_the_upstream_too(tmp_path):
    """Built from Python, RecorderOptions refuses the same URLs."""
    with pytest.raises(ValueError, match="user or password"):
        RecorderOptions("wss://user:pw@example.com", tmp_path)


def test_a_websocket_url_is_accepted(tmp_path):
    """The documented endpoint shape is accepted as it is."""
    url = "wss://dashscope-intl.aliyuncs.com/api-ws/v1/realtime"
    assert RecorderOptions(url, tmp_path).upstream == url
