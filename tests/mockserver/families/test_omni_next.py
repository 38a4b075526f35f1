"""The next Omni models (docs/protocol/omni-next.md): what qwen3.5 / qwen3.8 do differently."""

from __future__ import annotations

import numpy as np
import pytest

from dashscope_realtime_mock.families import lookup
from dashscope_realtime_mock.protocol.behaviour import (
    Behaviour,
    EmptyConversation,
    Scoped,
    VoiceCheck,
)
from dashscope_realtime_mock.session.base import Session
from dashscope_realtime_mock.session.listening import ListeningSession
from tests.support import (
    OMNI,
    OMNI_35_FLASH,
    OMNI_35_PLUS,
    OMNI_38_FLASH,
    OMNI_NEXT,
    b64,
    new_session,
    send,
    stream,
    tiny_jpeg,
    types,
)

USER_TEXT = {
    "type": "message",
    "role": "user",
    "content": [{"type": "input_text", "text": "Hello there."}],
}


def _update(model: str, **session) -> list[dict]:
    return send(new_session(model), type="session.update", session=session)


def _error(events: list[dict]) -> dict:
    [event] = [e for e in events if e["type"] == "error"]
    error: dict = event["error"]
    return error


@pytest.mark.parametrize(
    ("model", "snapshot"),
    [
        (OMNI_35_PLUS, "qwen3.5-omni-plus-realtime-2026-03-15"),
        (OMNI_35_FLASH, "qwen3.5-omni-flash-realtime-2026-03-15"),
    ],
)
def test_a_snapshot_is_served_as_its_model(model, snapshot):
    """§1: the dated id opens the same model, and session.created echoes the id asked for."""
    found = lookup(snapshot)
    assert found is not None and found.spec.model_id == model
    created = new_session(snapshot).config
    assert created["voice"] == "Tina"


@pytest.mark.parametrize(
    ("model", "sampling"),
    [
        (
            OMNI_35_PLUS,
            {
                "temperature": 0.7,
                "top_p": 0.8,
                "top_k": 20,
                "repetition_penalty": 1.0,
                "presence_penalty": 1.5,
            },
        ),
        (
            OMNI_38_FLASH,
            {
                "temperature": 0.6,
                "top_p": 0.95,
                "top_k": 20,
                "repetition_penalty": 0,
                "presence_penalty": 1,
            },
        ),
    ],
)
def test_the_session_echoes_the_documented_defaults(model, sampling):
    """§2: voice Tina, the model's sampling defaults, no smooth_output."""
    [updated] = _update(model, instructions="Be brief.")
    session = updated["session"]
    assert session["voice"] == "Tina"
    assert {k: session[k] for k in sampling} == sampling
    assert "smooth_output" not in session


def test_qwen38_takes_up_to_65536_output_tokens():
    """§2: qwen3.8's max_tokens range is [1, 65536]; qwen3.5 keeps the 16384 ceiling."""
    assert _update(OMNI_38_FLASH, max_tokens=65536)[0]["session"]["max_tokens"] == 65536
    assert _error(_update(OMNI_35_FLASH, max_tokens=65536))["param"] == "session.max_tokens"


def test_repetition_penalty_zero_is_a_qwen38_value():
    """§2: qwen3.8 accepts repetition_penalty 0; the other Omni models need > 0."""
    assert _update(OMNI_38_FLASH, repetition_penalty=0)[0]["type"] == "session.updated"
    for model in (OMNI_35_PLUS, OMNI):
        assert _error(_update(model, repetition_penalty=0))["param"] == "session.repetition_penalty"


def test_a_bare_response_create_is_refused_on_an_empty_conversation():
    """§6.2: no user message yet → InvalidParameter 'role of user', and no response."""
    events = send(new_session(OMNI_35_FLASH), type="response.create")
    assert types(events) == ["error"]
    error = _error(events)
    assert error["code"] == "InvalidParameter"
    assert error["message"] == (
        "InternalError.Algo.InvalidParameter: The input messages do not contain elements "
        "with the role of user"
    )


def test_a_user_text_item_makes_response_create_answer():
    """§6.2 / §8: the agentduet greeting workaround: a user input_text item, then response.create."""
    session = new_session(OMNI_35_FLASH)
    assert types(send(session, type="conversation.item.create", item=USER_TEXT)) == [
        "conversation.item.created"
    ]
    events = send(session, type="response.create")
    assert "error" not in types(events) and types(events)[0] == "response.created"


def test_an_empty_conversation_is_answered_when_the_behaviour_says_so():
    """Behaviour.next_omni_empty_conversation=answer: the qwen3 answer to a bare response.create."""
    session = new_session(
        OMNI_35_FLASH, behaviour=Behaviour(next_omni_empty_conversation=EmptyConversation.ANSWER)
    )
    assert types(send(session, type="response.create"))[0] == "response.created"


def test_session_finish_is_an_invalid_event_type():
    """§6.1: session.finish is answered with an error and the session stays open."""
    session = new_session(OMNI_38_FLASH)
    error = _error(send(session, type="session.finish"))
    assert (error["code"], error["param"]) == ("invalid_value", "type")
    assert not session.finished


def test_session_finish_is_accepted_when_the_behaviour_says_so():
    """Behaviour.omni_session_finish accept for the model: session.finished, as on qwen3-omni-flash."""
    behaviour = Behaviour().with_assignments([f"omni_session_finish={OMNI_35_PLUS}:accept"])
    session = new_session(OMNI_35_PLUS, behaviour=behaviour)
    assert types(send(session, type="session.finish")) == ["session.finished"]


def test_a_foreign_voice_is_refused_when_the_response_is_made():
    """§4: session.update takes 'Cherry'; the response it would speak in is refused."""
    session = new_session(OMNI_35_FLASH)
    assert send(session, type="session.update", session={"voice": "Cherry"})[0]["type"] == (
        "session.updated"
    )
    send(session, type="conversation.item.create", item=USER_TEXT)
    events = send(session, type="response.create")
    assert types(events) == ["error"]
    assert _error(events)["message"] == (
        "InternalError.Algo.InvalidParameter: Voice 'Cherry' is not supported."
    )


def test_a_foreign_voice_is_refused_at_update_when_the_behaviour_says_so():
    """Behaviour.next_omni_voice_check=at_update: the update itself is refused."""
    session = new_session(
        OMNI_38_FLASH, behaviour=Behaviour(next_omni_voice_check=VoiceCheck.AT_UPDATE)
    )
    error = _error(send(session, type="session.update", session={"voice": "Ethan"}))
    assert error["param"] == "session.voice"


def test_qwen38_has_its_own_voices():
    """§4: qwen3.8 adds longanlingxin and drops Ethan; qwen3.5 the other way round."""
    assert "longanlingxin" in lookup(OMNI_38_FLASH).spec.voices  # type: ignore[union-attr]
    assert "Ethan" not in lookup(OMNI_38_FLASH).spec.voices  # type: ignore[union-attr]
    assert "Ethan" in lookup(OMNI_35_PLUS).spec.voices  # type: ignore[union-attr]


def test_the_nested_output_voice_wins_over_voice():
    """§3: with both `voice` and `audio.output.voice` set, the nested one applies."""
    [updated] = _update(OMNI_38_FLASH, voice="Cindy", audio={"output": {"voice": "longanlingxin"}})
    assert updated["session"]["voice"] == "longanlingxin"


def test_legacy_transcription_model_is_taken_as_the_one_model():
    """§3: gummy-realtime-v1 (sent by clients) becomes qwen3-asr-flash-realtime."""
    [updated] = _update(OMNI_35_PLUS, input_audio_transcription={"model": "gummy-realtime-v1"})
    assert updated["session"]["input_audio_transcription"] == {"model": "qwen3-asr-flash-realtime"}


def test_legacy_transcription_model_is_refused_when_the_behaviour_says_so():
    """Behaviour.next_omni_normalise_transcription=false: the value is refused."""
    session = new_session(
        OMNI_35_PLUS, behaviour=Behaviour(next_omni_normalise_transcription=False)
    )
    error = _error(
        send(
            session,
            type="session.update",
            session={"input_audio_transcription": {"model": "gummy-realtime-v1"}},
        )
    )
    assert error["param"] == "session.input_audio_transcription.model"


@pytest.mark.parametrize("model", OMNI_NEXT)
def test_semantic_vad_is_a_turn_detection_type(model):
    """§5: semantic_vad is accepted (with the threshold clients send) and echoed."""
    [updated] = _update(model, turn_detection={"type": "semantic_vad", "threshold": 0.68})
    vad = updated["session"]["turn_detection"]
    assert (vad["type"], vad["threshold"]) == ("semantic_vad", 0.68)


def test_semantic_vad_is_refused_on_qwen3():
    """§5: semantic_vad belongs to the next models."""
    error = _error(_update(OMNI, turn_detection={"type": "semantic_vad"}))
    assert error["param"] == "session.turn_detection.type"


def test_idle_timeout_is_qwen35_server_vad_only():
    """§5: idle_timeout_ms is echoed on qwen3.5 with server_vad, refused on qwen3.8."""
    [updated] = _update(
        OMNI_35_FLASH, turn_detection={"type": "server_vad", "idle_timeout_ms": 8000}
    )
    assert updated["session"]["turn_detection"]["idle_timeout_ms"] == 8000
    error = _error(_update(OMNI_38_FLASH, turn_detection={"idle_timeout_ms": 8000}))
    assert error["param"] == "session.turn_detection.idle_timeout_ms"


def test_multichannel_input_is_echoed_in_full():
    """§3: qwen3.8 takes 2-channel raw_mic_array input and echoes every field of it."""
    fmt = {"type": "pcm", "sample_rate": 16000, "channels": 2, "channel_layout": "raw_mic_array"}
    [updated] = _update(OMNI_38_FLASH, audio={"input": {"format": fmt}})
    echoed = updated["session"]["audio"]["input"]["format"]
    assert echoed == {**fmt, "sample_format": "s16le", "packing": "interleaved"}


@pytest.mark.parametrize(
    ("fmt", "param"),
    [
        (
            {"channels": 2, "channel_layout": "foa_ambix"},
            "session.audio.input.format.channel_layout",
        ),
        ({"channels": 3}, "session.audio.input.format.channels"),
        ({"channels": 4, "sample_rate": 24000}, "session.audio.input.format"),
        ({"channels": None}, "session.audio.input.format.channels"),
    ],
)
def test_bad_multichannel_settings_are_refused(fmt, param):
    """§3: layout must match channels, 16 kHz PCM only, null is not omission."""
    assert _error(_update(OMNI_38_FLASH, audio={"input": {"format": fmt}}))["param"] == param


def test_multichannel_is_qwen38_only():
    """§3: qwen3.5 takes no channels."""
    error = _error(_update(OMNI_35_PLUS, audio={"input": {"format": {"channels": 2}}}))
    assert error["param"] == "session.audio.input.format.channels"


def test_stereo_audio_is_heard_as_one_voice(speech_en):
    """§3: interleaved 2-channel input is mixed to mono: the utterance is detected as in mono."""
    session = new_session(OMNI_38_FLASH)
    fmt = {"type": "pcm", "sample_rate": 16000, "channels": 2, "channel_layout": "raw_mic_array"}
    send(session, type="session.update", session={"audio": {"input": {"format": fmt}}})
    events = []
    for chunk in speech_en.chunks(100, end_ms=speech_en.gap_middle_ms):
        mono = np.frombuffer(chunk, dtype="<i2")
        stereo = np.repeat(mono, 2).astype("<i2").tobytes()
        events += send(session, type="input_audio_buffer.append", audio=b64(stereo))
    assert "input_audio_buffer.speech_stopped" in types(events)
    assert isinstance(session, ListeningSession)
    assert session.audio_ms == pytest.approx(speech_en.gap_middle_ms, abs=100)


def test_the_input_format_is_fixed_once_audio_came(speech_en):
    """§3: after the first audio, a change of input rate is refused; other fields still change."""
    session = new_session(OMNI_35_FLASH)
    stream(session, speech_en, end_ms=200)
    error = _error(
        send(
            session,
            type="session.update",
            session={"audio": {"input": {"format": {"sample_rate": 8000}}}},
        )
    )
    assert error["param"] == "session"
    assert send(session, type="session.update", session={"instructions": "Hi."})[0]["type"] == (
        "session.updated"
    )


def test_video_compaction_is_qwen38_only():
    """§7: representation_compact none/normal on qwen3.8, refused on qwen3.5."""
    [updated] = _update(OMNI_38_FLASH, video={"input": {"representation_compact": "normal"}})
    assert updated["session"]["video"] == {"input": {"representation_compact": "normal"}}
    assert _error(_update(OMNI_35_PLUS, video={"input": {}}))["param"] == "session.video"


def test_search_and_tools_cannot_be_on_together():
    """§2: enable_search is a qwen3.5/3.8 field, exclusive with tools."""
    assert _update(OMNI_35_PLUS, enable_search=True)[0]["session"]["enable_search"] is True
    tool = {"type": "function", "function": {"name": "f"}}
    error = _error(_update(OMNI_35_PLUS, enable_search=True, tools=[tool]))
    assert error["param"] == "session.enable_search"


def test_mcp_servers_are_echoed_without_their_secrets():
    """§2.1 / §9: server_url, authorization and headers are never echoed."""
    mcp = {
        "type": "mcp",
        "server_label": "maps",
        "server_url": "https://example.com/mcp",
        "authorization": "Bearer x",
        "headers": {"X-Team": "a"},
    }
    updated = _update(OMNI_38_FLASH, tools=[mcp])[0]
    assert updated["session"]["tools"] == [{"type": "mcp", "server_label": "maps"}]


@pytest.mark.parametrize(
    ("tool", "param"),
    [
        ({"server_label": "a b", "server_url": "https://e.com"}, "session.tools[0].server_label"),
        ({"server_label": "a", "server_url": "http://e.com"}, "session.tools[0].server_url"),
    ],
)
def test_bad_mcp_servers_are_refused(tool, param):
    """§9: label of letters, digits, _ and -; a public https URL."""
    assert _error(_update(OMNI_38_FLASH, tools=[{"type": "mcp", **tool}]))["param"] == param


def test_mcp_servers_are_qwen38_only():
    """§9: qwen3.5 takes function tools only."""
    tool = {"type": "mcp", "server_label": "a", "server_url": "https://e.com"}
    assert _error(_update(OMNI_35_FLASH, tools=[tool]))["code"] == "invalid_value"


def test_a_spoken_turn_is_answered_in_tina(speech_en):
    """A VAD turn on qwen3.5 completes: the user's item, then a response in the default voice."""
    session = new_session(OMNI_35_PLUS)
    events = stream(session, speech_en, end_ms=speech_en.gap_middle_ms)
    session.input_idle()
    events += session.events_to_send()
    assert "error" not in types(events)
    [done] = [e for e in events if e["type"] == "response.done"]
    assert done["response"]["status"] == "completed"
    assert done["response"]["voice"] == "Tina"


MCP_SERVER = {"type": "mcp", "server_label": "maps", "server_url": "https://example.com/mcp"}
MCP_CALL_START = [
    "response.created",
    "response.output_item.added",
    "response.mcp_call_arguments.delta",
    "response.mcp_call_arguments.done",
]
MCP_CALL_END = ["response.output_item.done", "response.done"]


def _mcp_session(behaviour: Behaviour | None = None, **server) -> tuple[Session, list[dict]]:
    """A qwen3.8 session with one MCP server; the events of its update."""
    session = new_session(OMNI_38_FLASH, behaviour=behaviour)
    events = send(session, type="session.update", session={"tools": [{**MCP_SERVER, **server}]})
    return session, events


def _ask(session: Session) -> list[dict]:
    send(session, type="conversation.item.create", item=USER_TEXT)
    return send(session, type="response.create")


def test_mcp_discovery_follows_session_updated():
    """§9: in_progress, the mcp_list_tools item with the tools, completed, after session.updated."""
    _, events = _mcp_session(allowed_tools=["geocode"])
    assert types(events) == [
        "session.updated",
        "mcp_list_tools.in_progress",
        "conversation.item.created",
        "mcp_list_tools.completed",
    ]
    item = events[2]["item"]
    assert (item["type"], item["server_label"]) == ("mcp_list_tools", "maps")
    assert [tool["name"] for tool in item["tools"]] == ["geocode"]
    assert events[1]["item_id"] == events[3]["item_id"] == item["id"]


def test_an_mcp_call_waits_for_approval_by_default():
    """§9: require_approval defaults to always: the call stops at an mcp_approval_request."""
    session, _ = _mcp_session()
    events = _ask(session)
    assert types(events) == [*MCP_CALL_START, "conversation.item.created"]
    request = events[-1]["item"]
    assert request["type"] == "mcp_approval_request" and request["name"] == "search"
    assert events[3]["arguments"] == '{"query": "Hello there."}'


def test_an_approved_mcp_call_runs_and_returns_its_output():
    """§9: approve → in_progress, completed, the final mcp_call item with its output, response.done."""
    session, _ = _mcp_session()
    request = _ask(session)[-1]["item"]
    events = send(
        session,
        type="conversation.item.create",
        item={
            "type": "mcp_approval_response",
            "approval_request_id": request["id"],
            "approve": True,
        },
    )
    assert types(events) == [
        "conversation.item.created",
        "response.mcp_call.in_progress",
        "response.mcp_call.completed",
        *MCP_CALL_END,
    ]
    item = events[-1]["response"]["output"][0]
    assert item["status"] == "completed"
    assert '"result": "ok"' in item["output"]


def test_a_refused_mcp_call_fails_without_running():
    """§9: approve false → response.mcp_call.failed directly, no in_progress."""
    session, _ = _mcp_session()
    request = _ask(session)[-1]["item"]
    events = send(
        session,
        type="conversation.item.create",
        item={
            "type": "mcp_approval_response",
            "approval_request_id": request["id"],
            "approve": False,
        },
    )
    assert types(events) == ["conversation.item.created", "response.mcp_call.failed", *MCP_CALL_END]
    assert events[-1]["response"]["output"][0]["status"] == "failed"


def test_an_accepted_session_finish_cancels_a_call_awaiting_approval():
    """omni_session_finish accept on qwen3.8: the call that waits for its approval ends failed
    and cancelled before session.finished, so no response is left open."""
    accept = Behaviour().with_assignments([f"omni_session_finish={OMNI_38_FLASH}:accept"])
    session, _ = _mcp_session(accept)
    _ask(session)
    events = send(session, type="session.finish")
    assert types(events) == ["response.mcp_call.failed", *MCP_CALL_END, "session.finished"]
    assert events[-2]["response"]["status"] == "cancelled"


def test_a_cancelled_mcp_call_sends_no_response_done_when_cancels_send_none():
    """cancel_sends_response_done=false: a response.cancel of the call waiting for approval
    closes its item and sends no response.done, as for any cancelled response."""
    session, _ = _mcp_session(Behaviour(cancel_sends_response_done=False))
    _ask(session)
    events = send(session, type="response.cancel")
    assert types(events) == ["response.mcp_call.failed", "response.output_item.done"]


def test_an_mcp_server_that_needs_no_approval_runs_at_once():
    """§9: require_approval never: the whole call in one response."""
    session, _ = _mcp_session(require_approval="never")
    events = _ask(session)
    assert types(events) == [
        *MCP_CALL_START,
        "response.mcp_call.in_progress",
        "response.mcp_call.completed",
        *MCP_CALL_END,
    ]


def test_response_create_after_an_mcp_call_answers_from_its_output():
    """§9: the client's plain response.create after the call brings the spoken answer."""
    session, _ = _mcp_session(require_approval="never")
    _ask(session)
    events = send(session, type="response.create")
    [done] = [e for e in events if e["type"] == "response.done"]
    assert done["response"]["output"][0]["type"] == "message"


def test_an_approval_for_no_pending_request_is_refused():
    """§8: approval_request_id must match a pending mcp_approval_request."""
    session, _ = _mcp_session()
    error = _error(
        send(
            session,
            type="conversation.item.create",
            item={"type": "mcp_approval_response", "approval_request_id": "x", "approve": True},
        )
    )
    assert error["param"] == "item.approval_request_id"


def test_cancel_ends_an_mcp_call_waiting_for_approval():
    """response.cancel while approval is pending: the call fails and the response is cancelled."""
    session, _ = _mcp_session()
    _ask(session)
    events = send(session, type="response.cancel")
    assert types(events) == ["response.mcp_call.failed", *MCP_CALL_END]
    assert events[-1]["response"]["status"] == "cancelled"


FLAT_TOOL = {"type": "function", "name": "get_time", "description": "Now.", "parameters": {}}


def test_a_flat_function_tool_is_taken_in_the_nested_shape():
    """§8: agentduet's flat tool is echoed in the documented nested shape."""
    updated = _update(OMNI_35_FLASH, tools=[FLAT_TOOL])[0]
    assert updated["session"]["tools"] == [
        {
            "type": "function",
            "function": {"name": "get_time", "description": "Now.", "parameters": {}},
        }
    ]


def test_a_flat_function_tool_is_refused_when_the_behaviour_says_so():
    """Behaviour.flat_function_tools=false: the missing `function` object is named."""
    session = new_session(OMNI_35_FLASH, behaviour=Behaviour(flat_function_tools=Scoped(False)))
    error = _error(send(session, type="session.update", session={"tools": [FLAT_TOOL]}))
    assert (error["code"], error["param"]) == (
        "missing_required_parameter",
        "session.tools[0].function",
    )


def test_idle_timeout_prompts_the_silent_user(speech_en):
    """§5: once the answer has played, idle_timeout_ms of silence brings a response unasked
    (on audio time: the prompt comes with the append that passes the deadline)."""
    session = new_session(OMNI_35_FLASH)
    assert isinstance(session, ListeningSession)
    vad = {"type": "server_vad", "idle_timeout_ms": 5000}
    send(session, type="session.update", session={"turn_detection": vad})
    timeline: list[tuple[int, dict]] = []
    for chunk in speech_en.chunks(100, end_ms=speech_en.gap_middle_ms):
        for event in send(session, type="input_audio_buffer.append", audio=b64(chunk)):
            timeline.append((session.audio_ms, event))
    while sum(e["type"] == "response.created" for _, e in timeline) < 2:
        for event in send(session, type="input_audio_buffer.append", audio=b64(bytes(3200))):
            timeline.append((session.audio_ms, event))
        assert session.audio_ms < 60_000, "no prompt within a minute of silence"
    [(first, answer), (prompt, _)] = [
        (ms, e["response"]["id"]) for ms, e in timeline if e["type"] == "response.created"
    ]
    spoken_ms = sum(
        len(e["delta"]) * 3 // 4 // 48  # base64 → bytes of 24 kHz PCM16 → ms
        for _, e in timeline
        if e["type"] == "response.audio.delta" and e["response_id"] == answer
    )
    assert first + spoken_ms + 5000 <= prompt <= first + spoken_ms + 5000 + 200
    between = [e["type"] for ms, e in timeline if first < ms <= prompt]
    assert "input_audio_buffer.speech_started" not in between


def _image_tokens(compact: str, speech) -> int:
    session = new_session(OMNI_38_FLASH)
    video = {"input": {"representation_compact": compact}}
    send(session, type="session.update", session={"turn_detection": None, "video": video})
    stream(session, speech, end_ms=1000)
    send(session, type="input_image_buffer.append", image=b64(tiny_jpeg(640, 480)))
    send(session, type="input_audio_buffer.commit")
    [done] = [e for e in send(session, type="response.create") if e["type"] == "response.done"]
    tokens: int = done["response"]["usage"]["input_tokens_details"]["image_tokens"]
    return tokens


def test_compact_video_costs_a_quarter(speech_en):
    """§7: representation_compact "normal" bills a frame at 1/4 of "none"."""
    assert _image_tokens("normal", speech_en) == _image_tokens("none", speech_en) // 4


def test_the_same_format_can_be_restated_after_audio(speech_en):
    """§3: an update naming the format already in use (the SDK's pcm16 is 16 kHz pcm) is taken."""
    session = new_session(OMNI_35_PLUS)
    stream(session, speech_en, end_ms=200)
    events = send(
        session,
        type="session.update",
        session={"input_audio_format": "pcm16", "instructions": "Hi."},
    )
    assert types(events) == ["session.updated"]


def _spoken_session(**behaviour) -> Session:
    session = new_session(OMNI_35_FLASH, behaviour=Behaviour(**behaviour))
    send(session, type="conversation.item.create", item=USER_TEXT)
    send(session, type="response.create")
    return session


def test_the_voice_is_fixed_once_the_session_has_spoken():
    """docs/protocol/events.md §1.6 [3p]: a voice change after audio output gets cannot_update_voice."""
    session = _spoken_session()
    error = _error(send(session, type="session.update", session={"voice": "Cindy"}))
    assert (error["code"], error["param"]) == ("cannot_update_voice", "session.voice")
    assert send(session, type="session.update", session={"voice": "Tina"})[0]["type"] == (
        "session.updated"
    )


def test_the_voice_changes_after_audio_when_the_behaviour_says_so():
    """Behaviour.next_omni_voice_fixed_after_audio=false: the change is taken."""
    session = _spoken_session(next_omni_voice_fixed_after_audio=False)
    updated = send(session, type="session.update", session={"voice": "Cindy"})[0]
    assert updated["session"]["voice"] == "Cindy"


@pytest.mark.parametrize(
    "url", ["https://localhost/mcp", "https://10.0.0.7/mcp", "https://tools.internal/mcp"]
)
def test_discovery_of_a_server_that_is_not_public_fails(url):
    """§9: a server_url must resolve to a public address: the item carries the error, no tools."""
    _, events = _mcp_session(server_url=url)
    assert types(events)[-1] == "mcp_list_tools.failed"
    item = events[2]["item"]
    assert item["tools"] == [] and "public address" in item["error"]["message"]
