"""`python -m dashscope_realtime_mock serve`: prints the URL to use and serves /healthz and the WebSocket."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import urllib.request

import pytest

from dashscope_realtime_mock.cli import build_parser, main
from tests.mockserver.banner import serving
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


def test_the_old_next_omni_session_finish_flag_names_the_new_spelling(capsys):
    """--behaviour next_omni_session_finish=accept: exit 2, one line giving the omni_session_finish form."""
    assert main(["serve", "--behaviour", "next_omni_session_finish=accept"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "omni_session_finish=qwen3.5-omni-plus-realtime:accept" in line


def test_an_unknown_match_on_field_is_refused_in_one_line(capsys):
    """--match-on with a field no session has: exit 2, one line naming the flag and the field."""
    assert main(["serve", "--port", "0", "--match-on", "modalities,translation.lang"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "--match-on: 'translation.lang' is not a session field" in line


def test_serve_prints_the_urls_to_paste_and_answers_healthz():
    """The banner gives the legacy url= without a query, the v2 ws_url= with one; /healthz answers."""
    with serving("--fixtures", "builtin") as banner:
        base = f"ws://127.0.0.1:{banner.port}/api-ws/v1/realtime"
        assert banner.legacy_url == base
        assert banner.v2_url == f"{base}?model=qwen3-livetranslate-flash-realtime"
        with urllib.request.urlopen(
            f"http://127.0.0.1:{banner.port}/healthz", timeout=10
        ) as response:
            assert "omni-vad" in json.load(response)["scenarios"]


def test_an_unknown_default_scenario_is_refused(capsys):
    """--scenario must name a fixture of --fixtures: exit 2 listing the known ones."""
    fixtures = SPEECH_DIR.parent
    assert main(["serve", "--port", "0", "--fixtures", str(fixtures), "--scenario", "nope"]) == 2
    assert "asr-vad" in capsys.readouterr().err


def test_record_needs_an_upstream_and_an_output_directory(capsys):
    """`record` without --upstream/--out is a usage error."""
    with pytest.raises(SystemExit):
        build_parser().parse_args(["record"])
    assert "--upstream" in capsys.readouterr().err


def _exit(argv: list[str], capsys) -> tuple[str | int | None, str]:
    """What a user of `realtime-mock ARGV` sees: the exit code and what went to stderr."""
    code: str | int | None
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    return code, capsys.readouterr().err


def _serve_help(capsys) -> str:
    """What `realtime-mock serve --help` prints (it exits 0)."""
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("speed", ["0", "-2"])
def test_a_speed_that_is_not_positive_is_refused(capsys, speed):
    """--speed 0 or negative: exit 2 with one line saying it must be > 0."""
    assert _exit(["serve", "--speed", speed], capsys) == (
        2,
        f"realtime-mock serve: error: --speed: must be > 0 (how many times faster), not {speed}\n",
    )


@pytest.mark.parametrize("flag", ["--first-text-latency-ms", "--first-audio-latency-ms"])
def test_a_negative_latency_is_refused(capsys, flag):
    """A negative latency: exit 2 with one line naming the flag."""
    assert _exit(["serve", flag, "-1"], capsys) == (
        2,
        f"realtime-mock serve: error: {flag}: must be >= 0, not -1\n",
    )


def test_recorded_pace_without_fixtures_is_refused(capsys):
    """--pace recorded without --fixtures: exit 2 saying there is nothing recorded to follow."""
    assert _exit(["serve", "--pace", "recorded"], capsys) == (
        2,
        "realtime-mock serve: error: --pace: recorded replays the timing of recorded fixtures; "
        "give fixtures too (a folder, or 'builtin')\n",
    )


def test_an_unknown_log_level_is_refused(capsys):
    """--log-level LOUD: exit 2 with one line listing the levels."""
    code, err = _exit(["serve", "--log-level", "LOUD"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "argument --log-level: invalid choice: 'LOUD' (choose from " in err
    assert "'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'" in err


def test_a_port_in_use_is_refused(capsys):
    """A port another process listens on: exit 2 with one line saying so and what to do."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert _exit(["serve", "--port", str(port)], capsys) == (
            2,
            f"realtime-mock serve: error: cannot listen on 127.0.0.1:{port}: Address already in use "
            "(pick another --port, or 0 for a free one)\n",
        )


def test_a_port_in_use_prints_its_one_line_and_nothing_after(tmp_path):
    """`serve` as a user runs it, on a taken port: stderr is the one error line, no log line after."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "dashscope_realtime_mock", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"realtime-mock serve: error: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(pick another --port, or 0 for a free one)"
    ]


def test_validate_with_an_unknown_model_lists_the_models_served(tmp_path, capsys):
    """`validate --model qwen3-omni-flash`: one line naming the model and every model served."""
    capture = tmp_path / "capture.jsonl"
    capture.write_text("", encoding="utf-8")
    assert main(["validate", str(capture), "--model", "qwen3-omni-flash"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("realtime-mock validate: error: unknown model 'qwen3-omni-flash'; ")
    assert "qwen3-omni-flash-realtime, " in err and "qwen-omni-turbo-realtime" in err
    assert "qwen3-asr-flash-realtime" in err


def test_serve_help_shows_every_default(capsys):
    """`serve --help` gives each option's default, the latencies included."""
    shown = " ".join(_serve_help(capsys).split())  # argparse wraps lines
    for default in (
        "(default: 127.0.0.1)",
        "(default: 8765)",
        "(default: fast)",
        "(default: 1.0)",
        "first text (default: 300)",
        "first audio (default: 500)",
        "(default: INFO)",
    ):
        assert default in shown


def test_serve_help_lists_the_behaviours_with_their_values(capsys):
    """`serve --help` lists every --behaviour name with its values and default."""
    shown = _serve_help(capsys)
    assert (
        "omni_session_finish            accept|reject "
        "(default: accept (qwen3.5-omni-plus-realtime: reject," in shown
    )
    assert "cancel_sends_response_done     true|false (default: true)" in shown
    assert "session_cap_s                  float (default: 0.0)" in shown


def test_every_option_has_help_text():
    """No option of any command is left without a help string."""
    parser = build_parser()
    [commands] = [a for a in parser._actions if a.choices and "serve" in a.choices]
    assert isinstance(commands.choices, dict)
    for name, command in commands.choices.items():
        for action in command._actions:
            assert action.help, f"{name} {'/'.join(action.option_strings) or action.dest}"


def test_serve_says_how_many_scenarios_it_loaded_and_from_where():
    """The banner names the number of scenarios loaded and the folder they came from."""
    with serving("--fixtures", "builtin") as banner:
        [line] = [line for line in banner.lines if line.startswith("Loaded ")]
    bundled = sum(1 for d in (SPEECH_DIR.parent / "scenarios").iterdir() if d.is_dir())
    assert re.match(rf"Loaded {bundled} scenarios from .*scenarios$", line.strip())


def _broken_fixture(tmp_path, name: str = "broken"):
    """A copy of a bundled fixture under tmp_path/NAME/, to break on purpose."""
    folder = tmp_path / name
    shutil.copytree(SPEECH_DIR.parent / "scenarios" / "asr-vad", folder)
    return folder


def _serve_fails(tmp_path, capsys) -> str:
    # --slow-step-ms 0: the loop watch stays off (it is process-wide)
    assert main(["serve", "--port", "0", "--slow-step-ms", "0", "--fixtures", str(tmp_path)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    return line


def test_a_fixture_with_bad_jsonl_is_refused_naming_file_and_line(tmp_path, capsys):
    """A line that is not JSON: exit 2, one line naming session.jsonl and the line number."""
    transcript = _broken_fixture(tmp_path) / "session.jsonl"
    transcript.write_text(transcript.read_text() + "{oops\n")
    assert re.search(r"session\.jsonl:\d+: not valid JSON", _serve_fails(tmp_path, capsys))


def test_a_fixture_without_its_wav_is_refused(tmp_path, capsys):
    """A missing input.wav: exit 2 naming it."""
    (_broken_fixture(tmp_path) / "input.wav").unlink()
    assert "input.wav is missing" in _serve_fails(tmp_path, capsys)


def test_a_fixture_of_an_unknown_version_is_refused(tmp_path, capsys):
    """A header with another format version: exit 2 saying which version."""
    transcript = _broken_fixture(tmp_path) / "session.jsonl"
    transcript.write_text(transcript.read_text().replace('"version": 1', '"version": 99', 1))
    assert "fixture version 99" in _serve_fails(tmp_path, capsys)


def test_a_fixture_whose_audio_lies_outside_its_folder_is_refused(tmp_path, capsys):
    """input.file pointing outside the fixture folder: exit 2."""
    transcript = _broken_fixture(tmp_path) / "session.jsonl"
    transcript.write_text(
        transcript.read_text().replace('"file": "input.wav"', '"file": "../../input.wav"', 1)
    )
    assert "points outside its fixture folder" in _serve_fails(tmp_path, capsys)


def test_two_fixtures_with_one_name_are_refused(tmp_path, capsys):
    """Two folders whose headers name the same scenario: exit 2 naming both."""
    _broken_fixture(tmp_path, "one")
    _broken_fixture(tmp_path, "two")
    assert "fixture names must be unique" in _serve_fails(tmp_path, capsys)


@pytest.mark.parametrize(
    ("flag", "keyword", "value"),
    [
        ("--max-unsent-events", "max_unsent_events", 8),
        ("--slow-reader-close", "slow_reader_close_s", 1.5),
        ("--finish-close-grace", "finish_close_grace_s", 0.5),
        ("--idle-timeout", "idle_timeout_s", 300.0),
    ],
)
def test_every_limit_has_a_serve_flag(flag, keyword, value):
    """The limits and the finish grace are set from `serve` under their ServerOptions names."""
    args = build_parser().parse_args(["serve", flag, str(value)])
    assert getattr(args, keyword) == value


def test_a_bad_value_names_the_flag_not_the_keyword(capsys):
    """--idle-timeout -1: the one-line error names --idle-timeout (not idle_timeout_s)."""
    assert _exit(["serve", "--idle-timeout", "-1"], capsys) == (
        2,
        "realtime-mock serve: error: --idle-timeout: must be >= 0, not -1\n",
    )


def test_serve_help_shows_the_default_of_the_new_flags(capsys):
    """`serve --help` gives the defaults of the flags added for the limits."""
    shown = " ".join(_serve_help(capsys).split())
    assert "its frames are not read (default: 256)" in shown
    assert "closed with 1008 (default: 10.0)" in shown


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not JSON (line 1, column 2"),
        ('{"answers": [{"heard": "Hi", "sya": "Hello"}]}', "answers[0]: unknown key 'sya'"),
        ('{"answers": [{"say": "Hi", "model": "gpt-4o"}]}', "'model' 'gpt-4o' is neither"),
    ],
)
def test_a_bad_answers_file_is_refused_in_one_line(tmp_path, capsys, content, problem):
    """--answers with a file that is not usable: exit 2, one line naming the flag and the problem."""
    path = tmp_path / "answers.json"
    path.write_text(content, encoding="utf-8")
    assert main(["serve", "--port", "0", "--answers", str(path)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("realtime-mock serve: error: --answers: ") and problem in line


def test_a_missing_answers_file_is_refused_in_one_line(tmp_path, capsys):
    """--answers naming no file: exit 2, one line."""
    assert main(["serve", "--port", "0", "--answers", str(tmp_path / "none.json")]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "--answers: " in line and "none.json: not a file" in line
