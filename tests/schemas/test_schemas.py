"""schemas/: the documented examples validate, mutations of them do not, and the files agree."""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from dashscope_realtime_mock import families as registry
from dashscope_realtime_mock import schemas

ROOT = Path(__file__).resolve().parents[2]
# The documented example payloads (provenance in tests/schemas/examples/SOURCES.md).
EXAMPLES = Path(__file__).resolve().parent / "examples"
SCHEMA_DIR = ROOT / "schemas"

# tests/schemas/examples/SOURCES.md lists these doc quirks; our schema takes the side of the rest of the docs.
SELF_CONTRADICTORY = {
    "omni/conversation.item.created.json": "labels the user's input_audio item role 'assistant'; the platform.qianwenai copy of the same "
    "example says 'user', and an assistant item cannot hold input_audio (SOURCES.md).",
    "livetranslate/response.text.text.qwen3.5.json": "omits `stash`, which the same page's field table documents and the help.aliyun copy of the "
    "example carries (SOURCES.md).",
    "qwen_audio/response.done.cancelled.json": "the 'interrupted' tab shows only id, status and status_details; the same "
    "page's response object has object and output, which the mock sends (SOURCES.md).",
    "qwen_audio/conversation.item.ambient_audio_transcription.delta.guide.json": "the guide's excerpt omits "
    "event_id and content_index, which the server-event page's field list and example carry (SOURCES.md).",
}
CLIENT_TYPES = set().union(*(schemas.event_types("client", f) for f in schemas.families()))


def _examples() -> list:
    return [
        pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in sorted(EXAMPLES.glob("*/*.json"))
    ]


def _direction(event: dict) -> str:
    return "client" if event["type"] in CLIENT_TYPES else "server"


def _load(path: Path) -> tuple[str, dict]:
    return path.parent.name, json.loads(path.read_text(encoding="utf-8"))


def test_the_examples_are_there():
    """The documented examples of every family are found (so the tests below test something)."""
    families = {p.parent.name for p in EXAMPLES.glob("*/*.json")}
    assert families == set(schemas.families()) and len(list(EXAMPLES.glob("*/*.json"))) > 100


@pytest.mark.parametrize("path", _examples())
def test_documented_example_validates(path):
    """Every documented example validates against its family's schema, except the named quirks."""
    family, event = _load(path)
    violations = schemas.errors(_direction(event), event, family)
    key = f"{family}/{path.name}"
    if key in SELF_CONTRADICTORY:
        assert violations, f"{key} is listed as self-contradictory but validates"
    else:
        assert violations == [], [v.message for v in violations]


def _wrong_type_value(value):
    """A value of another JSON type than `value`."""
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, (int, float)):
        return "12"
    if isinstance(value, str):
        return 12
    if isinstance(value, list):
        return {"0": value}
    if isinstance(value, dict):
        return [value]
    return 3.5  # null


def _mutations(direction: str, event: dict, family: str):
    """(name, mutated event): each required field removed, each constrained field of a wrong type."""
    contents = schemas.schema(direction, event["type"], family)
    assert contents is not None, f"no schema for {event['type']}"
    for field in contents.get("required", []):
        if field in event and field != "type":
            mutated = copy.deepcopy(event)
            del mutated[field]
            yield f"missing {field}", mutated
    for field, value in event.items():
        if field == "type":
            continue
        mutated = copy.deepcopy(event)
        mutated[field] = _wrong_type_value(value)
        yield f"{field} of the wrong type", mutated


@pytest.mark.parametrize("path", _examples())
def test_mutated_example_is_rejected(path):
    """Removing a required field or changing a field's JSON type makes the example invalid."""
    family, event = _load(path)
    direction = _direction(event)
    contents = schemas.schema(direction, event["type"], family)
    assert contents is not None, f"no schema for {event['type']}"
    for name, mutated in _mutations(direction, event, family):
        field = name.split()[-1] if name.startswith("missing") else name.split()[0]
        if contents["properties"].get(field) == {}:
            continue  # an unconstrained field (none so far)
        assert schemas.errors(direction, mutated, family), f"{name} accepted in {path.name}"


OUT_OF_RANGE = [
    ("client", "omni", "session.update", {"session": {"temperature": 2}}),
    ("client", "omni", "session.update", {"session": {"top_p": 0}}),
    ("client", "omni", "session.update", {"session": {"seed": 2**31}}),
    ("client", "omni", "session.update", {"session": {"presence_penalty": -2.5}}),
    (
        "client",
        "omni",
        "session.update",
        # neither the nested `function` object nor the flat `name` (Behaviour.flat_function_tools)
        {"session": {"tools": [{"type": "function", "description": "no name"}]}},
    ),
    ("client", "omni", "session.update", {"session": {"modalities": ["audio"]}}),
    (
        "client",
        "livetranslate",
        "session.update",
        {"session": {"turn_detection": {"threshold": 1.5}}},
    ),
    ("client", "livetranslate", "session.update", {"session": {"sample_rate": 44100}}),
    (
        "client",
        "asr",
        "session.update",
        {
            "event_id": "e",
            "session": {"turn_detection": {"silence_duration_ms": 100, "type": "server_vad"}},
        },
    ),
    (
        "client",
        "asr",
        "session.update",
        {"event_id": "e", "session": {"turn_detection": {"threshold": 0.1}}},
    ),
    (
        "client",
        "asr",
        "session.update",
        {"event_id": "e", "session": {"input_audio_transcription": {"language": "xx"}}},
    ),
    ("client", "asr", "input_audio_buffer.append", {"audio": "AAAA"}),  # ASR: event_id is required
    (
        "client",
        "omni",
        "conversation.item.create",
        {"item": {"type": "function_call_output", "call_id": "c"}},
    ),
    (
        "server",
        "omni",
        "input_audio_buffer.speech_started",
        {"event_id": "e", "audio_start_ms": -1},
    ),
    (
        "server",
        "omni",
        "response.done",
        {
            "event_id": "e",
            "response": {"id": "r", "object": "realtime.response", "status": "bogus", "output": []},
        },
    ),
    ("server", "asr", "input_audio_buffer.committed", {"event_id": "e", "item_id": "i"}),
    ("server", "livetranslate", "response.text.delta", {"event_id": "e", "delta": "x"}),
]


@pytest.mark.parametrize(
    ("direction", "family", "kind", "fields"),
    OUT_OF_RANGE,
    ids=[f"{d}-{f}-{k}-{i}" for i, (d, f, k, _) in enumerate(OUT_OF_RANGE)],
)
def test_out_of_range_and_misplaced_events_are_rejected(direction, family, kind, fields):
    """Documented ranges, required-ness and family membership are enforced."""
    assert schemas.errors(direction, {"type": kind, **fields}, family)


def _schema_files():
    return sorted(p for p in SCHEMA_DIR.glob("*/*.json"))


@pytest.mark.parametrize("path", _schema_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_file_name_id_and_type_const_agree(path):
    """A schema's $id ends with its path; an event schema's file is named <type>[.<family>].json."""
    contents = json.loads(path.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(contents)
    assert contents["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert contents["$id"].endswith(f"/schemas/{path.parent.name}/{path.name}")
    if path.parent.name == "common":
        return
    kind = contents["properties"]["type"]["const"]
    families = contents["x-families"]
    assert set(families) <= set(schemas.families()) and families
    expected = (
        {f"{kind}.json"}
        if len(families) > 1 or path.name == f"{kind}.json"
        else {f"{kind}.{families[0]}.json"}
    )
    assert path.name in expected


def test_every_family_variant_is_complete():
    """An event with per-family variant files names each family in one file at most (a family
    named twice would be judged by whichever file was read last)."""
    for direction in schemas.DIRECTIONS:
        named: dict[tuple[str, str], str] = {}
        for path in sorted((SCHEMA_DIR / direction).glob("*.json")):
            contents = json.loads(path.read_text(encoding="utf-8"))
            kind = contents["properties"]["type"]["const"]
            for family in contents["x-families"]:
                assert (kind, family) not in named, (path.name, named.get((kind, family)))
                named[(kind, family)] = path.name


def test_the_sibling_families_keep_their_shared_events():
    """The variants a family brings keep the events every audio family shares (session.update,
    error, session.finished) for all of them."""
    for family in ("livetranslate", "asr", "omni"):
        assert schemas.schema("client", "session.update", family)
        assert schemas.schema("server", "error", family)
        assert schemas.schema("server", "session.finished", family)


def test_client_events_match_the_registry():
    """The schemas' client events per family are the events each family's session core accepts."""
    for family in registry.families():
        assert schemas.event_types("client", family.name) == set(family.dialect.client_events), (
            family.name
        )


def _emitted_types() -> set[str]:
    """Every event type string the session core can emit: `_emit("…")`, `{"type": "…"}`, dialect names."""
    found = set()
    core = ("core", "media", "responses", "families")  # the sans-I/O session core
    for path in (p for sub in core for p in (ROOT / "mockserver" / sub).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", "") == "_emit"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value == "type"
                        and isinstance(value, ast.Constant)
                        and isinstance(value.value, str)
                        and "." in value.value
                    ):
                        found.add(value.value)
    for family in registry.families():
        dialect = family.dialect
        found |= {
            t
            for t in (
                dialect.text_stream,
                dialect.transcript_stream,
                dialect.user_transcript_stream,
            )
            if t
        }
    return found | {"error"}


def test_every_event_the_server_can_emit_has_a_schema():
    """Walking the session core's emitters finds no server event type without a schema."""
    emitted = _emitted_types()
    assert "response.function_call_arguments.delta" in emitted and "session.finished" in emitted
    known = set().union(*(schemas.event_types("server", f) for f in schemas.families()))
    assert emitted - CLIENT_TYPES <= known, emitted - CLIENT_TYPES - known


@pytest.mark.parametrize("path", _examples())
def test_resolved_schema_has_no_refs_and_judges_alike(path):
    """resolved() inlines every $ref and accepts and rejects exactly what the validator does."""
    family, event = _load(path)
    direction = _direction(event)
    inlined = schemas.resolved(direction, event["type"], family)
    assert inlined is not None, f"no schema for {event['type']}"
    assert "$ref" not in json.dumps(inlined)
    assert Draft7Validator(inlined).is_valid(event) == (
        not schemas.errors(direction, event, family)
    )
