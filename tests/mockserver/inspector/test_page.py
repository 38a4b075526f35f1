"""The inspector page in headless Chromium, while the official SDK talks to the mock.

One browser per module (Debian's chromium, driven by Playwright); each test gets a fresh page at
1280×800. Screenshots of the list and session views go to artifacts/inspector/.
"""

from __future__ import annotations

import gc
import io
import json
import os
import shutil
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from dashscope.audio.qwen_omni import MultiModality, OmniRealtimeConversation
from dashscope.audio.qwen_omni.omni_realtime import TranslationParams
from playwright import sync_api

from dashscope_realtime_mock.testing import MockServer
from tests.integration.sdk_support import API_KEY, SDK_WARNINGS, Recorder
from tests.support import LIVETRANSLATE, OMNI, b64

pytestmark = [*SDK_WARNINGS, pytest.mark.realtime_mock(inspect=True)]

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "inspector"
REDRAW_DEADLINE_S = 10.0  # how long the page may take to draw what the test waits for
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    """Debian's chromium; CI must have it (`make test` installs it), elsewhere the tests skip."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    reason = "headless Chromium is not installed (`make browser` installs Debian's chromium)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh page at 1280×800; a script error on it fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.set_default_timeout(15_000)
    yield opened
    context.close()
    gc.collect()  # the SDK's sockets are left to the collector: let it run under this module's filters
    assert not errors, errors


class Translation:
    """A LiveTranslate session of the legacy SDK (English → French, VAD), driven step by step."""

    def __init__(self, server: MockServer, transcribe: bool = False) -> None:
        self.recorder = Recorder()
        self.conversation = OmniRealtimeConversation(
            model=LIVETRANSLATE, callback=self.recorder, url=server.url, api_key=API_KEY
        )
        self.conversation.connect()
        # with a transcription model named, the source is transcribed too
        model: dict[str, Any] = (
            {"input_audio_transcription_model": "qwen3-asr-flash-realtime"} if transcribe else {}
        )
        self.conversation.update_session(
            output_modalities=[MultiModality.TEXT, MultiModality.AUDIO],
            enable_turn_detection=True,
            translation_params=TranslationParams(language="fr"),
            **model,
        )
        self.id = self.recorder.wait_for("session.created")["session"]["id"]

    def stream(self, speech, **bounds) -> None:
        for chunk in speech.chunks(100, **bounds):
            self.conversation.append_audio(b64(chunk))

    def finish(self) -> None:
        self.conversation.end_session(timeout=20)
        self.conversation.close()

    def spans(self) -> list[tuple[int, int]]:
        """(audio_start_ms, audio_end_ms) of each utterance, as the VAD reported them."""
        starts = [
            e["audio_start_ms"]
            for e in self.recorder.events
            if e["type"] == "input_audio_buffer.speech_started"
        ]
        ends = [
            e["audio_end_ms"]
            for e in self.recorder.events
            if e["type"] == "input_audio_buffer.speech_stopped"
        ]
        return list(zip(starts, ends, strict=True))


def _finished_session(server: MockServer, speech, transcribe: bool = False) -> Translation:
    session = Translation(server, transcribe)
    session.stream(speech)
    session.finish()
    return session


def _open_session_view(page, server: MockServer, session_id: str) -> None:
    page.goto(f"{server.inspect_url}#/sessions/{session_id}")
    page.locator("#wave .span").first.wait_for()


def _open_session_view_without_audio(page, server: MockServer, session_id: str) -> None:
    page.goto(f"{server.inspect_url}#/sessions/{session_id}")
    page.locator("#session-outcome").filter(has_text="finished").wait_for()


def _screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_a_running_sdk_session_appears_live_then_finished(realtime_mock, page, speech_en):
    """While the SDK streams, the list shows the session as live; after it ends, as finished."""
    session = Translation(realtime_mock)
    session.stream(speech_en, end_ms=speech_en.gap_middle_ms)
    page.goto(realtime_mock.inspect_url)
    row = page.locator(f'tr[data-session-id="{session.id}"]')
    sync_api.expect(row.locator(".outcome")).to_have_text("live")
    sync_api.expect(row).to_contain_text(LIVETRANSLATE)
    _screenshot(page, "list.png")
    session.stream(speech_en, start_ms=speech_en.gap_middle_ms)
    session.finish()
    sync_api.expect(row.locator(".outcome")).to_have_text("finished")


def test_speech_spans_are_drawn_where_the_vad_put_them(realtime_mock, page, speech_en):
    """Each speech span sits over the waveform at the VAD's audio_start_ms..audio_end_ms, live."""
    session = Translation(realtime_mock)
    session.stream(speech_en, end_ms=speech_en.gap_middle_ms)
    session.recorder.wait_for("input_audio_buffer.speech_stopped")
    _open_session_view(page, realtime_mock, session.id)
    session.stream(speech_en, start_ms=speech_en.gap_middle_ms)
    session.finish()
    sync_api.expect(page.locator("#wave .span")).to_have_count(2)  # the second one arrives live
    sync_api.expect(page.locator("#session-outcome")).to_have_text("finished")
    heard = session.spans()
    deadline = time.monotonic() + REDRAW_DEADLINE_S
    drawn, expected = _span_edges(page, heard, speech_en.duration_ms)
    while drawn != pytest.approx(expected, abs=2) and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # the waveform of the whole session is redrawn
        drawn, expected = _span_edges(page, heard, speech_en.duration_ms)
    assert drawn == pytest.approx(expected, abs=2)
    _screenshot(page, "session.png")


def _span_edges(
    page: sync_api.Page, heard: list[tuple[int, int]], duration_ms: int
) -> tuple[list[float], list[float]]:
    """The x of each speech span's left and right edge as drawn, and where the VAD's times put
    them over the waveform (as wide as the session's audio); nothing drawn while it is redrawn."""
    area = page.locator("#wave .overlays").bounding_box()
    boxes = [shape.bounding_box() for shape in page.locator("#wave .span").all()]
    if area is None or None in boxes:
        return [], [0.0]
    scale = area["width"] / duration_ms
    drawn = [x for box in boxes if box is not None for x in (box["x"], box["x"] + box["width"])]
    return drawn, [area["x"] + ms * scale for span in heard for ms in span]


def test_clicking_an_event_shows_its_json(realtime_mock, page, speech_en):
    """Clicking speech_started in the event list shows that event's JSON, as the SDK received it."""
    session = _finished_session(realtime_mock, speech_en)
    _open_session_view(page, realtime_mock, session.id)
    listed = page.locator("#event-list button", has_text="input_audio_buffer.speech_started")
    listed.first.click()
    sync_api.expect(page.locator("#event-title")).to_have_text("input_audio_buffer.speech_started")
    shown = json.loads(page.locator("#event-json").inner_text())
    assert shown == session.recorder.wait_for("input_audio_buffer.speech_started")


def test_the_timeline_works_from_the_keyboard(realtime_mock, page, speech_en):
    """Tab reaches the server lane, End moves to its last event, Enter shows session.finished."""
    session = _finished_session(realtime_mock, speech_en)
    _open_session_view(page, realtime_mock, session.id)
    page.locator('.lane[data-lane="client"] .mark[tabindex="0"]').focus()
    page.keyboard.press("Tab")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    sync_api.expect(page.locator("#event-title")).to_have_text("session.finished")


def test_an_error_event_stands_out(realtime_mock, page, speech_en):
    """An `error` the mock sent is a red mark on the server lane and a red line in the list."""
    session = Translation(realtime_mock)
    session.conversation.send_raw(json.dumps({"event_id": "event_bad", "type": "no.such.event"}))
    session.recorder.wait_for("error")
    session.finish()
    _open_session_view_without_audio(page, realtime_mock, session.id)
    mark = page.locator('.lane[data-lane="server"] .mark.error')
    sync_api.expect(mark).to_have_count(1)
    assert mark.evaluate("m => getComputedStyle(m).backgroundColor") == "rgb(198, 40, 40)"
    sync_api.expect(page.locator("#event-list li.error")).to_contain_text("Invalid value")


def test_a_strict_mode_violation_stands_out(page, monkeypatch):
    """A strict-mode violation is shown as such at the top of the session, which ends in error."""
    from dashscope_realtime_mock.families.livetranslate import LiveTranslateSession

    monkeypatch.setattr(LiveTranslateSession, "_on_session_update", _broken_update)
    with MockServer(inspect=True) as server:
        recorder = Recorder()
        conversation = OmniRealtimeConversation(
            model=LIVETRANSLATE, callback=recorder, url=server.url, api_key=API_KEY
        )
        conversation.connect()
        conversation.update_session(output_modalities=[MultiModality.TEXT])
        recorder.wait_for("error")
        conversation.close()
        page.goto(server.inspect_url)
        page.locator("#sessions tbody a").first.click()
        sync_api.expect(page.locator("#failures")).to_contain_text("strict-mode violation")
        sync_api.expect(page.locator("#session-outcome")).to_contain_text("error")


def _broken_update(self, event: dict) -> None:
    """session.updated without its required fields: what strict mode exists to catch."""
    self._emit("session.updated", session={"id": self.id})


def test_the_exported_fixture_replays(realtime_mock, page, speech_en, tmp_path):
    """Download as fixture, unzip it into a fixtures directory: a new mock replays it by name."""
    session = _finished_session(realtime_mock, speech_en)
    _open_session_view(page, realtime_mock, session.id)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as fixture").click()
    archive = tmp_path / download.value.suggested_filename
    download.value.save_as(archive)
    zipfile.ZipFile(io.BytesIO(archive.read_bytes())).extractall(tmp_path / "fixtures")
    name = f"inspected-{session.id}"
    with MockServer(fixtures=tmp_path / "fixtures", scenario=name, inspect=True) as replaying:
        again = _finished_session(replaying, speech_en)
        page.goto(f"{replaying.inspect_url}#/sessions/{again.id}")
        sync_api.expect(page.locator("#replay")).to_contain_text(f"Replayed fixture {name}")
    replaying.check()
    said = [
        e["transcript"]
        for e in session.recorder.events
        if e["type"] == "response.audio_transcript.done"
    ]
    heard = [
        e["transcript"]
        for e in again.recorder.events
        if e["type"] == "response.audio_transcript.done"
    ]
    assert heard == said and len(heard) == 2


def _boxes(page: sync_api.Page, selector: str) -> list[Any]:
    """The bounding box of every visible element `selector` finds, left to right."""
    found = [shape.bounding_box() for shape in page.locator(selector).all() if shape.is_visible()]
    return sorted((box for box in found if box is not None), key=lambda box: box["x"])


def _settled_boxes(page: sync_api.Page, selector: str, count: int) -> list[Any]:
    """`_boxes` once the page has drawn `count` of them and a second look finds the same boxes:
    the page redraws as the session's last updates arrive, and a box read mid-redraw is lost."""
    sync_api.expect(page.locator(selector)).to_have_count(count)
    previous: list[Any] = []
    for _ in range(50):
        boxes = _boxes(page, selector)
        if len(boxes) == count and boxes == previous:
            return boxes
        previous = boxes
        page.wait_for_timeout(100)
    return previous


def _overlapping(boxes: list[Any]) -> list[tuple[Any, Any]]:
    """The pairs of boxes that share any area (touching edges do not count)."""
    return [
        (a, b)
        for n, a in enumerate(boxes)
        for b in boxes[n + 1 :]
        if a["x"] < b["x"] + b["width"] - 0.5
        and b["x"] < a["x"] + a["width"] - 0.5
        and a["y"] < b["y"] + b["height"] - 0.5
        and b["y"] < a["y"] + a["height"] - 0.5
    ]


def _inside(box: Any, area: Any) -> bool:
    return (
        box["x"] >= area["x"] - 0.5 and box["x"] + box["width"] <= area["x"] + area["width"] + 0.5
    )


def _settled(page: sync_api.Page, count: int) -> None:
    """Wait until the finished session is drawn: `count` transcripts and the final outcome."""
    sync_api.expect(page.locator("#session-outcome")).to_have_text("finished")
    sync_api.expect(page.locator("#texts .text.transcript")).to_have_count(count)


def test_events_waveform_and_transcripts_share_one_audio_time_axis(realtime_mock, page, speech_en):
    """speech_started and speech_stopped marks sit over the speech span's edges, and each
    utterance's transcript starts under its span (not at 0 s): one axis, in audio time."""
    session = _finished_session(realtime_mock, speech_en, transcribe=True)
    _open_session_view(page, realtime_mock, session.id)
    _settled(page, 2)
    spans = _boxes(page, "#wave .span")
    starts = _boxes(
        page, '.lane[data-lane="server"] .mark[data-type="input_audio_buffer.speech_started"]'
    )
    stops = _boxes(
        page, '.lane[data-lane="server"] .mark[data-type="input_audio_buffer.speech_stopped"]'
    )
    assert len(spans) == len(starts) == len(stops) == 2
    for span, start, stop in zip(spans, starts, stops, strict=True):
        assert start["x"] + start["width"] / 2 == pytest.approx(span["x"], abs=2)
        assert stop["x"] + stop["width"] / 2 == pytest.approx(span["x"] + span["width"], abs=2)
    transcripts = _boxes(page, "#texts .text.transcript")
    for span, transcript in zip(spans, transcripts, strict=True):
        assert transcript["x"] == pytest.approx(span["x"], abs=2)
    sync_api.expect(page.locator("#axis-note")).to_contain_text("the input audio")
    _screenshot(page, "session-audio-axis.png")


def test_texts_under_the_waveform_never_overlap_nor_are_cut(realtime_mock, page, speech_en):
    """Transcripts and translations: no two boxes overlap, each shows all its text, inside the area."""
    session = _finished_session(realtime_mock, speech_en, transcribe=True)
    _open_session_view(page, realtime_mock, session.id)
    _settled(page, 2)
    texts = _boxes(page, "#texts .text")
    area = page.locator("#texts").bounding_box()
    assert len(texts) == 4 and area is not None
    assert _overlapping(texts) == []
    assert all(_inside(box, area) for box in texts)
    cut = page.locator("#texts .text").evaluate_all(
        "nodes => nodes.filter(n => n.scrollHeight > n.clientHeight + 1 || n.scrollWidth > n.clientWidth + 1).length"
    )
    assert cut == 0


def test_a_livetranslate_session_says_which_source_language_was_assumed(
    realtime_mock, page, speech_en
):
    """The session names no source language: the page says the mock assumed en, and how to name one."""
    session = _finished_session(realtime_mock, speech_en, transcribe=True)
    _open_session_view(page, realtime_mock, session.id)
    sync_api.expect(page.locator("#session-facts")).to_contain_text(
        "Source language"
        + "en (assumed: the session named none; set input_audio_transcription.language)"
    )


class ManualOmni:
    """An Omni session of the legacy SDK in manual mode: each half of the speech committed."""

    def __init__(self, server: MockServer, speech) -> None:
        self.recorder = Recorder()
        conversation = OmniRealtimeConversation(
            model=OMNI, callback=self.recorder, url=server.url, api_key=API_KEY
        )
        conversation.connect()
        conversation.update_session(
            output_modalities=[MultiModality.TEXT], enable_turn_detection=False
        )
        self.id = self.recorder.wait_for("session.created")["session"]["id"]
        middle = speech.gap_middle_ms
        for turn, bounds in enumerate(({"end_ms": middle}, {"start_ms": middle}), 1):
            for chunk in speech.chunks(100, **bounds):
                conversation.append_audio(b64(chunk))
            conversation.commit()
            conversation.create_response()
            self.recorder.wait_for("response.done", count=turn)
        conversation.end_session(timeout=20)
        conversation.close()


def test_commit_and_item_labels_never_overlap_nor_pass_the_edge(realtime_mock, page, speech_en):
    """Omni manual mode, the last commit at the very end of the audio: every item and commit
    label is shown, none overlaps another, none passes the waveform's edges."""
    session = ManualOmni(realtime_mock, speech_en)
    page.goto(f"{realtime_mock.inspect_url}#/sessions/{session.id}")
    sync_api.expect(page.locator("#session-outcome")).to_have_text("finished")
    sync_api.expect(page.locator("#wave .commit-label")).to_have_count(2)
    labels = _settled_boxes(page, "#wave .label", 4)
    area = page.locator("#wave .overlays").bounding_box()
    assert len(labels) == 4 and area is not None  # two items, two commits, all shown
    assert _overlapping(labels) == []
    assert all(_inside(box, area) for box in labels)
    _screenshot(page, "session-omni-commits.png")


def test_the_rule_that_answered_each_turn_is_shown(realtime_mock, page, speech_en):
    """Scripted answers: under "Answered by", each turn a rule decided, and which rule."""
    realtime_mock.answers.add(say="Bonjour de la part du mock.", turn=2)
    session = _finished_session(realtime_mock, speech_en)
    _open_session_view(page, realtime_mock, session.id)
    replay = page.locator("#replay")
    sync_api.expect(replay).to_contain_text(
        "Turn 2: answered by rule 1, say 'Bonjour de la part du mock.' of the scripted answers."
    )
    sync_api.expect(replay).not_to_contain_text("Turn 1:")
