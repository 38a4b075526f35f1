"""A toy family, defined entirely in the test suite: text in, the same text out.

It exists to show that a family is one record registered through the public API
(:func:`dashscope_realtime_mock.families.register_family`), with its own schemas folder, session class and
`session.update` rules, and no edit anywhere under `mockserver/`. It takes no audio, so its
session subclasses the bare core :class:`~dashscope_realtime_mock.session.base.Session`, not the listening
layer.
"""

from __future__ import annotations

from pathlib import Path

from dashscope_realtime_mock.protocol.behaviour import Behaviour
from dashscope_realtime_mock.session.base import Session
from dashscope_realtime_mock.session.family import Dialect, Family, ModelSpec

__all__ = ["ECHO", "MODEL_ID"]

MODEL_ID = "echo-1"


class EchoRules:
    """What the echo schema cannot say: nothing but the merge and the echo."""

    def apply_update(
        self, model: ModelSpec, current: dict, update: dict, behaviour: Behaviour
    ) -> dict:
        return {**current, **update}

    def render(
        self, model: ModelSpec, config: dict, session_id: str, model_id: str, *, updated: bool
    ) -> dict:
        return {"id": session_id, "object": "realtime.session", "model": model_id, **config}


class EchoSession(Session):
    """Answers every `echo.say` with `echo.said`, `repeat` times, upper-cased if asked."""

    def _on_echo_say(self, event: dict) -> None:
        text = event["text"].upper() if self.config["uppercase"] else event["text"]
        for _ in range(self.config["repeat"]):
            self._emit("echo.said", text=text)


ECHO = Family(
    name="echo",
    summary="a toy: text in, the same text out",
    session_class=EchoSession,
    rules=EchoRules(),
    dialect=Dialect(client_events=("session.update", "echo.say", "session.finish")),
    models=(ModelSpec(model_id=MODEL_ID, defaults={"uppercase": False, "repeat": 1}),),
    schema_folder=Path(__file__).parent / "schemas",
)
