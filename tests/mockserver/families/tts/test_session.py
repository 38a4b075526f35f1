"""The TTS session core: both modes, commit, clear, cancel, finish, errors (docs/protocol/tts.md §3, §6)."""

from __future__ import annotations

import pytest

from dashscope_realtime_mock.families.tts.segments import SEGMENT_CHARS
from dashscope_realtime_mock.protocol.behaviour import (
    Behaviour,
    TtsResponseOrder,
    TtsSegmentation,
    TtsSegmentedCommit,
    TtsUpdateUntil,
    TtsWavStream,
)
from tests.mockserver.families.tts.support import (
    FLASH,
    QWEN_TTS,
    VOICE_DESIGN,
    audio_bytes,
    kinds,
    tts_session,
)
from tests.support import send

RESPONSE = [
    "response.created",
    "response.output_item.added",
    "response.content_part.added",
    "response.audio.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.done",
]


def test_connect_sends_session_created_only():
    """A TTS session opens with session.created and nothing else (§6.1)."""
    from dashscope_realtime_mock.families import open_session

    session = open_session(FLASH)
    assert [e["type"] for e in session.events_to_send()] == ["session.created"]


def test_session_created_shows_the_documented_defaults():
    """session.created: server_commit, Cherry, pcm, 24000, in the documented key order (§4.2)."""
    from dashscope_realtime_mock.families import open_session

    created = open_session(QWEN_TTS).events_to_send()[0]["session"]
    assert list(created) == [
        "object",
        "mode",
        "model",
        "voice",
        "response_format",
        "sample_rate",
        "id",
    ]
    assert (
        created["mode"],
        created["voice"],
        created["response_format"],
        created["sample_rate"],
    ) == (
        "server_commit",
        "Cherry",
        "pcm",
        24000,
    )


def test_server_commit_speaks_each_completed_sentence():
    """server_commit: a response starts when a sentence completes; the rest waits (§6.2)."""
    session = tts_session()
    assert send(session, type="input_text_buffer.append", text="Hello there") == []
    events = send(session, type="input_text_buffer.append", text=". And then")
    assert kinds(events) == RESPONSE
    assert session.buffered_text == " And then"


def test_server_commit_finish_speaks_the_rest():
    """session.finish speaks what is buffered, then session.finished (§6.5)."""
    session = tts_session()
    send(session, type="input_text_buffer.append", text="no sentence end yet")
    events = send(session, type="session.finish")
    assert kinds(events) == [*RESPONSE, "session.finished"]


def test_flush_segmentation_waits_for_finish():
    """Behaviour.tts_segmentation=flush: nothing is spoken before commit or finish."""
    session = tts_session(behaviour=Behaviour(tts_segmentation=TtsSegmentation.FLUSH))
    assert send(session, type="input_text_buffer.append", text="One. Two. Three.") == []
    assert kinds(send(session, type="session.finish")) == [*RESPONSE, "session.finished"]


def test_commit_mode_waits_for_the_commit():
    """commit mode: appends are silent; the commit answers committed then one response (§6.3)."""
    session = tts_session()
    send(session, type="session.update", session={"mode": "commit"})
    assert send(session, type="input_text_buffer.append", text="First. Second.") == []
    events = send(session, type="input_text_buffer.commit")
    assert kinds(events) == ["input_text_buffer.committed", *RESPONSE]
    assert events[0]["item_id"] == ""


def test_commit_in_server_commit_mode_speaks_at_once():
    """A commit in server_commit mode speaks the partial sentence now (§3)."""
    session = tts_session()
    send(session, type="input_text_buffer.append", text="half a sentence")
    assert kinds(send(session, type="input_text_buffer.commit")) == [
        "input_text_buffer.committed",
        *RESPONSE,
    ]


def test_empty_commit_is_an_error():
    """Committing an empty buffer answers an error and nothing else (§3)."""
    session = tts_session()
    events = send(session, type="input_text_buffer.commit")
    assert kinds(events) == ["error"]
    assert events[0]["error"] == {
        "code": "input_text_buffer_commit_empty",
        "message": "Error committing input text buffer: the buffer is empty.",
    }


def test_commit_after_segmentation_spoke_the_text_is_committed():
    """server_commit: a commit right after an append whose sentences were all spoken answers
    committed, no error and no second response (Behaviour.tts_commit_after_segmentation)."""
    session = tts_session()
    spoken = send(session, type="input_text_buffer.append", text="One sentence. Another one.")
    assert kinds(spoken) == RESPONSE
    assert kinds(send(session, type="input_text_buffer.commit")) == ["input_text_buffer.committed"]


def test_commit_after_segmentation_can_be_the_empty_buffer_error():
    """tts_commit_after_segmentation=error: that commit gets the empty-buffer error."""
    behaviour = Behaviour(tts_commit_after_segmentation=TtsSegmentedCommit.ERROR)
    session = tts_session(behaviour=behaviour)
    send(session, type="input_text_buffer.append", text="One sentence.")
    events = send(session, type="input_text_buffer.commit")
    assert kinds(events) == ["error"]
    assert events[0]["error"]["code"] == "input_text_buffer_commit_empty"


def test_second_commit_with_nothing_appended_is_an_error():
    """Only text appended since the last commit counts: a second commit has an empty buffer."""
    session = tts_session()
    send(session, type="input_text_buffer.append", text="One sentence.")
    send(session, type="input_text_buffer.commit")
    events = send(session, type="input_text_buffer.commit")
    assert kinds(events) == ["error"]
    assert events[0]["error"]["code"] == "input_text_buffer_commit_empty"


def test_clear_in_commit_mode_drops_the_text():
    """clear in commit mode: cleared, and a later finish has nothing to speak (§3)."""
    session = tts_session()
    send(session, type="session.update", session={"mode": "commit"})
    send(session, type="input_text_buffer.append", text="never spoken")
    assert kinds(send(session, type="input_text_buffer.clear")) == ["input_text_buffer.cleared"]
    assert kinds(send(session, type="session.finish")) == ["session.finished"]


def test_clear_in_server_commit_mode_is_the_documented_error():
    """clear in server_commit: `only client commit mode supports clear operation` (§9)."""
    session = tts_session()
    events = send(session, type="input_text_buffer.clear")
    assert events[0]["error"]["message"] == "only client commit mode supports clear operation"


def test_update_after_the_first_append_is_refused():
    """session.update after text arrived: the documented error; the config stays (§4.3)."""
    session = tts_session()
    send(session, type="input_text_buffer.append", text="hi")
    events = send(session, type="session.update", session={"voice": "Ethan"})
    assert events[0]["error"] == {
        "code": "invalid_value",
        "message": "Session update error: session already started or finished or failed.",
    }
    assert session.config["voice"] == "Cherry"


def test_update_until_once_refuses_the_second_update():
    """Behaviour.tts_update_until=once: the second session.update is refused."""
    session = tts_session(behaviour=Behaviour(tts_update_until=TtsUpdateUntil.ONCE))
    assert kinds(send(session, type="session.update", session={"voice": "Ethan"})) == [
        "session.updated"
    ]
    assert kinds(send(session, type="session.update", session={"voice": "Ryan"})) == ["error"]


def test_error_type_is_added_on_request():
    """Behaviour.tts_error_type adds error.type as the other families send it."""
    session = tts_session(behaviour=Behaviour(tts_error_type=True))
    error = send(session, type="input_text_buffer.commit")[0]["error"]
    assert error["type"] == "invalid_request_error"


def test_unknown_event_type_is_an_invalid_message_type():
    """An event type TTS does not have: `Invalid message type` (§9)."""
    session = tts_session()
    events = send(session, type="input_audio_buffer.append", audio="AAAA")
    assert events[0]["error"]["message"] == "Invalid message type"


def test_documented_response_order_is_selectable():
    """Behaviour.tts_response_order=documented ends parts and item before audio.done (§6.4)."""
    session = tts_session(behaviour=Behaviour(tts_response_order=TtsResponseOrder.DOCUMENTED))
    events = send(session, type="input_text_buffer.append", text="Hi there.")
    assert kinds(events)[3:6] == [
        "response.content_part.done",
        "response.output_item.done",
        "response.audio.done",
    ]


def test_cancel_with_nothing_in_progress_is_an_error():
    """response.cancel with no response in progress answers an error (§3)."""
    session = tts_session()
    assert kinds(send(session, type="response.cancel")) == ["error"]


def test_cancel_cuts_the_unsent_audio():
    """response.cancel mid-response: no more deltas, the response ends cancelled (§3)."""
    session = tts_session()
    session.receive_event(
        {"type": "input_text_buffer.append", "text": "A rather long sentence to speak."}
    )
    sent = [e for _ in range(5) if (e := session.next_event())]  # created, item, part, 2 deltas
    assert len(sent) == 5
    session.receive_event({"type": "response.cancel"})
    rest = session.events_to_send()
    assert kinds(rest) == RESPONSE[3:]
    assert audio_bytes(rest) == b""
    assert len(audio_bytes(sent)) > 0
    done = rest[-1]["response"]
    assert done["status"] == "cancelled" and done["output"][0]["status"] == "incomplete"


def test_appends_after_finish_are_ignored():
    """Nothing follows session.finished, whatever the client sends after session.finish."""
    session = tts_session()
    send(session, type="session.finish")
    assert send(session, type="input_text_buffer.append", text="late.") == []


def test_text_buffer_is_bounded():
    """An append past Behaviour.tts_text_buffer_cap_chars is refused; what was buffered stays."""
    session = tts_session(behaviour=Behaviour(tts_text_buffer_cap_chars=50))
    send(session, type="session.update", session={"mode": "commit"})
    send(session, type="input_text_buffer.append", text="x" * 40)
    events = send(session, type="input_text_buffer.append", text="y" * 20)
    assert kinds(events) == ["error"] and session.buffered_text == "x" * 40


def test_long_text_without_sentence_ends_is_spoken_in_pieces():
    """server_commit: text past SEGMENT_CHARS without a sentence end is cut at a space."""
    session = tts_session()
    events = send(session, type="input_text_buffer.append", text="word " * (SEGMENT_CHARS // 4))
    assert kinds(events).count("response.done") == 1
    assert len(session.buffered_text) <= SEGMENT_CHARS


def test_voice_design_model_refuses_a_system_voice():
    """A VD model speaks only custom voices; a system voice is refused (§7.4)."""
    session = tts_session(VOICE_DESIGN)
    events = send(session, type="session.update", session={"voice": "Cherry"})
    assert events[0]["error"]["message"] == "Voice 'Cherry' is not supported."


def test_voice_design_default_voice_is_refused_when_speaking():
    """A VD session left on the default voice gets the voice error when text is to be spoken."""
    session = tts_session(VOICE_DESIGN)
    events = send(session, type="input_text_buffer.append", text="Hello.")
    assert kinds(events) == ["error"]


def test_qwen_tts_realtime_takes_pcm_at_24k_only():
    """qwen-tts-realtime refuses mp3 and 16 kHz, listing what it takes (§1)."""
    session = tts_session(QWEN_TTS)
    events = send(session, type="session.update", session={"response_format": "mp3"})
    assert events[0]["error"]["message"] == "Invalid value: 'mp3'. Supported values are: 'pcm'."
    events = send(session, type="session.update", session={"sample_rate": 16000})
    assert "'24000'" in events[0]["error"]["message"]


def test_qwen_tts_realtime_ignores_tuning_fields():
    """volume, speech_rate, pitch_rate are accepted and ignored on qwen-tts-realtime (§4.1)."""
    session = tts_session(QWEN_TTS)
    events = send(session, type="session.update", session={"volume": 90, "speech_rate": 2.0})
    assert kinds(events) == ["session.updated"]
    assert session.config["speech_rate"] == 1.0


def test_usage_counts_characters_on_qwen3_models():
    """Qwen3-TTS usage: characters, a Chinese character counting 2 (§5)."""
    session = tts_session()
    events = send(session, type="input_text_buffer.append", text="您好，Hi.")
    assert events[-1]["response"]["usage"] == {"characters": 2 * 2 + 1 + 3}


def test_usage_counts_tokens_on_qwen_tts_realtime():
    """qwen-tts-realtime usage: 50 audio tokens a second of audio, at least 50 (§5)."""
    session = tts_session(QWEN_TTS)
    events = send(session, type="input_text_buffer.append", text="Hi.")
    usage = events[-1]["response"]["usage"]
    seconds = len(audio_bytes(events)) / 2 / 24000
    assert usage["output_tokens_details"]["audio_tokens"] == max(50, int(seconds * 50))
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]


@pytest.mark.parametrize("seed", [1, 2])
def test_same_input_gives_the_same_audio(seed):
    """Fast pace rule: the same text and settings give the same bytes, whatever the ids."""
    events = send(tts_session(seed=seed), type="input_text_buffer.append", text="Same words.")
    reference = send(tts_session(seed=3), type="input_text_buffer.append", text="Same words.")
    assert audio_bytes(events) == audio_bytes(reference)


@pytest.mark.parametrize(("choice", "sizes"), [("streamed", "unknown"), ("whole", "exact")])
def test_tts_wav_stream_chooses_the_wav_header(choice, sizes):
    """Behaviour tts_wav_stream: a wav response's header has unknown sizes ("streamed", the
    default) or the exact ones of the whole file ("whole")."""
    session = tts_session(behaviour=Behaviour(tts_wav_stream=TtsWavStream(choice)))
    send(session, type="session.update", session={"response_format": "wav"})
    events = send(session, type="input_text_buffer.append", text="Hello there.")
    data = audio_bytes(events)
    assert data[:4] == b"RIFF"
    riff_size = int.from_bytes(data[4:8], "little")
    assert riff_size == {"unknown": 0xFFFFFFFF, "exact": len(data) - 8}[sizes]
