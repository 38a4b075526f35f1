"""The inspector page shows a TTS session (driven by the official SDK): per response, the text
that went in and the waveform of the speech that came out."""

from __future__ import annotations

import gc

import pytest
from playwright import sync_api

from tests.integration.sdk_support import SDK_WARNINGS
from tests.integration.test_official_sdk_tts import _synthesize
from tests.mockserver.inspector.test_page import CHROMIUM_ARGS, REDRAW_DEADLINE_S, _chromium

pytestmark = [*SDK_WARNINGS, pytest.mark.realtime_mock(inspect=True)]

TEXT = "The first sentence goes in. The second one follows it."


@pytest.fixture
def page():
    """A fresh page of Debian's chromium; a script error on it fails the test."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        opened = browser.new_page(viewport={"width": 1280, "height": 1000})
        errors: list[str] = []
        opened.on("pageerror", lambda error: errors.append(str(error)))
        yield opened
        browser.close()
    gc.collect()
    assert not errors, errors


def test_each_response_shows_its_text_and_a_waveform(realtime_mock, page):
    """server_commit: two responses, each with its sentence and a drawn waveform; no input panel."""
    _synthesize(realtime_mock.url, "qwen3-tts-flash-realtime", "server_commit", text=TEXT)
    [session] = realtime_mock.inspector.sessions()
    page.goto(f"{realtime_mock.inspect_url}#/sessions/{session.id}")
    items = page.locator("#tts-list li")
    items.nth(1).wait_for(timeout=REDRAW_DEADLINE_S * 1000)
    texts = [t.strip() for t in page.locator("#tts-list .tts-text").all_inner_texts()]
    assert texts == ["The first sentence goes in.", "The second one follows it."]
    assert page.locator("#tts-list canvas.tts-wave").count() == 2
    assert page.locator("#wave").is_hidden()
