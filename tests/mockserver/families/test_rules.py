"""Each family's `session.update` rules: the checks a schema cannot make, and what gets echoed."""

from __future__ import annotations

from dashscope_realtime_mock.families import open_session
from tests.support import ASR, LIVETRANSLATE, OMNI

QWEN35 = "qwen3.5-livetranslate-flash-realtime"


def _update(model: str, *updates: dict) -> dict:
    """The last event answering a series of session.update events (session.updated or error)."""
    session = open_session(model, strict=True)
    for number, update in enumerate(updates):  # ASR requires event_id
        session.receive_event(
            {"event_id": f"ev{number}", "type": "session.update", "session": update}
        )
    return session.events_to_send()[-1]


def test_asr_corpus_text_is_kept_and_echoed():
    """ASR: a corpus text within the token limit is applied and echoed."""
    event = _update(ASR, {"input_audio_transcription": {"corpus": {"text": "Qwen, DashScope"}}})
    assert event["session"]["input_audio_transcription"] == {"corpus": {"text": "Qwen, DashScope"}}


def test_asr_corpus_too_long_is_refused():
    """ASR: more than 10,000 tokens of corpus text is an invalid_value naming the field."""
    event = _update(ASR, {"input_audio_transcription": {"corpus": {"text": "word " * 10_001}}})
    assert event["error"]["param"] == "session.input_audio_transcription.corpus.text"


def test_asr_null_language_returns_to_auto_detection():
    """ASR: language null after a language leaves nothing configured (auto-detect)."""
    event = _update(
        ASR,
        {"input_audio_transcription": {"language": "zh"}},
        {"input_audio_transcription": {"language": None}},
    )
    assert event["session"]["input_audio_transcription"] is None


def test_livetranslate_null_target_keeps_the_current_one():
    """LiveTranslate: translation.language null leaves the target as it was."""
    event = _update(
        LIVETRANSLATE, {"translation": {"language": "fr"}}, {"translation": {"language": None}}
    )
    assert event["session"]["translation"]["language"] == "fr"


def test_livetranslate_null_corpus_removes_the_hotwords():
    """LiveTranslate: corpus null after hotwords removes them from the echo."""
    event = _update(
        LIVETRANSLATE,
        {"translation": {"corpus": {"phrases": {"ML": "machine learning"}}}},
        {"translation": {"corpus": None}},
    )
    assert "corpus" not in event["session"]["translation"]


def test_livetranslate_cloning_once_takes_the_default_voice():
    """LiveTranslate: voice cloning with frequency once accepts voice 'default' and echoes cloning."""
    event = _update(
        LIVETRANSLATE,
        {
            "enable_voice_clone": True,
            "voice_clone_options": {"frequency": "once"},
            "voice": "default",
        },
    )
    assert event["type"] == "session.updated"
    assert event["session"]["enable_voice_clone"] is True
    assert event["session"]["voice_clone_options"] == {"frequency": "once"}


def test_livetranslate_cloning_once_refuses_a_preset_voice():
    """LiveTranslate: with frequency once a preset voice is an error naming session.voice."""
    event = _update(
        LIVETRANSLATE, {"enable_voice_clone": True, "voice_clone_options": {"frequency": "once"}}
    )
    assert event["error"]["param"] == "session.voice"


def test_livetranslate_cloning_never_takes_a_cloned_voice_id():
    """LiveTranslate: with frequency never any voice id (a pre-cloned voice) is accepted."""
    event = _update(
        LIVETRANSLATE,
        {
            "enable_voice_clone": True,
            "voice_clone_options": {"frequency": "never"},
            "voice": "vc_1234",
        },
    )
    assert event["session"]["voice"] == "vc_1234"


def test_an_unknown_voice_lists_the_models_voices_in_documented_order():
    """A voice the model lacks gets the documented invalid-value wording with its voices."""
    event = _update(QWEN35, {"voice": "Nobody"})
    assert event["error"]["message"] == (
        "Invalid value: 'Nobody'. Supported values are: 'Tina', 'Cindy', 'Liora Mira', "
        "'Sunnybobi', 'Raymond', 'Ethan', 'Theo Calm', 'Cherry'."
    )


def test_omni_duplicate_tool_names_are_refused():
    """Omni: two tools with one name are an invalid_value naming the second."""
    tool = {"type": "function", "function": {"name": "get_weather"}}
    event = _update(OMNI, {"tools": [tool, tool]})
    assert event["error"]["param"] == "session.tools[1].function.name"


def test_omni_transcription_model_is_applied_and_echoed():
    """Omni: a transcription model the model takes is echoed (gummy, the Java SDK's default)."""
    event = _update(OMNI, {"input_audio_transcription": {"model": "gummy-realtime-v1"}})
    assert event["session"]["input_audio_transcription"] == {"model": "gummy-realtime-v1"}


def test_omni_max_tokens_above_the_models_ceiling_is_out_of_range():
    """Omni: max_tokens above the model's ceiling names the range in the documented style."""
    event = _update("qwen-omni-turbo-realtime", {"max_tokens": 4096})
    assert (
        event["error"]["message"]
        == "Invalid value for 'session.max_tokens': 4096. It must be in [1, 2048]."
    )
