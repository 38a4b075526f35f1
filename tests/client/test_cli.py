"""`python -m client translate|transcribe|chat`: the demo CLI, end to end against the mock."""

from __future__ import annotations

import soundfile

from client.__main__ import main
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
    assert "sending audio 100%" in printed
    audio, rate = soundfile.read(out, dtype="int16")
    assert rate == 24000 and len(audio) > 24000


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
