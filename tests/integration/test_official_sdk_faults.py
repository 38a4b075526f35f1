"""Injected faults as the official SDK sees them: errors, closes, delays, timeouts and refusals."""

from __future__ import annotations

import gc
import threading
import time

import pytest
import websocket
from dashscope import Client
from dashscope.audio.qwen_omni import MultiModality, OmniRealtimeConversation

from dashscope_realtime_mock import Delay, Disconnect, IdleTimeout, InjectError, SessionCap
from tests.integration.sdk_support import API_KEY, SDK_WARNINGS, Recorder
from tests.support import OMNI, b64, types

pytestmark = SDK_WARNINGS


class ClosingRecorder(Recorder):
    """A Recorder that also keeps when each event arrived and the close code the SDK reports."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: list[float] = []
        self.closed = threading.Event()
        self.close_code: int | None = None

    def on_event(self, message) -> None:
        self.arrived.append(time.monotonic())
        super().on_event(message)

    def on_close(self, close_status_code, close_msg) -> None:
        self.close_code = close_status_code
        self.closed.set()


def _legacy(server, recorder: Recorder) -> OmniRealtimeConversation:
    conversation = OmniRealtimeConversation(
        model=OMNI, callback=recorder, url=server.url, api_key=API_KEY
    )
    conversation.connect()
    return conversation


def _answer_a_turn(conversation, speech) -> None:
    """Manual mode: one utterance, commit, response.create."""
    conversation.update_session(
        output_modalities=[MultiModality.TEXT, MultiModality.AUDIO],
        voice="Cherry",
        enable_turn_detection=False,
    )
    for chunk in speech.chunks(100, end_ms=speech.gap_middle_ms):
        conversation.append_audio(b64(chunk))
    conversation.commit()
    conversation.create_response()


def _turn_until_the_server_closes(server, speech) -> ClosingRecorder:
    """The legacy SDK asks for an answer to `speech`; the server closes within 20 s."""
    recorder = ClosingRecorder()
    _answer_a_turn(_legacy(server, recorder), speech)
    assert recorder.closed.wait(20)
    return recorder


@pytest.mark.realtime_mock(
    faults=[InjectError(on="session.updated", code="cannot_update_voice", param="session.voice")]
)
def test_an_injected_error_reaches_the_callback_and_the_session_goes_on(realtime_mock, speech_en):
    """error at session.updated: the SDK gets the error, then the answer as usual."""
    recorder = Recorder()
    conversation = _legacy(realtime_mock, recorder)
    _answer_a_turn(conversation, speech_en)
    recorder.wait_for("response.done")
    conversation.close()
    error = recorder.wait_for("error")["error"]
    assert error == {
        "type": "invalid_request_error",
        "code": "cannot_update_voice",
        "message": "Invalid request (injected fault).",
        "param": "session.voice",
    }
    kinds = types(recorder.events)
    assert kinds.index("error") < kinds.index("session.updated")


@pytest.mark.realtime_mock(faults="error:on=response.created,type=server_error")
def test_an_injected_server_error_is_followed_by_a_1011_close(realtime_mock, speech_en):
    """server_error at response.created: the SDK gets the error, then the server closes (1011)."""
    recorder = _turn_until_the_server_closes(realtime_mock, speech_en)
    assert recorder.close_code == 1011
    assert recorder.events[-1]["error"]["type"] == "server_error"
    assert "response.created" not in types(recorder.events)


@pytest.mark.realtime_mock(faults=[Disconnect(on="response.audio.delta", nth=3, close=4008)])
def test_a_disconnect_closes_with_the_chosen_code_at_the_chosen_event(realtime_mock, speech_en):
    """disconnect at the third audio delta with 4008: the SDK sees two deltas, then close 4008."""
    recorder = _turn_until_the_server_closes(realtime_mock, speech_en)
    assert recorder.close_code == 4008
    assert types(recorder.events).count("response.audio.delta") == 2


@pytest.mark.realtime_mock(faults=[Delay(on="first_audio", ms=400)])
def test_the_first_audio_is_delayed(realtime_mock, speech_en):
    """delay first_audio by 400 ms in fast pace: at least 400 ms pass before the first delta."""
    recorder = ClosingRecorder()
    conversation = _legacy(realtime_mock, recorder)
    _answer_a_turn(conversation, speech_en)
    recorder.wait_for("response.done")
    conversation.close()
    kinds = types(recorder.events)
    created = recorder.arrived[kinds.index("response.created")]
    first_audio = recorder.arrived[kinds.index("response.audio.delta")]
    assert first_audio - created >= 0.4


@pytest.mark.realtime_mock(faults=[IdleTimeout(seconds=0.5, close=1001)])
def test_an_idle_connection_is_closed_with_the_chosen_code(realtime_mock):
    """idle_timeout 0.5 s: a client that sends nothing is closed with 1001."""
    recorder = ClosingRecorder()
    _legacy(realtime_mock, recorder)
    assert recorder.closed.wait(10)
    assert recorder.close_code == 1001


@pytest.mark.realtime_mock(faults=[SessionCap(seconds=0.5, close=4000)])
def test_the_session_cap_closes_with_the_chosen_code(realtime_mock):
    """session_cap 0.5 s with 4000: the SDK is closed with 4000 while still talking."""
    recorder = ClosingRecorder()
    conversation = _legacy(realtime_mock, recorder)
    conversation.update_session(output_modalities=[MultiModality.TEXT], voice="Cherry")
    assert recorder.closed.wait(10)
    assert recorder.close_code == 4000


@pytest.mark.parametrize("status", [401, 403, 429, 500])
def test_a_refused_handshake_reaches_the_v2_client_with_its_status(realtime_mock, status):
    """reject:status=N in the X-Mock-Faults header: the v2 client's connect fails with N."""
    client = Client(api_key=API_KEY)
    session = client.audio.realtime.connect(
        model=OMNI,
        ws_url=realtime_mock.url_for(OMNI),
        headers={"X-Mock-Faults": f"reject:status={status}"},
    )
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        session.connect()
    assert refused.value.status_code == status
    del refused, session
    gc.collect()  # websocket-client leaves the refused socket to the collector: collect it here


def test_a_fault_in_the_url_reaches_the_v2_client(realtime_mock):
    """?faults=duplicate:on=session.created in the URL: the v2 client reads it twice."""
    client = Client(api_key=API_KEY)
    url = realtime_mock.url_for(OMNI) + "&faults=duplicate:on=session.created"
    with client.audio.realtime.connect(model=OMNI, ws_url=url) as rt:
        first, second = rt.recv_event(), rt.recv_event()
        rt.end_session()
        rest = list(rt.events())
    assert first is not None
    assert first == second and first["type"] == "session.created"
    assert rest[-1]["type"] == "session.finished"
