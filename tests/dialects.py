"""The dialect table of docs/protocol/events.md §5 as a check: which event names and fields each family uses.

`assert_dialect(family, events)` fails on the first server event whose name or fields belong to
another family's dialect (e.g. a `delta` in a LiveTranslate stream, a `text`/`stash` stream in
Omni's answer, a response event in ASR).
"""

from __future__ import annotations

COMMON = {
    "error",
    "session.created",
    "session.updated",
    "session.finished",
    "input_audio_buffer.speech_started",
    "input_audio_buffer.speech_stopped",
    "input_audio_buffer.committed",
    "input_audio_buffer.cleared",
    "conversation.item.created",
    "conversation.item.input_audio_transcription.completed",
    "conversation.item.input_audio_transcription.failed",
}
RESPONSE_BLOCK = {
    "response.created",
    "response.output_item.added",
    "response.content_part.added",
    "response.content_part.done",
    "response.output_item.done",
    "response.done",
    "response.text.done",
    "response.audio_transcript.done",
    "response.audio.delta",
    "response.audio.done",
}

# family → (server event types it may send, the fields of its streams, committed fields, completed fields)
EVENT_TYPES = {
    "livetranslate": COMMON
    | RESPONSE_BLOCK
    | {
        "response.text.text",
        "response.audio_transcript.text",
        "conversation.item.input_audio_transcription.text",
    },
    "asr": COMMON | {"conversation.item.input_audio_transcription.text"},
    "omni": COMMON
    | RESPONSE_BLOCK
    | {
        "response.text.delta",
        "response.audio_transcript.delta",
        "conversation.item.input_audio_transcription.delta",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        # qwen3.8 MCP tools (docs/protocol/omni-next.md §9)
        "mcp_list_tools.in_progress",
        "mcp_list_tools.completed",
        "mcp_list_tools.failed",
        "response.mcp_call_arguments.delta",
        "response.mcp_call_arguments.done",
        "response.mcp_call.in_progress",
        "response.mcp_call.completed",
        "response.mcp_call.failed",
    },
    # docs/protocol/tts.md §5: text in, so no speech or transcript events; one audio part.
    "tts": {
        "error",
        "session.created",
        "session.updated",
        "session.finished",
        "input_text_buffer.committed",
        "input_text_buffer.cleared",
        "response.created",
        "response.output_item.added",
        "response.content_part.added",
        "response.audio.delta",
        "response.audio.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.done",
    },
}
STREAM_FIELDS = {  # assistant text streams (§5 rows 1-2)
    "livetranslate": {"text", "stash"},
    "omni": {"delta"},
}
USER_STREAM_FIELDS = {  # live user transcript (§5 row 4)
    "livetranslate": {"text", "stash", "language"},
    "asr": {"text", "stash", "language", "emotion"},
    "omni": {"text", "stash", "language", "emotion", "obfuscation"},
}
COMMITTED_FIELDS = {
    "livetranslate": set(),
    "asr": {"previous_item_id", "item_id"},
    "omni": {"item_id"},
}
COMPLETED_FIELDS = {  # final user transcript (§5 row 5), beyond item_id/content_index
    "livetranslate": {"transcript", "language"},
    "asr": {"transcript", "language", "emotion"},
    "omni": {"transcript"},
}
ENVELOPE = {"event_id", "type"}


def assert_dialect(family: str, events: list[dict]) -> None:
    """Every event in `events` uses `family`'s names and field shapes (docs/protocol/events.md §5)."""
    for event in events:
        kind = event["type"]
        assert kind in EVENT_TYPES[family], f"{family} never sends {kind}: {event}"
        fields = set(event) - ENVELOPE
        if kind in (
            "response.text.text",
            "response.audio_transcript.text",
            "response.text.delta",
            "response.audio_transcript.delta",
        ):
            stream = fields - {"response_id", "item_id", "output_index", "content_index"}
            assert stream == STREAM_FIELDS[family], f"{kind} fields {stream} in {family}"
        elif kind.startswith("conversation.item.input_audio_transcription.") and kind.rsplit(
            ".", 1
        )[1] in ("text", "delta"):
            user = fields - {"item_id", "content_index"}
            assert USER_STREAM_FIELDS[family] <= user and "delta" not in user, (
                f"{kind} fields {user} in {family}"
            )
            assert user <= USER_STREAM_FIELDS[family] | {"emotion"}, (
                f"{kind} fields {user} in {family}"
            )
        elif kind == "input_audio_buffer.committed":
            assert fields == COMMITTED_FIELDS[family], f"committed fields {fields} in {family}"
        elif kind == "conversation.item.input_audio_transcription.completed":
            final = fields - {"item_id", "content_index"}
            assert COMPLETED_FIELDS[family] <= final <= COMPLETED_FIELDS[family] | {"emotion"}, (
                f"completed fields {final} in {family}"
            )
        elif kind == "error":
            has_event_id = "event_id" in event["error"]
            assert family != "livetranslate" or not has_event_id, (
                "LiveTranslate errors have no error.event_id"
            )


# Qwen-Audio (docs/protocol/qwen-audio.md §4): Omni's names, plus the conversation and smart-turn
# events; committed and the user stream as its examples show them.
EVENT_TYPES["qwen_audio"] = (EVENT_TYPES["omni"] - {"session.finished"}) | {
    "conversation.item.retrieved",
    "conversation.item.deleted",
    "conversation.item.ambient_audio_transcription.delta",
    "conversation.item.ambient_audio_transcription.completed",
    "voiceprint_audio_list.in_progress",
    "voiceprint_audio_list.completed",
    "voiceprint_audio_list.failed",
}
STREAM_FIELDS["qwen_audio"] = {"delta"}
USER_STREAM_FIELDS["qwen_audio"] = {"text", "stash", "language"}
COMMITTED_FIELDS["qwen_audio"] = {"previous_item_id", "item_id"}
COMPLETED_FIELDS["qwen_audio"] = {"transcript"}
