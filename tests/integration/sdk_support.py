"""What the official-SDK tests share: a callback that records events, and the warnings to allow."""

from __future__ import annotations

import threading

import pytest
from dashscope.audio.qwen_omni import (
    MultiModality,
    OmniRealtimeCallback,
    OmniRealtimeConversation,
)

from tests.support import Speech, b64

# websocket-client (inside the SDK) leaves its socket to the garbage collector after a close.
# The v2 client warns that no workspace is configured (the mock needs none) and that it is a preview.
SDK_WARNINGS = [
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore:no workspace configured:UserWarning"),
    pytest.mark.filterwarnings("ignore:dashscope 2.0 audio API is a preview:FutureWarning"),
]

API_KEY = "sk-test-not-a-real-key"


class Recorder(OmniRealtimeCallback):
    """Collects every event the legacy SDK hands to its callback; tests can wait for one."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self._changed = threading.Condition()

    def on_event(self, message) -> None:
        with self._changed:
            self.events.append(message)
            self._changed.notify_all()

    def wait_for(self, kind: str, count: int = 1, timeout: float = 20) -> dict:
        """Block until the `count`-th event of `kind` has arrived; return it."""

        def found():
            matching = [e for e in self.events if e.get("type") == kind]
            return matching[count - 1] if len(matching) >= count else None

        with self._changed:
            if not self._changed.wait_for(lambda: found() is not None, timeout):
                raise AssertionError(
                    f"no {kind} #{count} within {timeout} s; got {[e['type'] for e in self.events]}"
                )
            return found()


def legacy_spoken_turn(url: str, model: str, speech: Speech, *, voice: str, vad: bool) -> Recorder:
    """One spoken turn through the legacy OmniRealtimeConversation: text and audio out in `voice`,
    the first utterance of `speech` streamed, committed and answered on request unless the server
    VAD takes the turn; the connection closed once response.done arrived (with no end_session(),
    which the models that lack session.finish answer with an error). The recorded events."""
    recorder = Recorder()
    conversation = OmniRealtimeConversation(
        model=model, callback=recorder, url=url, api_key=API_KEY
    )
    conversation.connect()
    conversation.update_session(
        output_modalities=[MultiModality.TEXT, MultiModality.AUDIO],
        voice=voice,
        enable_turn_detection=vad,
    )
    for chunk in speech.chunks(100, end_ms=speech.gap_middle_ms):
        conversation.append_audio(b64(chunk))
    if not vad:
        conversation.commit()
        conversation.create_response()
    recorder.wait_for("response.done")
    conversation.close()
    return recorder
