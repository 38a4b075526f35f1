"""The built-in responder: deterministic answers from a small parallel corpus.

:class:`CorpusResponder` gives the source-language transcript of a segment (growing while the user
speaks), its translation (with hotwords applied), speech-like synthesized audio, and for Omni an
assistant's reply. Text is drawn from the corpus by a seed derived from the segment's audio and
sized to the speech duration; it is never empty. Fixture replay plugs in beside it as another
:class:`~.protocol.Responder`.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from ..media.speech import Speech, spoken, synthesize_speech
from ..protocol.text import split_units, units_per_second
from .responder import Responder, Transcript

__all__ = ["CorpusResponder", "example_arguments", "load_corpus"]

MAX_SENTENCES = 6


@cache
def _load_corpus() -> dict[str, Any]:
    """The bundled corpus, read once (every default responder shares it; nothing changes it)."""
    with (
        resources.files("dashscope_realtime_mock")
        .joinpath("data/corpus.json")
        .open(encoding="utf-8") as f
    ):
        corpus: dict[str, Any] = json.load(f)
    return corpus


def load_corpus(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A corpus file (same shape as `data/corpus.json`); ValueError when it is malformed."""
    with open(path, encoding="utf-8") as f:
        corpus: dict[str, Any] = json.load(f)
    sentences = corpus.get("sentences") if isinstance(corpus, dict) else None
    if not sentences or not all(isinstance(s, dict) and "en" in s for s in sentences):
        raise ValueError(
            f"{path}: 'sentences' must be a non-empty list of objects with at least 'en'"
        )
    languages = set(sentences[0])
    if any(set(s) != languages for s in sentences):
        raise ValueError(f"{path}: every sentence must give the same languages")
    return corpus


class CorpusResponder(Responder):
    """Deterministic answers from the bundled parallel corpus (see `data/corpus.json`)."""

    def __init__(self, corpus: dict[str, Any] | None = None) -> None:
        corpus = corpus or _load_corpus()
        self._sentences: list[dict[str, str]] = corpus["sentences"]
        self._glossary: list[dict[str, str]] = corpus.get("glossary", [])
        self.languages = frozenset(self._sentences[0])

    def _lang(self, language: str) -> str:
        # Languages the corpus lacks are answered in English [assumed; the text stays non-empty].
        return language if language in self.languages else "en"

    def _stream(self, seed: int) -> Iterator[int]:
        """The sentences an utterance of this seed is made of, in order: each at most once (a
        small corpus gives a long utterance fewer sentences, never one twice)."""
        n = len(self._sentences)
        start, stride = seed % n, (3 if n % 3 else 1)  # stride and n share no factor
        for k in range(min(MAX_SENTENCES, n)):
            yield (start + k * stride) % n

    def partial(self, seed: int, language: str, speech_ms: int) -> str:
        """The words said in the first `speech_ms` of speech: a prefix of the final transcript."""
        lang = self._lang(language)
        wanted = int(speech_ms / 1000 * units_per_second(lang))
        units: list[str] = []
        for index in self._stream(seed):
            units += split_units(
                self._sentences[index][lang] + ("" if lang in ("zh", "ja") else " ")
            )
            if len(units) >= wanted:
                break
        return "".join(units[:wanted]).rstrip()

    def transcript(self, seed: int, language: str, speech_ms: int) -> Transcript:
        """Whole sentences covering `speech_ms` of speech (at least one)."""
        lang = self._lang(language)
        wanted = math.ceil(speech_ms / 1000 * units_per_second(lang))
        chosen: list[int] = []
        count = 0
        for index in self._stream(seed):
            chosen.append(index)
            count += len(split_units(self._sentences[index][lang] + " "))
            if count >= wanted:
                break
        return Transcript(self._join(chosen, lang), language, tuple(chosen))

    def spoken(self, seed: int, language: str, speech_ms: int) -> list[Transcript]:
        """The sentences whose every unit falls within the first `speech_ms` of speech."""
        lang = self._lang(language)
        said = int(speech_ms / 1000 * units_per_second(lang))
        done: list[Transcript] = []
        count = 0
        for index in self._stream(seed):
            count += len(split_units(self._sentences[index][lang] + " "))
            if count > said:
                break
            done.append(Transcript(self._sentences[index][lang], language, (index,)))
        return done

    def sentences(self, transcript: Transcript) -> list[Transcript]:
        """One transcript per corpus sentence of `transcript`."""
        lang = self._lang(transcript.language)
        return [
            Transcript(self._sentences[i][lang], transcript.language, (i,))
            for i in transcript.sentence_ids
        ]

    def _join(self, ids: Iterable[int], lang: str) -> str:
        separator = "" if lang in ("zh", "ja") else " "
        return separator.join(self._sentences[i][lang] for i in ids)

    def translate(self, transcript: Transcript, target: str, phrases: dict[str, str]) -> str:
        """The same sentences in `target`, with hotwords (`corpus.phrases`) forced in."""
        lang = self._lang(target)
        text = self._join(transcript.sentence_ids, lang)
        return self._apply_phrases(text, transcript, lang, phrases)

    def _apply_phrases(
        self, text: str, transcript: Transcript, target: str, phrases: dict[str, str]
    ) -> str:
        """docs/protocol/events.md §2.2: a phrase maps a source term to its forced translation."""
        source_lang = self._lang(transcript.language)
        for term, forced in phrases.items():
            if term.casefold() not in transcript.text.casefold():
                continue
            for concept in self._glossary:
                if concept.get(source_lang, "").casefold() != term.casefold():
                    continue
                rendering = concept.get(target, "")
                if rendering:
                    text = re.sub(
                        re.escape(rendering), _verbatim(forced), text, flags=re.IGNORECASE
                    )
        return text

    def speak(self, text: str, voice: str) -> np.ndarray:
        return synthesize_speech(text, voice)

    def speech(self, text: str, voice: str, sample_rate: int) -> np.ndarray | Speech:
        return spoken(text, voice, sample_rate)

    def reply(self, seed: int, heard: Transcript | None, language: str) -> str:
        """An assistant's answer (Omni): the two corpus sentences after what was heard, in `language`.

        Never empty. `seed` picks the sentences when nothing was heard (a bare response.create).
        """
        lang = self._lang(language)
        n = len(self._sentences)
        start = (heard.sentence_ids[-1] + 1) if heard and heard.sentence_ids else seed % n
        return self._join([start % n, (start + 1) % n] if n > 1 else [0], lang)

    def answer_tool_output(self, output: str, language: str) -> str:
        """The answer after a tool result [assumed]: it reads the result out, so tests can see it used."""
        return output.strip() or self.reply(0, None, language)

    def tool_call(self, tools: list[dict[str, Any]], heard: Transcript) -> tuple[str, str] | None:
        """(name, arguments JSON) of the call answering a user turn: the first tool, arguments built
        from its schema and the words heard."""
        function = tools[0]["function"]
        arguments = example_arguments(function.get("parameters") or {}, heard.text)
        return function["name"], json.dumps(arguments, ensure_ascii=False)


def _verbatim(replacement: str) -> Callable[[re.Match[str]], str]:
    """A `re.sub` replacement that inserts `replacement` as is (no backslash or group escapes)."""
    return lambda _match: replacement


def _object(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def example_arguments(parameters: dict[str, Any], heard: str) -> dict[str, Any]:
    """Arguments for a tool call, built from its JSON Schema `parameters` [assumed: the mock cannot
    understand the request]: every required property (all when none are required), strings taken
    from the words heard, enums their first value, numbers 1, booleans true."""
    properties = _object(parameters.get("properties"))
    required = parameters.get("required")
    names = (
        [n for n in required if isinstance(n, str)]
        if isinstance(required, list) and required
        else list(properties)
    )
    words = heard.split() or [heard]
    result: dict[str, Any] = {}
    for index, name in enumerate(names):
        schema = _object(properties.get(name))
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            result[name] = schema["enum"][0]
            continue
        kind = schema.get("type", "string")
        result[name] = {"integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}.get(
            kind, " ".join(words[index : index + 3]).strip(" .,!?;:。，！？") or heard
        )
    return result
