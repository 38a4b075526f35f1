"""`python -m mockserver serve`: prints the URL to use and serves /healthz and the WebSocket."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

from mockserver.cli import build_parser, main
from tests.support import SPEECH_DIR


def test_defaults_bind_loopback_and_fast_pace():
    """Without flags the server binds 127.0.0.1:8765, any key, fast pace."""
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.api_key, args.pace) == ("127.0.0.1", 8765, None, "fast")


def test_missing_fixtures_directory_is_refused(tmp_path, capsys):
    """--fixtures must name a directory; otherwise exit 2 with a message."""
    assert main(["serve", "--fixtures", str(tmp_path / "nope")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_malformed_fixtures_corpus_is_refused(tmp_path, capsys):
    """A --fixtures directory whose corpus.json is malformed: exit 2 naming the file."""
    (tmp_path / "corpus.json").write_text('{"sentences": []}', encoding="utf-8")
    assert main(["serve", "--port", "0", "--fixtures", str(tmp_path)]) == 2
    assert "corpus.json" in capsys.readouterr().err


def test_unknown_behaviour_is_refused(capsys):
    """--behaviour with an unknown name or a bad value: exit 2 with the known names."""
    assert main(["serve", "--behaviour", "no_such_choice=1"]) == 2
    assert "omni_session_finish" in capsys.readouterr().err
    assert main(["serve", "--behaviour", "omni_session_finish=maybe"]) == 2
    assert "accept, reject" in capsys.readouterr().err


def test_serve_prints_the_websocket_url_and_answers_healthz():
    """The process prints ws://127.0.0.1:PORT/api-ws/v1/realtime?model=… and /healthz answers."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockserver",
            "serve",
            "--port",
            "0",
            "--fixtures",
            str(SPEECH_DIR.parent),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(2)]
        url_line = next(line for line in lines if line.startswith("WebSocket URL: "))
        url = url_line.split(": ", 1)[1].strip()
        assert url.startswith("ws://127.0.0.1:") and url.endswith(
            "/api-ws/v1/realtime?model=qwen3-livetranslate-flash-realtime"
        )
        port = url.split(":")[2].split("/")[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert json.load(response)["status"] == "ok"
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()


def test_an_unknown_default_scenario_is_refused(capsys):
    """--scenario must name a fixture of --fixtures: exit 2 listing the known ones."""
    fixtures = SPEECH_DIR.parent
    assert main(["serve", "--port", "0", "--fixtures", str(fixtures), "--scenario", "nope"]) == 2
    assert "asr-vad" in capsys.readouterr().err


def test_record_needs_an_upstream_and_an_output_directory(capsys):
    """`record` without --upstream/--out is a usage error."""
    import pytest

    with pytest.raises(SystemExit):
        build_parser().parse_args(["record"])
    assert "--upstream" in capsys.readouterr().err
