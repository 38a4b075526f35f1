"""Who answers a session: a named scenario, audio matching over the library, or the built-in
responder; and the fixtures and corpus the server loads for them at start-up."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from aiohttp import web

from ..answers.corpus import CorpusResponder, load_corpus
from ..answers.responder import Responder
from ..answers.scripted import ScriptedAnswers
from ..replay.format import schemas_hash
from ..replay.matchers import ReplayReferee
from ..replay.responders import MatchingResponder, ScriptedResponder, warm_fingerprints
from ..replay.store import Fixture, library_root, load_library
from ..replay.tts import TextMatchingResponder
from ..session.base import ClientReferee, Session
from ..session.registry import Model
from .faults import FaultPlan
from .handshake import http_error
from .injector import scenario_plan
from .keys import LIBRARY_KEY, OPTIONS_KEY, RESPONDER_KEY
from .observers import Observer
from .options import ServerOptions

__all__ = [
    "SCENARIO_HEADER",
    "Answering",
    "DecidesLater",
    "Replayed",
    "announce_replay",
    "build_library",
    "build_responder",
    "choose_answering",
    "choose_usual_answering",
    "library_summary",
]

log = logging.getLogger("mockserver")

SCENARIO_HEADER = "X-Mock-Scenario"

Replayed = Callable[[str | None, str], None]
"""Told which fixture answers a session (None: the built-in responder) and why."""


class DecidesLater(Protocol):
    """A responder that picks the fixture it replays only once it has heard enough of the
    client's audio (replay's :class:`MatchingResponder`), not at the handshake.

    Why: the session's opening is logged at once, and which fixture answers only when known.
    """

    on_decided: Replayed | None
    """Called once, when the choice is made, with the fixture's name (None: none matched, the
    built-in responder answers) and the reason."""


@dataclass(frozen=True)
class Answering:
    """Who answers one session, who referees it (strict replay), and how that was chosen."""

    responder: Responder
    why: str  # how the responder was chosen (the inspector shows it)
    referee: ClientReferee | None = None
    faults: FaultPlan = field(default_factory=FaultPlan)  # the named scenario's (its header's)
    scenario: str | None = None  # the fixture replayed, when the handshake already decides it
    decides_later: DecidesLater | None = None  # else the responder that decides it later, if any


def build_responder(options: ServerOptions) -> CorpusResponder:
    """The responder every session of this server shares (stateless)."""
    folder = options.fixtures_folder
    corpus_file = folder / "corpus.json" if folder else None
    if corpus_file is not None and corpus_file.is_file():
        return CorpusResponder(load_corpus(corpus_file))
    return CorpusResponder()


def build_library(options: ServerOptions) -> dict[str, Fixture]:
    """The fixtures under DIR/scenarios, or DIR itself as `record --out DIR` writes it
    (ValueError when one is malformed or the default is unknown)."""
    folder = options.fixtures_folder
    root = library_root(folder) if folder else None
    library = load_library(root) if root is not None and root.is_dir() else {}
    current = schemas_hash()
    for name, fixture in library.items():
        scenario_plan(fixture.header, f"scenario {name}")  # a bad fault fails at start-up
        if fixture.header.get("schemas") != current:
            stale = (
                f"fixture {name!r} was recorded against other schemas "
                f"({fixture.header.get('schemas')}, now {current}): re-record it, or run "
                "`make fixtures` for the bundled library"
            )
            if options.strict:
                raise ValueError(stale)
            log.warning("%s", stale)
    warm_fingerprints(library)
    if options.scenario and options.scenario not in library:
        raise ValueError(
            f"--scenario {options.scenario!r} is not among the fixtures ({', '.join(library) or 'none'})"
        )
    return library


def library_summary(app: web.Application) -> str:
    """How many scenarios the app loaded and from where (the serve banner prints it)."""
    folder = app[OPTIONS_KEY].fixtures_folder
    if folder is None:
        return "No fixtures loaded (--fixtures DIR replays recorded sessions)"
    library = app[LIBRARY_KEY]
    return f"Loaded {len(library)} scenario{'s' * (len(library) != 1)} from {library_root(folder)}"


def choose_answering(request: web.Request, model: Model) -> Answering | web.Response:
    """Who answers this session (:func:`choose_usual_answering`), with the server's scripted
    answers (``--answers``, ``MockServer.answers``) applied over it when there are any.

    The realtime handler looks this function up on this module at every handshake, so a test
    may replace it (monkeypatch) to fail the handshake on purpose.
    """
    chosen = choose_usual_answering(request, model)
    rules = request.app[OPTIONS_KEY].answer_book.rules
    if isinstance(chosen, web.Response) or not rules:
        return chosen
    scripted = ScriptedAnswers(chosen.responder, rules, model.model_id, model.family.name)
    why = f"{chosen.why}; the scripted answers ({len(rules)} rule{'s' * (len(rules) != 1)}) come first"
    return dataclasses.replace(chosen, responder=scripted, why=why)


def choose_usual_answering(request: web.Request, model: Model) -> Answering | web.Response:
    """Who answers this session: the scenario the client names (query `scenario` or the
    X-Mock-Scenario header) or the server's default, else the fixture the audio matches, else the
    built-in responder. An unknown scenario fails the handshake (400): the HTTP error is returned.
    """
    options = request.app[OPTIONS_KEY]
    library = request.app[LIBRARY_KEY]
    fallback = request.app[RESPONDER_KEY]
    name = request.query.get("scenario") or request.headers.get(SCENARIO_HEADER) or options.scenario
    if name:
        if name not in library:
            known = ", ".join(sorted(library)) or "none (start with --fixtures DIR)"
            return http_error(
                400, "InvalidParameter", f"Unknown scenario '{name}'; known: {known}."
            )
        referee = ReplayReferee(library[name]) if options.strict_replay else None
        why = (
            "named in the URL (?scenario=)"
            if request.query.get("scenario")
            else f"named in the {SCENARIO_HEADER} header"
            if request.headers.get(SCENARIO_HEADER)
            else "the server's default scenario (--scenario)"
        )
        faults = scenario_plan(library[name].header, f"scenario {name}")
        scripted = ScriptedResponder.from_fixture(library[name], fallback)
        return Answering(scripted, why, referee, faults, scenario=scripted.name)
    if library and model.family.name == "tts":
        why = "the fixture whose text and voice agree answers, else the built-in speech"
        by_text = TextMatchingResponder(library, fallback)
        return Answering(by_text, why, decides_later=by_text)
    if library:
        why = "the fixture whose input audio matches answers, else the built-in responder"
        matching = MatchingResponder(library, fallback, model.family.name, options.match_on)
        return Answering(matching, why, decides_later=matching)
    return Answering(fallback, "no fixtures are loaded")


def announce_replay(
    session: Session, answering: Answering, observer: Observer | None, client: str | None
) -> None:
    """Log at INFO that the session opened, for which model and client, and which fixture it
    replays and why (or that the built-in responder answers), and tell the observer. One line
    when that is known at once; audio matching decides later, once it has heard enough, and
    logs a second line then. (The access log leaves out WebSocket upgrades: this is their line.)
    """
    # The closure below outlives this call (a MatchingResponder keeps it, and the session keeps
    # the responder): it holds the session's id, never the session, so a closed session is freed
    # by reference counting rather than waiting for a full garbage collection (collector.py).
    session_id = session.id
    opened = (
        f"session {session_id} opened for model {session.model_id} ({client or 'no User-Agent'})"
    )

    def replayed(scenario: str | None, reason: str, prefix: str = f"session {session_id}") -> None:
        if scenario is None:
            log.info("%s: the built-in responder answers: %s", prefix, reason)
        else:
            log.info("%s: replays fixture %r: %s", prefix, scenario, reason)
        if observer is not None:
            observer.replayed(session_id, scenario, reason)

    if isinstance(answering.responder, ScriptedAnswers):
        answering.responder.on_answered = lambda turn, rule: log.info(
            "session %s: turn %d answered by %s of the scripted answers",
            session_id,
            turn,
            rule.describe(),
        )
    if answering.decides_later is not None:
        log.info("%s", opened)
        answering.decides_later.on_decided = replayed
    else:
        replayed(answering.scenario, answering.why, opened)
