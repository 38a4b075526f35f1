"""The built-in responder: deterministic, never empty, partials are prefixes of the final text."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dashscope_realtime_mock.answers.corpus import CorpusResponder, load_corpus
from dashscope_realtime_mock.protocol.text import split_units
from dashscope_realtime_mock.transport.answering import build_responder
from dashscope_realtime_mock.transport.options import ServerOptions
from tests.support import SPEECH_DIR


@pytest.mark.parametrize("language", ["en", "zh", "fr", "th"])
def test_partials_are_prefixes_of_the_final_transcript(language):
    """Whatever has been shown while speaking is the start of the completed transcript."""
    responder = CorpusResponder()
    final = responder.transcript(1234, language, 4200).text
    for ms in range(0, 4201, 300):
        assert final.startswith(responder.partial(1234, language, ms))


def test_transcript_is_never_empty_and_deterministic():
    """Even 10 ms of speech yields a whole sentence, the same one each time."""
    responder = CorpusResponder()
    assert responder.transcript(5, "en", 10).text == responder.transcript(5, "en", 10).text != ""


def test_longer_speech_yields_longer_transcripts():
    """The transcript grows with the speech duration."""
    responder = CorpusResponder()
    assert len(responder.transcript(3, "en", 9000).text) > len(
        responder.transcript(3, "en", 1000).text
    )


def test_translation_is_the_same_sentences_in_the_target_language():
    """translate() renders the transcript's sentences in the target language."""
    responder = CorpusResponder()
    transcript = responder.transcript(0, "en", 1000)
    assert responder.translate(transcript, "zh", {}) == "人工智能正在改变我们的工作方式。"


def test_speech_audio_length_follows_the_text():
    """Spoken audio is non-silent PCM16 whose length grows with the text."""
    responder = CorpusResponder()
    short, long = (
        responder.speak("Hello there.", "Cherry"),
        responder.speak("Hello there. " * 4, "Cherry"),
    )
    assert short.dtype == np.int16 and np.abs(short).max() > 1000 and len(long) > 3 * len(short)


def test_units_join_back_to_the_text():
    """split_units never loses characters, for spaced and CJK text alike."""
    for text in ("Hello, world.  Again", "今天天气真好，我们走吧。"):
        assert "".join(split_units(text)) == text


def test_fixtures_corpus_is_used_by_the_server(tmp_path):
    """--fixtures DIR with a corpus.json answers from that corpus."""
    responder = build_responder(ServerOptions(fixtures=SPEECH_DIR.parent))
    texts = {responder.transcript(seed, "en", 1000).text for seed in range(8)}
    bundled = {
        s["en"]
        for s in json.loads((SPEECH_DIR.parent / "corpus.json").read_text("utf-8"))["sentences"]
    }
    assert texts <= bundled


def test_malformed_corpus_is_refused(tmp_path):
    """A corpus without sentences, or with uneven languages, is a clear error."""
    path = tmp_path / "corpus.json"
    path.write_text(json.dumps({"sentences": [{"en": "a", "zh": "b"}, {"en": "c"}]}))
    with pytest.raises(ValueError, match="same languages"):
        load_corpus(path)


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_a_long_utterance_never_repeats_a_sentence_of_a_small_corpus(count):
    """A corpus of `count` sentences and 30 s of speech: each sentence at most once."""
    sentences = [
        {"en": "Hello, I want to book a table."},
        {"en": "For two people, please."},
        {"en": "At eight o'clock."},
        {"en": "By the window."},
    ][:count]
    responder = CorpusResponder({"sentences": sentences})
    transcript = responder.transcript(7, "en", 30_000)
    assert len(set(transcript.sentence_ids)) == len(transcript.sentence_ids) == count
    assert transcript.text.count("Hello, I want to book a table.") == 1
