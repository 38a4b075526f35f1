"""`python -m dashscope_realtime_mock.client translate|transcribe|chat`: the demo CLI, end to end against the mock."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile

from dashscope_realtime_mock.client.__main__ import main, progress
from dashscope_realtime_mock.client.endpoint import LIVE_ENDPOINTS
from dashscope_realtime_mock.replay.builtin import builtin_fixtures
from tests.support import SPEECH_DIR

WAV = str(SPEECH_DIR / "en_two_utterances.wav")


def test_translate_prints_source_and_translation_and_writes_the_audio(
    realtime_mock, tmp_path, capsys
):
    """translate: both utterances' source text and translation are printed; the answer is 24 kHz."""
    out = tmp_path / "out.wav"
    assert (
        main(
            [
                "translate",
                WAV,
                "--to",
                "zh",
                "--out",
                str(out),
                "--url",
                realtime_mock.url,
                "--api-key",
                "k",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert printed.count("[source]") == 2 and printed.count("[answer]") == 2
    audio, rate = soundfile.read(out, dtype="int16")
    assert rate == 24000 and len(audio) > 24000


def test_a_refused_update_stops_before_any_audio_is_sent(realtime_mock, capsys):
    """translate --to a language the model lacks: exit 1 with the server's error, no audio sent."""
    argv = ["translate", WAV, "--to", "xx", "--url", realtime_mock.url, "--api-key", "k"]
    assert main(argv) == 1
    assert "Invalid value: 'xx'" in capsys.readouterr().err
    [session] = realtime_mock.sessions.values()
    assert session.types("client") == ["session.update"]


def test_transcribe_prints_each_transcript(realtime_mock, capsys):
    """transcribe (ASR): one [source] line per utterance, no audio."""
    assert (
        main(["transcribe", WAV, "--language", "en", "--url", realtime_mock.url, "--api-key", "k"])
        == 0
    )
    assert capsys.readouterr().out.count("[source]") == 2


def test_unreachable_endpoint_is_a_clear_error(capsys):
    """Nothing listening at the URL: exit 1 with an error line, no traceback."""
    assert (
        main(["chat", WAV, "--url", "ws://127.0.0.1:9/api-ws/v1/realtime", "--api-key", "k"]) == 1
    )
    assert "error:" in capsys.readouterr().err


def test_an_unreachable_live_fallback_says_how_to_use_the_mock(monkeypatch, capsys):
    """No URL set and the live service out of reach: the error says so and gives the mock's --url."""
    monkeypatch.delenv("DASHSCOPE_REALTIME_URL", raising=False)
    monkeypatch.delenv("DASHSCOPE_REGION", raising=False)
    monkeypatch.setitem(LIVE_ENDPOINTS, "cn", "ws://127.0.0.1:9/api-ws/v1/realtime")
    assert main(["chat", WAV, "--api-key", "k"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: cannot reach ws://127.0.0.1:9/api-ws/v1/realtime?model=")
    assert line.endswith(
        "No --url or DASHSCOPE_REALTIME_URL was set, so this was the live service of --region; "
        "to use the mock, run `realtime-mock serve` and pass --url ws://127.0.0.1:8765/api-ws/v1/realtime"
    )


def test_an_unreachable_url_that_was_given_has_no_fallback_note(capsys):
    """An explicit --url that cannot be reached: the error names it, without the live-service note."""
    main(["chat", WAV, "--url", "ws://127.0.0.1:9/api-ws/v1/realtime", "--api-key", "k"])
    assert "live service" not in capsys.readouterr().err


def test_a_missing_key_names_both_ways_to_give_one(realtime_mock, monkeypatch, capsys):
    """No --api-key and no DASHSCOPE_API_KEY: one plain line naming api_key= and --api-key."""
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    assert main(["chat", WAV, "--url", realtime_mock.url]) == 1
    assert capsys.readouterr().err.strip() == (
        "error: no API key: pass api_key= (--api-key to python -m client) or set "
        "DASHSCOPE_API_KEY; the mock accepts any non-empty key"
    )


def test_transcribe_refuses_out(tmp_path, capsys):
    """transcribe --out: exit 2, since a transcription has no spoken answer to write."""
    assert main(["transcribe", WAV, "--out", str(tmp_path / "out.wav")]) == 2
    assert capsys.readouterr().err == (
        "error: transcribe has no spoken answer to write; --out is for translate and chat\n"
    )
    assert not (tmp_path / "out.wav").exists()


def test_chat_prints_every_answer_with_its_text(realtime_mock, capsys):
    """chat uploads faster than real time; each answer line still has the text that played."""
    assert main(["chat", WAV, "--url", realtime_mock.url, "--api-key", "k"]) == 0
    answers = [
        line.split("[answer]", 1)[1].strip()
        for line in capsys.readouterr().out.splitlines()
        if "[answer]" in line
    ]
    assert len(answers) == 2 and all(answers)


def test_piped_output_has_no_progress_line_nor_terminal_codes(realtime_mock, capsys):
    """Piped (not a terminal), the demo prints only its lines: no escape codes, no percentages."""
    assert main(["transcribe", WAV, "--url", realtime_mock.url, "--api-key", "k"]) == 0
    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "\r" not in printed and "%" not in printed
    assert printed.count("[source]") == 2


def test_on_a_terminal_the_progress_ends_at_100_percent(realtime_mock, capsys, monkeypatch):
    """On a terminal the progress line counts up to 100% and never past it (a last short piece)."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["transcribe", WAV, "--url", realtime_mock.url, "--api-key", "k"]) == 0
    shown = [int(p) for p in re.findall(r"sending audio +(\d+)%", capsys.readouterr().out)]
    assert shown[-1] == 100 and max(shown) == 100


def test_progress_counts_a_last_short_piece_as_the_end():
    """Samples sent past the total (the last piece is short) still show 100%."""
    assert (progress(1600, 16000), progress(16000, 16000), progress(17600, 16050)) == (10, 100, 100)


def test_translate_from_names_the_source_language(realtime_mock, capsys):
    """translate --from es: the source transcript is in the language named, not the assumed en."""
    argv = ["translate", WAV, "--from", "es", "--to", "en", "--url", realtime_mock.url]
    assert main([*argv, "--api-key", "k"]) == 0
    [session] = realtime_mock.sessions.values()
    completed = [
        e for e in session.server if e["type"].endswith("input_audio_transcription.completed")
    ]
    assert completed and {e["language"] for e in completed} == {"es"}


def test_the_demo_runs_as_a_module_of_the_installed_package():
    """`python -m dashscope_realtime_mock.client --help` works and names itself that way."""
    result = subprocess.run(
        [sys.executable, "-m", "dashscope_realtime_mock.client", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m dashscope_realtime_mock.client")


README = Path(__file__).resolve().parents[2] / "README.md"
SAID = (
    "[source] L'intelligence artificielle change notre façon de travailler.",
    "[answer] Artificial intelligence is changing how we work.",
)


@pytest.mark.realtime_mock(fixtures="builtin")
def test_the_readmes_demo_prints_what_the_readme_says(realtime_mock, capsys):
    """The README's demo line (a fixture's input, --from fr --to en) prints the lines it quotes."""
    readme = README.read_text(encoding="utf-8")
    assert all(f"`{line}`" in readme for line in SAID)
    recording = builtin_fixtures() / "scenarios" / "livetranslate-transcription" / "input.wav"
    argv = ["translate", str(recording), "--from", "fr", "--to", "en", "--url", realtime_mock.url]
    assert main([*argv, "--api-key", "k"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[:2] == list(SAID)
