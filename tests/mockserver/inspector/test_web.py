"""The inspector's HTTP side: the page, its JSON, and the downloads, served by the mock's own app."""

from __future__ import annotations

import asyncio
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from dashscope_realtime_mock.inspector import INSPECT_PATH, Inspector, Limits
from dashscope_realtime_mock.replay.capture import validate_lines
from dashscope_realtime_mock.replay.store import load_library
from dashscope_realtime_mock.transport.app import create_app
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.options import ServerOptions
from tests.support import ASR, LIVETRANSLATE, b64

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
SECRET = "sk-inspector-must-never-show-this"
API = INSPECT_PATH + "/api"


@pytest.fixture
def inspected(aiohttp_client):
    """Factory: a strict mock with the inspector, behind pytest-aiohttp's client."""

    async def start(**options):
        return await aiohttp_client(
            create_app(ServerOptions(strict=True, watcher=Inspector(), **options))
        )

    return start


async def _run_session(client, speech, model=LIVETRANSLATE, query="") -> str:
    """Stream the speech in 100 ms chunks, finish, read through session.finished; the session id."""
    headers = {"Authorization": f"Bearer {SECRET}"}
    async with client.ws_connect(f"{REALTIME_PATH}?model={model}{query}", headers=headers) as ws:
        created = json.loads((await ws.receive(timeout=10)).data)
        modalities = ["text"] if model == ASR else ["text", "audio"]
        events = [{"type": "session.update", "session": {"modalities": modalities}}]
        events += [
            {"type": "input_audio_buffer.append", "audio": b64(c)} for c in speech.chunks(100)
        ]
        events.append({"type": "session.finish"})
        for n, event in enumerate(events):
            await ws.send_json({"event_id": f"event_{n}", **event})
        while json.loads((await ws.receive(timeout=10)).data)["type"] != "session.finished":
            pass
    return created["session"]["id"]


async def _settled(client, session_id: str) -> dict:
    """The session view once the server has seen the connection close."""
    for _ in range(100):
        response = await client.get(f"{API}/sessions/{session_id}")
        view = await response.json()
        if view["session"]["outcome"] != "live":
            return view
        await asyncio.sleep(0.05)
    raise AssertionError("the session never closed")


@pytest.mark.asyncio
async def test_the_page_and_its_script_are_served(inspected):
    """GET /inspect is the HTML page; the script and style it names are served beside it."""
    client = await inspected()
    page = await client.get(INSPECT_PATH)
    assert page.status == 200 and page.content_type == "text/html"
    html = await page.text()
    for asset in ("inspector.js", "inspector.css"):
        assert f"{INSPECT_PATH}/static/{asset}" in html
        assert (await client.get(f"{INSPECT_PATH}/static/{asset}")).status == 200


@pytest.mark.asyncio
async def test_without_a_watcher_there_is_no_inspector(aiohttp_client):
    """A server started without the inspector answers /inspect with 404."""
    client = await aiohttp_client(create_app(ServerOptions()))
    assert (await client.get(INSPECT_PATH)).status == 404


@pytest.mark.asyncio
async def test_a_finished_session_is_listed_with_its_outcome(inspected, speech_en):
    """The list shows the model, the duration and `finished` after session.finished."""
    client = await inspected()
    session_id = await _run_session(client, speech_en)
    await _settled(client, session_id)
    listed = (await (await client.get(f"{API}/sessions")).json())["sessions"]
    assert [(s["id"], s["model"], s["outcome"]) for s in listed] == [
        (session_id, LIVETRANSLATE, "finished")
    ]
    assert listed[0]["duration_ms"] >= 0 and listed[0]["events"] > 100


@pytest.mark.asyncio
async def test_no_api_key_is_kept_or_shown(inspected, speech_en):
    """Nothing the inspector serves contains the key the client connected with."""
    client = await inspected()
    session_id = await _run_session(client, speech_en)
    await _settled(client, session_id)
    one = f"{API}/sessions/{session_id}"
    bodies = [
        await (await client.get(url)).read()
        for url in (f"{API}/sessions", one, f"{one}/events/0", f"{one}/traffic.jsonl")
    ]
    with zipfile.ZipFile(
        io.BytesIO(await (await client.get(f"{one}/fixture.zip")).read())
    ) as archive:
        bodies += [archive.read(name) for name in archive.namelist()]
    assert not any(SECRET.encode() in body for body in bodies)


@pytest.mark.asyncio
async def test_the_exported_fixture_holds_the_session_and_its_audio(inspected, speech_en, tmp_path):
    """fixture.zip unzips to scenarios/NAME/ with the session's events and all of its input audio."""
    client = await inspected()
    session_id = await _run_session(client, speech_en)
    view = await _settled(client, session_id)
    response = await client.get(f"{API}/sessions/{session_id}/fixture.zip")
    assert "attachment" in response.headers["Content-Disposition"]
    zipfile.ZipFile(io.BytesIO(await response.read())).extractall(tmp_path)
    [(name, fixture)] = load_library(tmp_path / "scenarios").items()
    assert name == f"inspected-{session_id}" and fixture.model == LIVETRANSLATE
    assert len(fixture.events) == view["session"]["events"]
    assert len(fixture.input_audio) == len(speech_en.pcm)


@pytest.mark.asyncio
async def test_the_raw_traffic_validates_against_the_schemas(inspected, speech_en, tmp_path):
    """traffic.jsonl has one line per event, and `realtime-mock validate` finds nothing wrong."""
    client = await inspected()
    session_id = await _run_session(client, speech_en, model=ASR)
    view = await _settled(client, session_id)
    text = await (await client.get(f"{API}/sessions/{session_id}/traffic.jsonl")).text()
    violations, checked, family = validate_lines(text.splitlines())
    assert (violations, checked, family) == ([], view["session"]["events"], "asr")


@pytest.mark.asyncio
async def test_replay_details_name_the_fixture_and_why(inspected, speech_en):
    """A session replaying a fixture named in the URL says which one, and that the URL named it."""
    client = await inspected(fixtures=FIXTURES)
    session_id = await _run_session(client, speech_en, model=ASR, query="&scenario=asr-vad")
    replay = (await _settled(client, session_id))["replay"]
    assert replay == {
        "fixture": "asr-vad",
        "text": "Replayed fixture asr-vad",
        "why": "named in the URL (?scenario=)",
        "rules": [],
    }


@pytest.mark.asyncio
async def test_the_built_in_responder_is_named_when_no_fixture_matches(inspected, speech_en):
    """With fixtures loaded but none matching the audio, the built-in responder answered."""
    client = await inspected(fixtures=FIXTURES)
    backwards = type(speech_en)(speech_en.pcm[::-1].copy(), 16000, [], "en")  # matches no fixture
    session_id = await _run_session(client, backwards, model=ASR)
    replay = (await _settled(client, session_id))["replay"]
    assert replay["fixture"] is None and replay["text"] == "Built-in responder"
    assert re.search(r"\(closest: asr-\S+, similarity 0\.\d\d, needs 0\.50\)", replay["why"])


@pytest.mark.asyncio
async def test_an_unknown_session_is_not_found(inspected):
    """A session id the inspector does not keep answers 404."""
    client = await inspected()
    assert (await client.get(f"{API}/sessions/sess_nope")).status == 404


@pytest.mark.asyncio
async def test_the_api_states_what_the_bounds_dropped(aiohttp_client, speech_en):
    """The list carries the sessions forgotten and the session view its audio not kept, each
    with its bound, its value, its count and the page's sentence."""
    inspector = Inspector(Limits(sessions=1, audio_per_session=8192))
    client = await aiohttp_client(create_app(ServerOptions(strict=True, watcher=inspector)))
    await _run_session(client, speech_en, model=ASR)
    session_id = await _run_session(client, speech_en, model=ASR)
    view = await _settled(client, session_id)
    [audio] = view["not_kept_notes"]
    assert (audio["what"], audio["bound"], audio["limit"]) == ("audio", "audio_per_session", 8192)
    assert audio["text"].startswith(f"{audio['count']} audio events of this session were kept")
    listed = await (await client.get(f"{API}/sessions")).json()
    assert [(n["bound"], n["count"]) for n in listed["not_kept_notes"]] == [("sessions", 1)]
