"""The inspector page states what its memory bounds dropped, in headless Chromium, while the
official SDK talks to the mock: sessions forgotten above the list, events kept as their type only
above a session's events, audio not kept where the waveform is; a session within every bound
shows no such statement. Screenshots go to artifacts/inspector/."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from dashscope.audio.qwen_omni import MultiModality, OmniRealtimeConversation
from playwright import sync_api

from dashscope_realtime_mock.inspector import Limits
from dashscope_realtime_mock.testing import MockServer
from tests.integration.sdk_support import API_KEY, SDK_WARNINGS, Recorder
from tests.mockserver.inspector import test_page
from tests.mockserver.inspector.test_page import _finished_session, _open_session_view, _screenshot
from tests.support import OMNI, b64

pytestmark = [*SDK_WARNINGS, pytest.mark.realtime_mock(inspect=True)]

browser = test_page.browser  # one headless Chromium for the module, as in test_page
page = test_page.page  # a fresh page at 1280×800; a script error on it fails the test

BOUND = 64 * 1024  # the small bound each overflowing test sets: 64 KiB
INSTRUCTIONS = (
    "Answer briefly. " * 6000
)  # 96,000 characters: over BOUND in session.update and its echo


@contextmanager
def _bounded(**limits: int) -> Iterator[MockServer]:
    """A mock whose inspector keeps only what `limits` allow (set before any session opens)."""
    with MockServer(inspect=True) as server:
        assert server.inspector is not None
        server.inspector.limits = Limits(**limits)
        yield server


def _omni_session(server: MockServer, chunks: list[str], instructions: str = "") -> str:
    """A manual-mode Omni session of the legacy SDK that sends `instructions` and appends
    `chunks`, then ends; its id once session.finished arrived."""
    recorder = Recorder()
    conversation = OmniRealtimeConversation(
        model=OMNI, callback=recorder, url=server.url, api_key=API_KEY
    )
    conversation.connect()
    extra: dict[str, Any] = {"instructions": instructions} if instructions else {}
    conversation.update_session(
        output_modalities=[MultiModality.TEXT], enable_turn_detection=False, **extra
    )
    session_id: str = recorder.wait_for("session.created")["session"]["id"]
    recorder.wait_for("session.updated")
    for chunk in chunks:
        conversation.append_audio(chunk)
    conversation.end_session(timeout=20)
    conversation.close()
    return session_id


def _audio_events_not_kept(chunks: list[str], bound: int) -> int:
    """How many appends a per-session audio bound of `bound` base64 characters keeps without
    their audio: each one whose audio would take the session's kept audio past the bound."""
    kept = dropped = 0
    for chunk in chunks:
        if kept + len(chunk) > bound:
            dropped += 1
        else:
            kept += len(chunk)
    return dropped


def test_the_list_says_how_many_sessions_were_forgotten_and_why(page):
    """Three sessions with room for two: above the list, one session forgotten, Limits.sessions."""
    with _bounded(sessions=2) as server:
        for _ in range(3):
            _omni_session(server, [])
        page.goto(server.inspect_url)
        sync_api.expect(page.locator("#sessions tbody tr")).to_have_count(2)
        sync_api.expect(page.locator("#list-not-kept")).to_have_text(
            "1 session was forgotten to make room for newer ones: the inspector keeps the latest"
            " 2 sessions (Limits.sessions)."
        )
        _screenshot(page, "list-sessions-forgotten.png")


def test_a_session_over_its_bounds_says_what_it_lacks(page, speech_en):
    """Big instructions and too much audio: above the events, the events kept as their type only
    and the bound; above the waveform, the audio events kept without their audio and the bound."""
    chunks = [b64(chunk) for chunk in speech_en.chunks(100)]
    with _bounded(content_per_event=BOUND, audio_per_session=BOUND) as server:
        session_id = _omni_session(server, chunks, INSTRUCTIONS)
        page.goto(f"{server.inspect_url}#/sessions/{session_id}")
        sync_api.expect(page.locator("#session-outcome")).to_have_text("finished")
        sync_api.expect(page.locator("#not-kept")).to_have_text(
            "2 events of this session were kept as their type only: the inspector keeps at most"
            " 64 KiB of non-audio content per event (Limits.content_per_event)."
        )
        dropped = _audio_events_not_kept(chunks, BOUND)
        assert 0 < dropped < len(chunks)
        sync_api.expect(page.locator("#audio-not-kept")).to_have_text(
            f"{dropped} audio events of this session were kept without their audio: the"
            " inspector keeps at most 64 KiB of base64 audio per session"
            " (Limits.audio_per_session). The waveform, the players and the downloads lack"
            " that audio."
        )
        sync_api.expect(
            page.locator("#event-list button", has_text="session.update (kept as its type only)")
        ).to_have_count(1)
        notice = page.locator("#audio-not-kept").bounding_box()
        wave = page.locator("#wave").bounding_box()
        assert notice is not None and wave is not None
        assert 0 <= wave["y"] - (notice["y"] + notice["height"]) < 20  # right above the waveform
        _screenshot(page, "session-not-kept.png")


def test_a_session_within_its_bounds_states_nothing_dropped(realtime_mock, page, speech_en):
    """A whole LiveTranslate session with the default bounds: no statement on either view."""
    session = _finished_session(realtime_mock, speech_en)
    _open_session_view(page, realtime_mock, session.id)
    sync_api.expect(page.locator("#session-outcome")).to_have_text("finished")
    for box in ("#not-kept", "#audio-not-kept"):
        sync_api.expect(page.locator(box)).to_have_count(1)  # there, and hidden
        sync_api.expect(page.locator(box)).to_be_hidden()
    page.goto(realtime_mock.inspect_url)
    sync_api.expect(page.locator(f'tr[data-session-id="{session.id}"]')).to_be_visible()
    sync_api.expect(page.locator("#list-not-kept")).to_have_count(1)
    sync_api.expect(page.locator("#list-not-kept")).to_be_hidden()
    assert "Limits." not in page.locator("body").inner_text()
