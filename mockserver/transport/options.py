"""The server's options: one dataclass, every value checked when it is built.

`serve`'s flags, the Python keywords of :class:`ServerOptions` and the README's synopsis all
come from this one declaration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..protocol.behaviour import Behaviour
from ..replay.builtin import fixtures_dir
from ..replay.responders import DEFAULT_MATCH_ON, check_match_on
from .faults import FaultPlan, FaultSpecError
from .observers import Observer, SessionWatcher
from .pacing import Pace

__all__ = ["OptionError", "ServerOptions"]


@dataclass
class ServerOptions:
    """Per-server settings (the CLI flags)."""

    api_key: str | None = None  # None: any non-empty key is accepted
    pace: Pace = Pace.FAST
    first_text_latency_ms: int = 300
    first_audio_latency_ms: int = 500
    speed: float = 1.0  # realtime pace runs this many times faster
    # Fast pace: an answer that can still be cut short plays by the client's audio time
    # (session/base.py Playback.AUDIO_TIME); after this long without a client frame the input
    # counts as idle and whatever waits for the audio counts as played.
    audio_idle_ms: int = 500
    # A directory, or "builtin" (the library shipped with the package): its corpus.json replaces
    # the built-in corpus; scenarios/*/ are fixtures to replay. Resolved to a Path when built.
    fixtures: Path | str | None = None
    scenario: str | None = None  # the fixture every session replays unless the client names another
    # With a named scenario: a client event that departs from the recorded ones fails the session
    # (server_error naming the matcher that failed; the pytest plugin fails the test).
    strict_replay: bool = False
    # Besides the audio, the session fields (dotted paths) a fixture must agree on to be the
    # one replayed when several recordings share the input audio (vcrpy's match_on).
    match_on: tuple[str, ...] = DEFAULT_MATCH_ON
    # After session.finished the client closes (events.md §1.8: samples close with 1000); if it
    # does not within this many seconds, the server closes with 1000 itself.
    finish_close_grace_s: float = 5.0
    behaviour: Behaviour = field(default_factory=Behaviour)  # the choices where the docs are open
    # Validate every server event against schemas/ and fail loudly (log + server_error + close
    # 1011) on a violation: for tests, and for anyone who wants the mock to police itself.
    strict: bool = False
    observer: Observer | None = None
    # Follows each session from open to close and serves pages of its own (the inspector).
    watcher: SessionWatcher | None = None
    # Faults injected into every connection (transport/faults.py): a compact string, a Fault,
    # a list of them, or a FaultPlan. Resolved to a FaultPlan when built.
    faults: FaultPlan | object = None
    # Limits (issue 15; README "Limits"). The docs state none of them; 0 turns a cap off.
    max_connections: int = 0  # WebSockets open at once; the next handshake gets 429 (0: no cap)
    # Close (1000) a session after this many seconds without a client frame (0: never). events.md
    # §1.8 reports a ~300 s idle drop by the service, so 300 imitates it.
    idle_timeout_s: float = 0.0
    # A client that does not read: while more events than this wait for it (and its socket's
    # buffer is full), its frames are not read; still behind after slow_reader_close_s → 1008.
    max_unsent_events: int = 256
    slow_reader_close_s: float = 10.0
    # SIGTERM / SIGINT: every client gets close 1001 and sends under way finish within this.
    shutdown_grace_s: float = 3.0

    def __post_init__(self) -> None:
        """Every option is checked here, so a bad value fails at once, not at the first connection.

        Raises OptionError (a ValueError) naming the option, TypeError for a behaviour that is
        not a Behaviour.
        """
        try:
            self.pace = Pace.parse(self.pace)
        except ValueError as exc:
            raise OptionError("pace", str(exc).removeprefix("pace ")) from None
        if not isinstance(self.behaviour, Behaviour):
            raise TypeError(f"behaviour must be a Behaviour, not {type(self.behaviour).__name__}")
        if not self.speed > 0:
            raise OptionError("speed", f"must be > 0 (how many times faster), not {self.speed:g}")
        for name in (
            "first_text_latency_ms",
            "first_audio_latency_ms",
            "audio_idle_ms",
            "max_connections",
            "idle_timeout_s",
            "max_unsent_events",
            "slow_reader_close_s",
            "shutdown_grace_s",
        ):
            if getattr(self, name) < 0:
                raise OptionError(name, f"must be >= 0, not {getattr(self, name)}")
        self.fixtures = self._fixtures_folder()
        try:
            self.match_on = check_match_on(self.match_on)
        except ValueError as exc:
            raise OptionError("match_on", str(exc)) from None
        try:
            self.faults = FaultPlan.of(self.faults)
        except FaultSpecError as exc:
            raise OptionError("faults", str(exc)) from None
        if self.pace is Pace.RECORDED and self.fixtures is None:
            raise OptionError(
                "pace",
                "recorded replays the timing of recorded fixtures; give fixtures too "
                "(a folder, or 'builtin')",
            )

    def _fixtures_folder(self) -> Path | None:
        try:
            folder = fixtures_dir(self.fixtures)
        except FileNotFoundError as exc:
            raise OptionError("fixtures", str(exc)) from None
        if folder is not None and not folder.is_dir():
            raise OptionError("fixtures", f"{folder} is not a directory")
        return folder

    @property
    def fault_plan(self) -> FaultPlan:
        """`faults` as the plan it was resolved to."""
        return self.faults if isinstance(self.faults, FaultPlan) else FaultPlan()

    @property
    def fixtures_folder(self) -> Path | None:
        """`fixtures` as the folder it was resolved to (None: no fixtures)."""
        return self.fixtures if isinstance(self.fixtures, Path) else None


class OptionError(ValueError):
    """A :class:`ServerOptions` value the mock cannot run with; `option` names the field."""

    def __init__(self, option: str, problem: str) -> None:
        super().__init__(f"{option}: {problem}")
        self.option = option
        self.problem = problem
