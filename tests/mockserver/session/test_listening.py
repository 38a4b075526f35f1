"""media.listening's bounds: one append's size and one VAD utterance's length."""

from __future__ import annotations

import numpy as np
import pytest

from dashscope_realtime_mock.protocol.behaviour import Behaviour
from tests.support import ASR, LIVETRANSLATE, OMNI, b64, new_session, send, types

TONE_100_MS = b64((np.sin(np.arange(1600) / 3) * 8000).astype("<i2").tobytes())
OVER_15_MIB = "A" * (15 * 1024 * 1024 + 4)  # valid base64, one quantum past the cap


@pytest.mark.parametrize("model", [LIVETRANSLATE, OMNI])
def test_one_append_over_15_mib_is_refused_and_the_session_goes_on(model):
    """An append past 15 MiB gets invalid_request_error naming audio; the next append is taken."""
    session = new_session(model)
    [error] = send(session, type="input_audio_buffer.append", audio=OVER_15_MIB)
    assert (error["type"], error["error"]["type"], error["error"]["param"]) == (
        "error",
        "invalid_request_error",
        "audio",
    )
    assert "15 MiB" in error["error"]["message"]
    answer = send(session, type="input_audio_buffer.append", audio=TONE_100_MS)
    assert "error" not in types(answer)


@pytest.mark.parametrize("model", [ASR, LIVETRANSLATE, OMNI])
def test_an_endless_vad_utterance_is_ended_by_the_server(model):
    """Speech that never pauses gets speech_stopped at max_utterance_ms; detection goes on."""
    session = new_session(model, behaviour=Behaviour(max_utterance_ms=2000))
    events = []
    for _ in range(50):  # 5 s of a loud tone, no pause
        events += send(session, type="input_audio_buffer.append", audio=TONE_100_MS)
    stopped = [e for e in events if e["type"] == "input_audio_buffer.speech_stopped"]
    started = [e for e in events if e["type"] == "input_audio_buffer.speech_started"]
    assert stopped and stopped[0]["audio_end_ms"] <= 2100
    # the tone goes on, so a new utterance starts after the cut
    assert len(started) >= 2 and events.index(started[1]) > events.index(stopped[0])


def _png_frame() -> str:
    ihdr = (640).to_bytes(4, "big") + (480).to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return b64(b"\x89PNG\r\n\x1a\n" + len(ihdr).to_bytes(4, "big") + b"IHDR" + ihdr + bytes(4))


def _after_some_audio(**behaviour):
    s = new_session(LIVETRANSLATE, behaviour=Behaviour(**behaviour))
    send(s, type="input_audio_buffer.append", audio=b64(bytes(3200)))
    return s


def test_a_png_frame_is_refused_as_the_references_say():
    """image_formats=jpeg (default): a PNG frame gets the JPG/JPEG-only error."""
    [error] = send(_after_some_audio(), type="input_image_buffer.append", image=_png_frame())
    assert error["error"]["message"] == "Invalid image: only JPG/JPEG images are supported."


def test_a_png_frame_is_taken_as_the_guides_sample_sends():
    """image_formats=jpeg_png: the PNG frame the LiveTranslate guide's sample sends is taken."""
    s = _after_some_audio(image_formats="jpeg_png")
    assert send(s, type="input_image_buffer.append", image=_png_frame()) == []
