"""The pure LiveTranslate session core: events in, events out, audio time from the PCM."""

from __future__ import annotations

import base64
import itertools
import random

import numpy as np
import pytest

from dashscope_realtime_mock.answers.corpus import CorpusResponder
from dashscope_realtime_mock.protocol.behaviour import (
    Behaviour,
    DefaultVoice,
    LiveTranslateShape,
    Scoped,
    SpeechTimestamps,
)
from dashscope_realtime_mock.session.base import Session
from tests.support import (
    LIVETRANSLATE,
    LIVETRANSLATE_35,
    b64,
    new_session,
    open_strict,
    send,
    stream,
    tiny_jpeg,
    types,
)

# qwen3 follows its G1 pages (Behaviour.livetranslate_shape): no conversation.item.created here.
RESPONSE_ORDER_AUDIO = [
    "response.created",
    "response.output_item.added",
    "response.content_part.added",
    "response.audio_transcript.done",
    "response.audio.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.done",
]


def _manual(model=LIVETRANSLATE, **session) -> Session:
    s = new_session(model)
    assert types(send(s, type="session.update", session={"turn_detection": None, **session})) == [
        "session.updated"
    ]
    return s


def test_first_event_is_session_created_with_documented_defaults():
    """session.created carries the qwen3 defaults (docs/protocol/events.md §2.2, session.created.qwen3.json)."""
    session = open_strict(LIVETRANSLATE, rng=random.Random(1))
    created, updated = session.events_to_send()
    assert (created["type"], updated["type"]) == ("session.created", "session.updated")
    assert created["session"] == {
        "id": created["session"]["id"],
        "object": "realtime.session",
        "model": LIVETRANSLATE,
        "modalities": ["text", "audio"],
        "voice": "Cherry",
        "input_audio_format": "pcm16",
        "output_audio_format": "pcm24",
        "translation": {"language": "en"},
    }


def test_dated_snapshot_is_echoed_as_the_model():
    """A dated snapshot id is served with its family's defaults and echoed as asked."""
    model = "qwen3.5-livetranslate-flash-realtime-2026-05-19"
    session = open_strict(model)
    created = session.events_to_send()[0]["session"]
    assert created["model"] == model and created["voice"] == "Tina"
    assert created["turn_detection"]["silence_duration_ms"] == 1000


def test_update_answers_with_full_resulting_config():
    """session.updated carries the whole configuration, not just the changed fields."""
    s = new_session()
    [updated] = send(s, type="session.update", session={"voice": "Ethan"})
    assert updated["session"]["voice"] == "Ethan"
    assert updated["session"]["translation"] == {"language": "en"}
    assert updated["session"]["output_audio_format"] == "pcm24"


def test_invalid_update_keeps_old_config():
    """A rejected session.update answers error, no session.updated, and changes nothing."""
    s = new_session()
    [error] = send(s, type="session.update", session={"voice": "Ethan", "modalities": ["audio"]})
    assert error["type"] == "error"
    assert error["error"] == {
        "type": "invalid_request_error",
        "code": "invalid_value",
        "param": "session.modalities",
        "message": "Invalid modalities: ['audio']. Supported combinations are: ['text'] and ['audio', 'text'].",
    }
    [updated] = send(s, type="session.update", session={})
    assert updated["session"]["voice"] == "Cherry"


def test_sdk_legacy_payload_is_accepted():
    """The legacy SDK's pcm16/pcm16, voice null, transcription model null are accepted as sent."""
    s = new_session()
    [updated] = send(
        s,
        type="session.update",
        session={
            "modalities": ["text", "audio"],
            "voice": None,
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm16",
            "input_audio_transcription": {"model": None},
            "turn_detection": {
                "type": "server_vad",
                "threshold": 0.2,
                "prefix_padding_ms": 300,
                "silence_duration_ms": 800,
            },
            "translation": {"language": "zh"},
        },
    )
    assert updated["type"] == "session.updated"
    assert updated["session"]["voice"] == "Cherry"
    assert "input_audio_transcription" not in updated["session"]
    assert updated["session"]["turn_detection"]["silence_duration_ms"] == 800


@pytest.mark.parametrize(
    "session,param",
    [
        ({"voice": "Nobody"}, "session.voice"),
        ({"input_audio_format": "mp3"}, "session.input_audio_format"),
        ({"sample_rate": 44100}, "session.sample_rate"),
        ({"turn_detection": {"threshold": 1.5}}, "session.turn_detection.threshold"),
        (
            {"turn_detection": {"silence_duration_ms": 100}},
            "session.turn_detection.silence_duration_ms",
        ),
        ({"turn_detection": {"type": "semantic_vad"}}, "session.turn_detection.type"),
        ({"translation": {"language": "xx"}}, "session.translation.language"),
        ({"translation": {"language": "el"}}, "session.translation.language"),
        (
            {"input_audio_transcription": {"model": "whisper-1"}},
            "session.input_audio_transcription.model",
        ),
        (
            {"translation": {"language": "en", "corpus": {"phrases": {"a": 1}}}},
            "session.translation.corpus.phrases.a",
        ),
        (
            {"enable_voice_clone": True, "voice_clone_options": {"frequency": "once"}},
            "session.voice",
        ),
        (
            {"voice_clone_options": {"frequency": "sometimes"}},
            "session.voice_clone_options.frequency",
        ),
        ({"modalities": "text"}, "session.modalities"),
    ],
)
def test_out_of_range_values_name_the_param(session, param):
    """Each documented value/range violation is an invalid_request_error naming the field."""
    [error] = send(new_session(), type="session.update", session=session)
    assert error["type"] == "error"
    assert error["error"]["type"] == "invalid_request_error"
    assert error["error"]["param"] == param


def test_vad_reports_two_segments_measured_in_the_audio(speech_en):
    """Streaming the recording yields two speech_started/stopped pairs at the edges of the speech
    (qwen3, G1 shape: no item_id)."""
    s = new_session()
    events = stream(s, speech_en)
    starts = [e for e in events if e["type"] == "input_audio_buffer.speech_started"]
    stops = [e for e in events if e["type"] == "input_audio_buffer.speech_stopped"]
    assert len(starts) == len(stops) == 2
    for truth, start, stop in zip(speech_en.segments, starts, stops, strict=True):
        assert abs(start["audio_start_ms"] - (truth["start_ms"])) <= 200
        assert abs(stop["audio_end_ms"] - (truth["end_ms"])) <= 200
        assert "item_id" not in start and "item_id" not in stop


def test_each_vad_segment_gets_one_translation_response(speech_en):
    """After each speech_stopped a full response block follows, in the documented order."""
    s = new_session()
    events = stream(s, speech_en)
    kinds = [k for k in types(events) if k in RESPONSE_ORDER_AUDIO]
    assert kinds == RESPONSE_ORDER_AUDIO * 2
    stopped = types(events).index("input_audio_buffer.speech_stopped")
    assert types(events).index("response.created") > stopped


def _transcribing_g2() -> Session:
    s = new_session(behaviour=Behaviour(livetranslate_shape=Scoped(LiveTranslateShape.G2)))
    send(
        s,
        type="session.update",
        session={
            "input_audio_transcription": {"model": "qwen3-asr-flash-realtime", "language": "en"},
            "translation": {"language": "zh"},
        },
    )
    return s


def test_translation_item_follows_the_source_item(speech_en):
    """G2: conversation.item.created's previous_item_id is the segment's source item (the item
    its source transcription names)."""
    events = stream(_transcribing_g2(), speech_en)
    source = next(e for e in events if "input_audio_transcription" in e["type"])
    created = next(e for e in events if e["type"] == "conversation.item.created")
    assert created["previous_item_id"] == source["item_id"]
    assert created["item"]["role"] == "assistant" and created["item"]["status"] == "in_progress"


def test_streamed_text_grows_and_ends_with_the_final_text(speech_en):
    """text+stash only grows within a response, and the last update equals the .done transcript."""
    events = stream(new_session(), speech_en)
    first_done = types(events).index("response.audio_transcript.done")
    updates = [e for e in events[:first_done] if e["type"] == "response.audio_transcript.text"]
    shown = [u["text"] + u["stash"] for u in updates]
    assert all(a == b[: len(a)] for a, b in itertools.pairwise(shown))
    assert all(a["text"] == b["text"][: len(a["text"])] for a, b in itertools.pairwise(updates))
    assert shown[-1] == events[first_done]["transcript"] != ""


def test_audio_deltas_are_24khz_pcm16_of_the_spoken_text(speech_en):
    """The audio deltas decode to PCM16 whose length matches the usage's audio tokens at 12.5/s."""
    events = stream(new_session(), speech_en)
    end = types(events).index("response.done")
    audio = b"".join(
        base64.b64decode(e["delta"]) for e in events[:end] if e["type"] == "response.audio.delta"
    )
    samples = np.frombuffer(audio, "<i2")
    assert len(audio) % 2 == 0 and np.abs(samples).max() > 1000
    usage = events[end]["response"]["usage"]
    assert usage["output_tokens_details"]["audio_tokens"] == int(
        np.ceil(len(samples) / 24000 * 12.5)
    )


def test_usage_counts_input_audio_at_documented_rate(speech_en):
    """Input audio tokens are 12.5 per second of the segment's audio, padding included (qwen3)."""
    events = stream(
        new_session(behaviour=Behaviour(speech_timestamps=SpeechTimestamps.PADDED)), speech_en
    )
    start = next(e for e in events if e["type"] == "input_audio_buffer.speech_started")
    stop = next(e for e in events if e["type"] == "input_audio_buffer.speech_stopped")
    usage = next(e for e in events if e["type"] == "response.done")["response"]["usage"]
    seconds = (stop["audio_end_ms"] - start["audio_start_ms"]) / 1000
    assert usage["input_tokens_details"]["audio_tokens"] == int(np.ceil(seconds * 12.5))
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]


def test_text_only_modality_streams_response_text_text(speech_en):
    """With modalities ['text'] the response uses response.text.text/.done and no audio events."""
    s = new_session()
    send(s, type="session.update", session={"modalities": ["text"]})
    kinds = types(stream(s, speech_en))
    assert "response.text.text" in kinds and kinds.count("response.text.done") == 2
    assert not {"response.audio.delta", "response.audio_transcript.text"} & set(kinds)


def test_source_transcription_runs_when_a_model_is_set(speech_en):
    """With input_audio_transcription.model set, .text updates precede .completed for the item."""
    events = stream(_transcribing_g2(), speech_en)
    item = next(e for e in events if "input_audio_transcription" in e["type"])["item_id"]
    mine = [e for e in events if e.get("item_id") == item and "transcription" in e["type"]]
    assert mine[-1]["type"] == "conversation.item.input_audio_transcription.completed"
    assert len(mine) > 2 and all(e["type"].endswith(".text") for e in mine[:-1])
    assert mine[-1]["transcript"] and mine[-1]["language"] == "en"
    assert mine[-2]["text"] == mine[-1]["transcript"] and mine[-2]["stash"] == ""


def test_no_transcription_events_without_a_model(speech_en):
    """qwen3 defaults: source transcription is off, so no transcription events at all."""
    assert not [k for k in types(stream(new_session(), speech_en)) if "transcription" in k]


ONE_SENTENCE_CORPUS = {
    "sentences": [
        {"en": "Machine learning helps us translate speech.", "zh": "机器学习帮助我们翻译语音。"}
    ],
    "glossary": [{"en": "Machine learning", "zh": "机器学习"}],
}


def test_hotwords_replace_the_term_in_the_translation(speech_en):
    """corpus.phrases force the translation of a source term that was said."""
    s = open_strict(LIVETRANSLATE, responder=CorpusResponder(ONE_SENTENCE_CORPUS))
    send(
        s,
        type="session.update",
        session={
            "modalities": ["text"],
            "translation": {
                "language": "zh",
                "corpus": {"phrases": {"Machine learning": "ML技术"}},
            },
            "input_audio_transcription": {"model": "qwen3-asr-flash-realtime", "language": "en"},
        },
    )
    texts = [e["text"] for e in stream(s, speech_en) if e["type"] == "response.text.done"]
    assert texts and all(t.startswith("ML技术") and "机器学习" not in t for t in texts)


def test_hotwords_for_unsaid_terms_change_nothing(speech_en):
    """A phrase whose source term was not said leaves the translation as it was."""
    s = open_strict(LIVETRANSLATE, responder=CorpusResponder(ONE_SENTENCE_CORPUS))
    send(
        s,
        type="session.update",
        session={
            "modalities": ["text"],
            "translation": {"language": "zh", "corpus": {"phrases": {"人工智能": "AI"}}},
        },
    )
    texts = [e["text"] for e in stream(s, speech_en) if e["type"] == "response.text.done"]
    assert texts and all(t.startswith("机器学习") for t in texts)


def test_manual_commit_acknowledges_and_starts_translation(speech_en):
    """Manual mode: commit → committed → user item → response block, no speech events."""
    s = _manual()
    assert stream(s, speech_en, end_ms=speech_en.gap_middle_ms) == []
    events = send(s, type="input_audio_buffer.commit")
    kinds = types(events)
    assert kinds[:2] == ["input_audio_buffer.committed", "conversation.item.created"]
    assert events[1]["item"]["role"] == "user" and events[1]["item"]["content"] == [
        {"type": "input_audio"}
    ]
    assert [k for k in kinds[2:] if k in RESPONSE_ORDER_AUDIO] == RESPONSE_ORDER_AUDIO
    assert "input_audio_buffer.speech_started" not in kinds


def test_commit_on_empty_buffer_is_an_error_and_session_goes_on():
    """Committing nothing → invalid_request_error; the next session.update still works."""
    s = _manual()
    [error] = send(s, type="input_audio_buffer.commit")
    assert error["error"]["type"] == "invalid_request_error"
    assert types(send(s, type="session.update", session={})) == ["session.updated"]


def test_commit_of_silence_reports_failed_transcription_and_no_response():
    """A committed buffer with no speech: transcription .failed (when on) and no translation."""
    s = _manual(input_audio_transcription={"model": "qwen3-asr-flash-realtime"})
    send(s, type="input_audio_buffer.append", audio=b64(bytes(32000)))
    kinds = types(send(s, type="input_audio_buffer.commit"))
    assert "conversation.item.input_audio_transcription.failed" in kinds
    assert "response.created" not in kinds


def test_clear_drops_uncommitted_audio(speech_en):
    """clear → cleared, and a following commit has nothing to commit."""
    s = _manual()
    stream(s, speech_en, end_ms=1000)
    assert types(send(s, type="input_audio_buffer.clear")) == ["input_audio_buffer.cleared"]
    assert send(s, type="input_audio_buffer.commit")[0]["type"] == "error"


def test_commit_in_vad_mode_is_rejected():
    """commit is a manual-mode event; in VAD mode it is an invalid_request_error."""
    [error] = send(new_session(), type="input_audio_buffer.commit")
    assert error["error"]["code"] == "invalid_state"


def test_eight_khz_audio_is_timed_by_its_own_rate(speech_en_8k):
    """At sample_rate 8000 the reported offsets are still true milliseconds."""
    s = new_session()
    send(s, type="session.update", session={"sample_rate": 8000})
    starts = [
        e for e in stream(s, speech_en_8k) if e["type"] == "input_audio_buffer.speech_started"
    ]
    assert abs(starts[1]["audio_start_ms"] - (speech_en_8k.segments[1]["start_ms"])) <= 200


def test_finish_completes_pending_speech_then_finishes(speech_en):
    """session.finish during speech closes the segment, translates it, then session.finished."""
    s = new_session()
    stream(s, speech_en, end_ms=speech_en.segments[0]["end_ms"])
    kinds = types(send(s, type="session.finish"))
    assert kinds[0] == "input_audio_buffer.speech_stopped"
    assert "response.done" in kinds and kinds[-1] == "session.finished"
    assert s.finished


def test_finish_without_speech_finishes_at_once():
    """No speech pending → session.finished immediately."""
    s = new_session()
    assert types(send(s, type="session.finish")) == ["session.finished"]


def test_nothing_is_answered_after_finished():
    """Events after session.finished are ignored (the connection is closing)."""
    s = new_session()
    send(s, type="session.finish")
    assert send(s, type="session.update", session={}) == []


def test_image_before_audio_is_rejected():
    """An image before the first audio append → error (docs/protocol/events.md §1.9)."""
    [error] = send(new_session(), type="input_image_buffer.append", image=b64(tiny_jpeg(640, 480)))
    assert error["error"]["message"] == "Error append image before append audio."


@pytest.mark.parametrize(
    "image,reason",
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "JPG"),
        (tiny_jpeg(3840, 2160), "1080p"),
        (tiny_jpeg(640, 480) + bytes(600 * 1024), "too large"),
    ],
)
def test_broken_images_are_rejected(image, reason):
    """Non-JPEG, over-1080p and over-500KB images each get an invalid_request_error."""
    s = new_session()
    send(s, type="input_audio_buffer.append", audio=b64(bytes(3200)))
    [error] = send(s, type="input_image_buffer.append", image=b64(image))
    assert reason in error["error"]["message"] and error["error"]["param"] == "image"


def test_more_than_two_images_per_second_of_audio_is_rejected():
    """The third image within one second of audio is refused; after another second it is fine."""
    s = new_session()
    send(s, type="input_audio_buffer.append", audio=b64(bytes(3200)))
    image = b64(tiny_jpeg(640, 480))
    assert send(s, type="input_image_buffer.append", image=image) == []
    assert send(s, type="input_image_buffer.append", image=image) == []
    assert (
        send(s, type="input_image_buffer.append", image=image)[0]["error"]["code"]
        == "rate_limit_exceeded"
    )
    send(s, type="input_audio_buffer.append", audio=b64(bytes(32000)))
    assert send(s, type="input_image_buffer.append", image=image) == []


def test_images_are_billed_with_the_next_response(speech_en):
    """Accepted images add 0.5 token per 28x28 tile to that response's input usage."""
    s = _manual()
    stream(s, speech_en, end_ms=speech_en.gap_middle_ms)
    send(s, type="input_image_buffer.append", image=b64(tiny_jpeg(280, 280)))
    done = next(
        e for e in send(s, type="input_audio_buffer.commit") if e["type"] == "response.done"
    )
    assert done["response"]["usage"]["input_tokens_details"]["image_tokens"] == 50


@pytest.mark.parametrize(
    "event,code",
    [
        ({"audio": "not base64!"}, "invalid_value"),
        ({}, "missing_required_parameter"),
    ],
)
def test_bad_audio_append_is_an_error(event, code):
    """Bad or missing base64 audio → error naming `audio`; the session goes on."""
    s = new_session()
    [error] = send(s, type="input_audio_buffer.append", **event)
    assert error["error"]["code"] == code and error["error"]["param"] == "audio"


@pytest.mark.parametrize(
    "frame,code",
    [
        ("{not json", "invalid_json"),
        ("[1, 2]", "invalid_event"),
        ('{"event_id": "e1"}', "missing_required_parameter"),
        ('{"type": "response.create"}', "invalid_value"),
    ],
)
def test_malformed_frames_get_an_error_and_the_session_goes_on(frame, code):
    """Each malformed frame gets an error event; a following session.update still succeeds."""
    s = new_session()
    s.receive_text(frame)
    [error] = s.events_to_send()
    assert error["type"] == "error" and error["error"]["code"] == code
    assert types(send(s, type="session.update", session={})) == ["session.updated"]


def test_binary_frame_is_an_error():
    """Binary frames are not part of the protocol: error, and the session goes on."""
    s = new_session()
    s.receive_binary(b"\x00\x01")
    assert s.events_to_send()[0]["error"]["code"] == "invalid_frame"


def test_server_event_ids_have_documented_shape():
    """Server event ids are event_ + 21 base62 characters."""
    [event] = send(new_session(), type="session.update", session={})
    assert event["event_id"].startswith("event_") and len(event["event_id"]) == 27


def test_qwen35_transcription_is_on_by_default_and_reports_emotion(speech_en):
    """qwen3.5 defaults turn source transcription on; its events carry `emotion`."""
    s = new_session(LIVETRANSLATE_35)
    completed = [e for e in stream(s, speech_en) if e["type"].endswith("transcription.completed")]
    assert len(completed) == 2 and all("emotion" in e for e in completed)


def test_same_language_skip_suppresses_the_response(speech_en):
    """skip_text+skip_audio with source == target (en) produces no response for the segment."""
    s = new_session()
    send(
        s,
        type="session.update",
        session={
            "input_audio_transcription": {"model": "qwen3-asr-flash-realtime", "language": "en"},
            "translation": {
                "language": "en",
                "same_language_skip_options": {"skip_text": True, "skip_audio": True},
            },
        },
    )
    kinds = types(stream(s, speech_en))
    assert kinds.count("conversation.item.input_audio_transcription.completed") == 2
    assert "response.created" not in kinds


def test_opus_input_is_decoded(tmp_path, speech_en):
    """opus input: an Ogg Opus stream sent in pieces is decoded and drives VAD like PCM."""
    import soundfile

    path = tmp_path / "speech.opus"
    soundfile.write(path, speech_en.pcm, speech_en.sample_rate, format="OGG", subtype="OPUS")
    data = path.read_bytes()
    s = new_session(LIVETRANSLATE_35)
    send(s, type="session.update", session={"input_audio_format": "opus"})
    events = []
    for i in range(0, len(data), 2000):
        events += send(s, type="input_audio_buffer.append", audio=b64(data[i : i + 2000]))
    starts = [e for e in events if e["type"] == "input_audio_buffer.speech_started"]
    assert len(starts) == 2
    assert abs(starts[0]["audio_start_ms"] - (speech_en.segments[0]["start_ms"])) <= 200


def test_a_list_where_a_format_string_belongs_is_an_error():
    """session.update with input_audio_format as a list: invalid_value on that field, no crash."""
    [error] = send(new_session(), type="session.update", session={"input_audio_format": ["pcm"]})
    assert error["error"]["param"] == "session.input_audio_format"


def test_a_qwen35_format_error_lists_the_documented_formats_first():
    """qwen3.5 input_audio_format "wav": 'pcm', 'opus' as documented, then the legacy pcm16 it takes."""
    s = new_session(LIVETRANSLATE_35)
    [error] = send(s, type="session.update", session={"input_audio_format": "wav"})
    assert error["error"]["message"] == (
        "Invalid value: 'wav'. Supported values are: 'pcm', 'opus', 'pcm16'."
    )


def test_qwen35_speech_events_carry_only_the_times_of_the_examples(speech_en):
    """qwen3.5 speech_started / speech_stopped: audio_start_ms / audio_end_ms, no item_id, as
    the examples show (input_audio_buffer.speech_started.json, .speech_stopped.json)."""
    events = stream(new_session(LIVETRANSLATE_35), speech_en)
    started = next(e for e in events if e["type"] == "input_audio_buffer.speech_started")
    stopped = next(e for e in events if e["type"] == "input_audio_buffer.speech_stopped")
    assert set(started) == {"event_id", "type", "audio_start_ms"}
    assert set(stopped) == {"event_id", "type", "audio_end_ms"}


def test_qwen35_starts_with_the_documented_default_voice():
    """qwen3.5 session.created: voice Tina, the voice list's default (the examples show Cherry)."""
    s = open_strict(LIVETRANSLATE_35)
    created = s.events_to_send()[0]
    assert created["session"]["voice"] == "Tina"


def test_qwen35_can_start_with_the_voice_of_its_examples():
    """livetranslate_default_voice=examples: session.created shows Cherry, as every example does."""
    s = open_strict(
        LIVETRANSLATE_35, behaviour=Behaviour(livetranslate_default_voice=DefaultVoice.EXAMPLES)
    )
    created = s.events_to_send()[0]
    assert created["session"]["voice"] == "Cherry"


def test_an_audio_rate_error_lists_the_rates_in_documented_order():
    """session.audio input at 44.1 kHz: the qwen3.5 rates as documented, 8000 then 16000."""
    s = new_session(LIVETRANSLATE_35)
    update = {"audio": {"input": {"format": {"type": "pcm", "sample_rate": 44100}}}}
    [error] = send(s, type="session.update", session=update)
    assert error["error"]["message"].endswith("Supported values are: '8000', '16000'.")
