"""`Tee`: each report goes to the user's observer, if any, then to the watcher."""

from __future__ import annotations

from typing import Any

from dashscope_realtime_mock.transport.observers import Tee


class _Heard:
    """An observer that notes each report it gets, in a list shared with others."""

    def __init__(self, name: str, log: list[tuple[Any, ...]]) -> None:
        self.name = name
        self.log = log

    def event(self, session_id: str, model: str, direction: str, event: dict[str, Any]) -> None:
        self.log.append((self.name, "event", session_id, model, direction, event["type"]))

    def failure(self, session_id: str | None, error: BaseException) -> None:
        self.log.append((self.name, "failure", session_id, str(error)))

    def replayed(self, session_id: str, scenario: str | None, reason: str) -> None:
        self.log.append((self.name, "replayed", session_id, scenario, reason))

    def refused(self, url: str, reason: str) -> None:
        self.log.append((self.name, "refused", url, reason))


def test_an_event_goes_to_the_observer_then_the_watcher() -> None:
    """One event: the observer hears it first, the watcher second, with the same arguments."""
    log: list[tuple[Any, ...]] = []
    tee = Tee(_Heard("observer", log), _Heard("watcher", log))
    tee.event("sess_1", "m", "server", {"type": "session.created"})
    assert log == [
        ("observer", "event", "sess_1", "m", "server", "session.created"),
        ("watcher", "event", "sess_1", "m", "server", "session.created"),
    ]


def test_a_failure_and_a_replay_reach_both() -> None:
    """failure and replayed are handed on as event is, observer first."""
    log: list[tuple[Any, ...]] = []
    tee = Tee(_Heard("observer", log), _Heard("watcher", log))
    tee.failure(None, RuntimeError("boom"))
    tee.replayed("sess_1", "omni-vad", "matched")
    assert log == [
        ("observer", "failure", None, "boom"),
        ("watcher", "failure", None, "boom"),
        ("observer", "replayed", "sess_1", "omni-vad", "matched"),
        ("watcher", "replayed", "sess_1", "omni-vad", "matched"),
    ]


def test_without_an_observer_the_watcher_alone_hears_everything() -> None:
    """observer None: nothing fails, and the watcher gets each report."""
    log: list[tuple[Any, ...]] = []
    tee = Tee(None, _Heard("watcher", log))
    tee.event("sess_1", "m", "client", {"type": "session.update"})
    tee.failure("sess_1", ValueError("bad"))
    assert [entry[:2] for entry in log] == [("watcher", "event"), ("watcher", "failure")]


def test_a_refusal_reaches_both() -> None:
    """refused is handed on as the other reports are, observer first."""
    log: list[tuple[Any, ...]] = []
    tee = Tee(_Heard("observer", log), _Heard("watcher", log))
    tee.refused("/api-ws/v1/realtime?model=x", "404 ModelNotFound: no")
    assert [entry[0] for entry in log] == ["observer", "watcher"]
    assert log[0][1:] == ("refused", "/api-ws/v1/realtime?model=x", "404 ModelNotFound: no")
