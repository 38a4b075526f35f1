"""The server's options: one dataclass, every value checked when it is built.

Each field of :class:`ServerOptions` is declared once, with an :class:`Option` in its metadata
(its `serve` flag, its meaning, its bound, how the command line parses it). Everything else is
generated from that declaration: the bounds checks of ``__post_init__``, `serve`'s flags
(``cli.py``), the ``ServerOptions(**...)`` call `serve` makes, and the options table of docs/options.md
(:func:`options_table`; ``scripts/write_docs.py`` writes it into docs/options.md, a test compares it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..answers.rules import AnswerBook, AnswerRule, load_answers, parse_answers
from ..families import REGISTRY
from ..protocol.behaviour import Behaviour
from ..protocol.errors import RealtimeMockError
from ..replay.builtin import fixtures_dir
from ..replay.responders import DEFAULT_MATCH_ON, check_match_on
from .faults import FaultPlan, FaultSpecError
from .observers import Observer, SessionWatcher
from .pacing import Pace

__all__ = [
    "Bound",
    "DeclaredOption",
    "Option",
    "OptionError",
    "ServerOptions",
    "declared_options",
    "flag_of",
    "options_table",
]

_OPTION = "option"  # the metadata key of a field's Option


@dataclass(frozen=True)
class Bound:
    """The lower bound of a number option: ``value >= low``, or ``value > low`` when `strict`.

    `why` is said after the bound in the error (what the number means), e.g. ``must be > 0
    (how many times faster), not 0``.
    """

    low: float = 0
    strict: bool = False
    why: str = ""

    def problem(self, value: float) -> str | None:
        """What is wrong with `value` (the error's text after the option's name), or None."""
        if value > self.low or (not self.strict and value == self.low):
            return None
        why = f" ({self.why})" if self.why else ""
        return f"must be {'>' if self.strict else '>='} {self.low:g}{why}, not {_number(value)}"


NON_NEGATIVE = Bound()


def _number(value: float) -> str:
    """A number as an error shows it: an int as typed, a float without a trailing ``.0``."""
    return str(value) if isinstance(value, int) else f"{value:g}"


@dataclass(frozen=True)
class Option:
    """How one :class:`ServerOptions` field shows outside Python (read from the field's metadata).

    `flag` is its `serve` flag, None for a Python-only option (a callback, an object).
    `parse` turns the flag's text into the value (argparse's ``type``); `switch` makes a flag
    without a value that turns the option on; `repeat` makes the flag repeatable and turns the
    list of texts given into the value (it may raise TypeError or ValueError). `shown_default`
    replaces the default where words say it better than the value (``none changed``).
    """

    meaning: str
    flag: str | None = None
    parse: Callable[[str], object] | None = None
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    switch: bool = False
    repeat: Callable[[list[str]], object] | None = None
    bound: Bound | None = None
    shown_default: str | None = None


def _declare(
    meaning: str,
    flag: str | None = None,
    *,
    parse: Callable[[str], object] | None = None,
    metavar: str | None = None,
    choices: tuple[str, ...] | None = None,
    switch: bool = False,
    repeat: Callable[[list[str]], object] | None = None,
    bound: Bound | None = None,
    shown_default: str | None = None,
) -> Mapping[str, Option]:
    """A field's metadata: its :class:`Option` (the arguments are the Option's fields)."""
    option = Option(meaning, flag, parse, metavar, choices, switch, repeat, bound, shown_default)
    return {_OPTION: option}


def _field_list(text: str) -> tuple[str, ...]:
    """`a,b.c` as ("a", "b.c"); the empty string is no fields (ServerOptions checks the names)."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _behaviour_of(assignments: list[str]) -> Behaviour:
    """The repeated ``--behaviour NAME=VALUE`` flags as one Behaviour."""
    return Behaviour().with_assignments(assignments)


@dataclass
class ServerOptions:
    """Per-server settings (the `serve` flags; `observer` and `watcher` are Python-only)."""

    api_key: str | None = field(
        default=None,
        metadata=_declare(
            "accept only this Bearer key",
            "--api-key",
            metavar="KEY",
            shown_default="any non-empty Bearer key",
        ),
    )
    pace: Pace = field(
        default=Pace.FAST,
        metadata=_declare(
            "fast: send events as soon as they exist; realtime: pace like the live service; "
            "recorded: the gaps of the fixture being replayed, needs --fixtures",
            "--pace",
            choices=tuple(p.value for p in Pace),
            metavar="|".join(p.value for p in Pace),
        ),
    )
    speed: float = field(
        default=1.0,
        metadata=_declare(
            "with --pace realtime or recorded: run this many times faster",
            "--speed",
            parse=float,
            bound=Bound(strict=True, why="how many times faster"),
        ),
    )
    first_text_latency_ms: int = field(
        default=300,
        metadata=_declare(
            "realtime pace: delay from response.created to the first text",
            "--first-text-latency-ms",
            parse=int,
            bound=NON_NEGATIVE,
        ),
    )
    first_audio_latency_ms: int = field(
        default=500,
        metadata=_declare(
            "realtime pace: delay from response.created to the first audio",
            "--first-audio-latency-ms",
            parse=int,
            bound=NON_NEGATIVE,
        ),
    )
    # Fast pace: an answer that can still be cut short (response.cancel, a second
    # response.create, speech) plays by the client's audio time (session/base.py
    # Playback.AUDIO_TIME, docs/pace.md); after this long without a client frame the input
    # counts as idle and whatever waits for the audio counts as played.
    audio_idle_ms: int = field(
        default=500,
        metadata=_declare(
            "fast pace: an answer the client could still cut short (cancel, create, speech) plays "
            "by the client's audio time; after this long without a client frame it plays out",
            "--audio-idle-ms",
            parse=int,
            bound=NON_NEGATIVE,
        ),
    )
    # A directory, or "builtin" (the library shipped with the package): its corpus.json replaces
    # the built-in corpus; scenarios/*/ are fixtures to replay. Resolved to a Path when built.
    fixtures: Path | str | None = field(
        default=None,
        metadata=_declare(
            "corpus.json for the built-in responder and scenarios/*/ to replay; 'builtin' is the "
            "library shipped with the package",
            "--fixtures",
            metavar="DIR|builtin",
        ),
    )
    scenario: str | None = field(
        default=None,
        metadata=_declare(
            "replay this fixture in every session unless the client names another "
            "(query ?scenario= or header X-Mock-Scenario)",
            "--scenario",
            metavar="NAME",
        ),
    )
    strict_replay: bool = field(
        default=False,
        metadata=_declare(
            "with a named scenario: a client event that departs from the recorded ones fails "
            "the session with a report of the matcher that failed",
            "--strict-replay",
            switch=True,
        ),
    )
    # Besides the audio, the session fields (dotted paths) a fixture must agree on to be the
    # one replayed when several recordings share the input audio (vcrpy's match_on).
    match_on: tuple[str, ...] = field(
        default=DEFAULT_MATCH_ON,
        metadata=_declare(
            "when several fixtures share the input audio, replay the one whose recorded session "
            "agrees on most of these session fields (dotted paths; '' for audio alone)",
            "--match-on",
            parse=_field_list,
            metavar="FIELD,...",
        ),
    )
    # After session.finished the client closes (docs/protocol/events.md §1.8: samples close
    # with 1000); if it does not within this many seconds, the server closes with 1000 itself.
    finish_close_grace_s: float = field(
        default=5.0,
        metadata=_declare(
            "after session.finished, wait this many seconds for the client to close before "
            "closing with 1000",
            "--finish-close-grace",
            parse=float,
            bound=NON_NEGATIVE,
        ),
    )
    behaviour: Behaviour = field(
        default_factory=Behaviour,
        metadata=_declare(
            "a choice where the docs are open (repeatable), e.g. omni_session_finish=reject; "
            "`serve --help` lists the names and values",
            "--behaviour",
            metavar="NAME=VALUE",
            repeat=_behaviour_of,
            shown_default="none changed",
        ),
    )
    # Validate every server event against schemas/ and fail loudly (log + server_error + close
    # 1011) on a violation: for tests, and for anyone who wants the mock to police itself.
    strict: bool = field(
        default=False,
        metadata=_declare(
            "validate every server event against the schemas; a violation is logged and ends "
            "the session with server_error + close 1011",
            "--strict",
            switch=True,
        ),
    )
    observer: Observer | None = field(
        default=None,
        metadata=_declare(
            "told every event and every failure of every session (the test server uses it)"
        ),
    )
    # Follows each session from open to close and serves pages of its own (the inspector).
    watcher: SessionWatcher | None = field(
        default=None,
        metadata=_declare(
            "follows each session from open to close and serves pages of its own (the "
            "inspector; `serve` makes one unless --no-inspector)"
        ),
    )
    # Faults injected into every connection (transport/faults.py): a compact string, a Fault,
    # a list of them, or a FaultPlan. Resolved to a FaultPlan when built.
    faults: FaultPlan | object = field(
        default=None,
        metadata=_declare(
            "inject faults into every connection, e.g. 'seed=1;delay:on=first_audio,ms=800' "
            "(kinds: error, disconnect, delay, idle_timeout, session_cap, reject, drop, "
            "duplicate; see docs/faults.md)",
            "--faults",
            metavar="SPEC",
        ),
    )
    # Limits (docs/limits.md). The docs state none of them; 0 turns a cap off.
    max_connections: int = field(
        default=0,
        metadata=_declare(
            "WebSockets open at once; the next handshake gets HTTP 429 (0: no cap)",
            "--max-connections",
            parse=int,
            bound=NON_NEGATIVE,
        ),
    )
    # docs/protocol/events.md §1.8 reports a ~300 s idle drop by the service, so 300 imitates it.
    idle_timeout_s: float = field(
        default=0.0,
        metadata=_declare(
            "close a session (1000) after this many seconds without a client event; the "
            "service reportedly drops idle sessions after ~300 s (0: never)",
            "--idle-timeout",
            parse=float,
            bound=NON_NEGATIVE,
        ),
    )
    # A client that does not read: while more events than this wait for it (and its socket's
    # buffer is full), its frames are not read; still behind after slow_reader_close_s → 1008.
    max_unsent_events: int = field(
        default=256,
        metadata=_declare(
            "a client that does not read: while more events than this wait for it and its "
            "socket's buffer is full, its frames are not read",
            "--max-unsent-events",
            parse=int,
            bound=NON_NEGATIVE,
        ),
    )
    slow_reader_close_s: float = field(
        default=10.0,
        metadata=_declare(
            "a client still not reading after this many seconds is closed with 1008",
            "--slow-reader-close",
            parse=float,
            bound=NON_NEGATIVE,
        ),
    )
    shutdown_grace_s: float = field(
        default=3.0,
        metadata=_declare(
            "on SIGTERM or SIGINT every client gets close 1001; sends under way finish within "
            "this many seconds, then the process exits 0",
            "--shutdown-grace",
            parse=float,
            bound=NON_NEGATIVE,
        ),
    )

    # Slowloris: a connection that has not sent its whole HTTP request by then is closed
    # (transport/http_guard.py); until then it counts toward max_connections.
    handshake_timeout_s: float = field(
        default=10.0,
        metadata=_declare(
            "close a connection that has not sent a whole HTTP request within this many "
            "seconds (such connections count toward --max-connections)",
            "--handshake-timeout",
            parse=float,
            bound=Bound(strict=True, why="seconds"),
        ),
    )

    # Scripted answers (docs/answers.md): a file, a list of rule objects, or an AnswerBook.
    # Resolved to an AnswerBook when built (MockServer.answers is that book).
    answers: AnswerBook | Path | str | list[dict[str, object]] | None = field(
        default=None,
        metadata=_declare(
            'scripted answers: JSON {"answers": [{"heard": ..., "say": ...}]}, each rule '
            "optionally for a model or family and a 1-based turn; other turns answer as usual "
            "(docs/answers.md)",
            "--answers",
            metavar="FILE",
            shown_default="none",
        ),
    )

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
        for declared in declared_options():
            bound = declared.option.bound
            if bound is not None and (problem := bound.problem(getattr(self, declared.keyword))):
                raise OptionError(declared.keyword, problem)
        self.fixtures = self._fixtures_folder()
        try:
            self.match_on = check_match_on(self.match_on)
        except ValueError as exc:
            raise OptionError("match_on", str(exc)) from None
        try:
            self.faults = FaultPlan.of(self.faults)
        except FaultSpecError as exc:
            raise OptionError("faults", str(exc)) from None
        try:
            self.answers = _answer_book(self.answers)
        except ValueError as exc:
            raise OptionError("answers", str(exc)) from None
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

    @property
    def answer_book(self) -> AnswerBook:
        """`answers` as the book it was resolved to."""
        return self.answers if isinstance(self.answers, AnswerBook) else AnswerBook()


def _check_answer_model(rule: AnswerRule) -> None:
    """A rule's `model` must be a model id or a family name the server serves."""
    if rule.model is None or rule.model in REGISTRY.names() or REGISTRY.lookup(rule.model):
        return
    raise ValueError(
        f"rule {rule.number}: 'model' {rule.model!r} is neither a served model nor a family "
        f"({', '.join(REGISTRY.names())})"
    )


def _answer_book(value: object) -> AnswerBook:
    """`answers` as given (None, a file, a list of rule objects, a book) as one AnswerBook."""
    if isinstance(value, AnswerBook):
        value.check = _check_answer_model
        value.replace(value.rules)
        return value
    if value is None:
        return AnswerBook(check=_check_answer_model)
    if isinstance(value, (str, Path)):
        return AnswerBook(load_answers(value), _check_answer_model)
    return AnswerBook(parse_answers(value), _check_answer_model)


class OptionError(RealtimeMockError, ValueError):
    """A :class:`ServerOptions` value the mock cannot run with; `option` names the field."""

    def __init__(self, option: str, problem: str) -> None:
        super().__init__(f"{option}: {problem}")
        self.option = option
        self.problem = problem


@dataclass(frozen=True)
class DeclaredOption:
    """One field of :class:`ServerOptions`: its Python keyword, its :class:`Option`, its default."""

    keyword: str
    option: Option
    default: object

    @property
    def shown_default(self) -> str:
        """The default as it is typed on the command line (``true``, ``a,b``; ``none``: unset)."""
        if self.option.shown_default is not None:
            return self.option.shown_default
        value = self.default
        if value is None:
            return "none"
        if isinstance(value, bool):
            return "on" if value else "off"
        if isinstance(value, tuple):
            return ",".join(str(part) for part in value)
        return str(value)


def declared_options() -> tuple[DeclaredOption, ...]:
    """Every field of :class:`ServerOptions` with its :class:`Option`, in declaration order.

    What `serve` builds its flags from, what the bounds checks and the options table read.
    """
    return _DECLARED


def _declared() -> tuple[DeclaredOption, ...]:
    declared = []
    for spec in dataclasses.fields(ServerOptions):
        default = (
            spec.default_factory()
            if spec.default is dataclasses.MISSING
            and spec.default_factory is not dataclasses.MISSING
            else spec.default
        )
        declared.append(DeclaredOption(spec.name, spec.metadata[_OPTION], default))
    return tuple(declared)


_DECLARED = _declared()


def flag_of(keyword: str) -> str:
    """The `serve` flag of the option `keyword` (``idle_timeout_s`` → ``--idle-timeout``), or
    the keyword itself for a Python-only option: what a `serve` error names."""
    for declared in _DECLARED:
        if declared.keyword == keyword:
            return declared.option.flag or keyword
    raise KeyError(keyword)


def options_table() -> str:
    """The table of the server's options (Markdown, in docs/options.md): flag, Python keyword, default,
    meaning, one row per field of :class:`ServerOptions`, in declaration order."""
    rows = [
        "| flag | Python keyword | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for declared in _DECLARED:
        option = declared.option
        if option.flag is None:
            flag = "(Python only)"
        else:
            # a value as the synopsis shows it: the metavar, else the default
            value = "" if option.switch else f" {option.metavar or declared.shown_default}"
            flag = f"`{option.flag}{value}`"
        flag, meaning = (text.replace("|", "\\|") for text in (flag, option.meaning))
        rows.append(f"| {flag} | `{declared.keyword}` | {declared.shown_default} | {meaning} |")
    return "\n".join(rows) + "\n"
