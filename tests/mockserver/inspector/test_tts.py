"""The inspector's TTS view: per response, the text that went in and the speech that came out."""

from __future__ import annotations

import random
import time

import pytest

from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.inspector.store import SessionRecord
from dashscope_realtime_mock.inspector.tts import tts_responses


def _record(update: dict, client: list[dict]) -> SessionRecord:
    """A record of a TTS session core's traffic, as the inspector keeps one."""
    session = open_session("qwen3-tts-flash-realtime", rng=random.Random(3))
    record = SessionRecord(
        id=session.id,
        model=session.model_id,
        family="tts",
        responder=None,  # type: ignore[arg-type]  # not read by the TTS view
        why="",
        started=time.monotonic(),
        started_wall=time.time(),
    )
    for event in [{"type": "session.update", "session": update}, *client]:
        record.events += [(0, "server", e) for e in session.events_to_send()]
        record.events.append((0, "client", event))
        session.receive_event(event)
    record.events += [(0, "server", e) for e in session.events_to_send()]
    return record


def _append(text: str) -> dict:
    return {"type": "input_text_buffer.append", "text": text}


def test_server_commit_responses_show_the_sentence_each_spoke():
    """server_commit: each response shows the sentence it spoke; the rest goes to the next."""
    record = _record(
        {"mode": "server_commit"},
        [_append("One sentence. Two"), _append(" sentences."), {"type": "session.finish"}],
    )
    texts = [r["text"] for r in tts_responses(record)]
    assert texts == ["One sentence.", " Two sentences."]


def test_commit_mode_response_shows_everything_committed():
    """commit mode: the response shows all the text committed, after a clear only what followed."""
    record = _record(
        {"mode": "commit"},
        [
            _append("dropped"),
            {"type": "input_text_buffer.clear"},
            _append("Kept. And this."),
            {"type": "input_text_buffer.commit"},
        ],
    )
    [response] = tts_responses(record)
    assert response["text"] == "Kept. And this." and response["status"] == "completed"


@pytest.mark.parametrize("response_format", ["pcm", "mp3"])
def test_waveform_covers_the_speech(response_format):
    """The waveform is of the decoded speech, as long as the audio sent, in either format."""
    record = _record(
        {"mode": "commit", "response_format": response_format, "sample_rate": 16000},
        [_append("A short sentence to draw."), {"type": "input_text_buffer.commit"}],
    )
    [response] = tts_responses(record, buckets=50)
    assert response["duration_ms"] > 1000
    assert len(response["high"]) == 50 and max(response["high"]) > 100


def test_texts_follow_the_client_whatever_order_the_server_sent_in():
    """The server's events recorded after all the client's (a paced send) give the same texts."""
    record = _record(
        {"mode": "server_commit"},
        [_append("First one. Sec"), _append("ond one. Third"), {"type": "session.finish"}],
    )
    record.events.sort(key=lambda entry: entry[1] == "server")  # client first, then server
    texts = [r["text"] for r in tts_responses(record)]
    assert texts == ["First one.", " Second one.", " Third"]
